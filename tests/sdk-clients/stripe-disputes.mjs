// Runs the official stripe package (stripe-node 23.1.0), unmodified, through the sandbox's disputes: a PaymentIntent
// confirmed with pm_card_createDispute is disputed, a refund of its charge is refused, test mode's winning evidence wins
// it, an inquiry is closed, and pm_card_createIssuerFraudRecord draws a Radar early fraud warning that a full refund makes
// not actionable. Every webhook is verified with stripe.webhooks.constructEvent.
// Input (environment): SANDBOX_CONTROL, STRIPE_BASE; the keys come from GET /control/providers/stripe.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import { control } from "./sandbox-support.mjs";
import { stripeAtSandbox, stripeWebhooks } from "./stripe-webhooks.mjs";

const { stripe, credentials } = await stripeAtSandbox();

const webhooks = await stripeWebhooks(stripe, credentials.webhook_secret);
const { events, until } = webhooks;

try {
  await control("PUT", "/control/providers/stripe/settings", { webhook_url: webhooks.url("/stripe/webhook") });

  const intent = await stripe.paymentIntents.create({ amount: 4200, currency: "usd", payment_method: "pm_card_createDispute", confirm: true });
  const listed = await stripe.disputes.list({ charge: intent.latest_charge });
  const dispute = listed.data[0];
  let refused = null;
  try {
    await stripe.refunds.create({ payment_intent: intent.id });
  } catch (error) {
    refused = { status: error.statusCode, code: error.code };
  }

  const won = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: "winning_evidence", customer_name: "Node Buyer" } });
  await until(() => events.some((e) => e.type === "charge.dispute.funds_reinstated"), "charge.dispute.funds_reinstated");

  const inquiryIntent = await stripe.paymentIntents.create({ amount: 1500, currency: "usd", payment_method: "pm_card_createDisputeInquiry", confirm: true });
  const inquiry = (await stripe.disputes.list({ payment_intent: inquiryIntent.id })).data[0];
  const closed = await stripe.disputes.close(inquiry.id);

  const warnedIntent = await stripe.paymentIntents.create({ amount: 900, currency: "usd", payment_method: "pm_card_createIssuerFraudRecord", confirm: true });
  const warning = (await stripe.radar.earlyFraudWarnings.list({ charge: warnedIntent.latest_charge })).data[0];
  await stripe.refunds.create({ payment_intent: warnedIntent.id });
  const settled = await stripe.radar.earlyFraudWarnings.retrieve(warning.id);
  await until(() => events.some((e) => e.type === "radar.early_fraud_warning.updated"), "radar.early_fraud_warning.updated");

  console.log(JSON.stringify({
    warning: [warning.id.startsWith("issfr_"), warning.object, warning.actionable, warning.payment_intent === warnedIntent.id, settled.actionable],
    warningEvents: events.filter((e) => e.type.startsWith("radar.early_fraud_warning.")).map((e) => e.type),
    opened: [dispute.id.startsWith("dp_"), dispute.amount, dispute.reason, dispute.status, dispute.is_charge_refundable],
    refused,
    won: [won.status, won.evidence.customer_name, won.evidence_details.submission_count, won.balance_transactions.map((t) => t.amount)],
    closed: [inquiry.status, closed.status],
    disputeEvents: events.filter((e) => e.type.startsWith("charge.dispute.") && e.data.object.id === dispute.id).map((e) => e.type),
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  webhooks.close();
}
