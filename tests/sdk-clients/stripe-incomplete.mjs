// Runs the official stripe package (stripe-node 23.1.0), unmodified, through the sandbox's subscriptions whose first
// payment is made by the client: payment_behavior=default_incomplete with the client secret from
// latest_invoice.confirmation_secret, the invoice's PaymentIntent confirmed, error_if_incomplete with a declining card,
// and a trial started by subscriptions.create. Every webhook is verified with stripe.webhooks.constructEvent.
// Input (environment): SANDBOX_CONTROL, STRIPE_BASE; the keys and prices come from GET /control/providers/stripe.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import { control } from "./sandbox-support.mjs";
import { stripeAtSandbox, stripeWebhooks } from "./stripe-webhooks.mjs";

const { stripe, credentials } = await stripeAtSandbox();

const webhooks = await stripeWebhooks(stripe, credentials.webhook_secret);
const { events, until } = webhooks;

try {
  await control("PUT", "/control/providers/stripe/settings", { webhook_url: webhooks.url("/stripe/webhook") });
  const items = [{ price: credentials.recurring_price }];

  const customer = await stripe.customers.create({ email: "node-incomplete@example.com" });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items,
    payment_behavior: "default_incomplete",
    payment_settings: { save_default_payment_method: "on_subscription" },
    expand: ["latest_invoice.confirmation_secret", "latest_invoice.payments"],
  });
  const intentId = subscription.latest_invoice.payments.data[0].payment.payment_intent;
  const intent = await stripe.paymentIntents.retrieve(intentId);
  const confirmed = await stripe.paymentIntents.confirm(intentId, { payment_method: "pm_card_visa" });
  await until(() => events.some((e) => e.type === "customer.subscription.updated"), "customer.subscription.updated");
  const active = await stripe.subscriptions.retrieve(subscription.id);
  const updated = events.find((e) => e.type === "customer.subscription.updated");

  const failing = await stripe.customers.create({ email: "node-failing@example.com" });
  const card = await stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: failing.id });
  await stripe.customers.update(failing.id, { invoice_settings: { default_payment_method: card.id } });
  let refused = null;
  try {
    await stripe.subscriptions.create({ customer: failing.id, items, payment_behavior: "error_if_incomplete" });
  } catch (error) {
    refused = { status: error.statusCode, type: error.type, code: error.code };
  }
  const left = await stripe.subscriptions.list({ customer: failing.id, status: "all" });

  const trial = await stripe.subscriptions.create({ customer: customer.id, items, trial_period_days: 14 });

  console.log(JSON.stringify({
    created: [subscription.status, subscription.latest_invoice.status, intent.status],
    secretMatches: subscription.latest_invoice.confirmation_secret.client_secret === intent.client_secret,
    confirmed: confirmed.status,
    active: [active.status, active.default_payment_method === confirmed.payment_method],
    previousStatus: updated.data.previous_attributes.status,
    refused,
    leftAfterRefusal: left.data.length,
    trial: [trial.status, (trial.trial_end - trial.trial_start) / 86_400],
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  webhooks.close();
}
