// Runs the official stripe package (stripe-node 23.1.0), unmodified, through the sandbox's plan changes: a preview of
// an upgrade (invoices.createPreview), the upgrade invoiced at once with its prorations (proration_behavior
// always_invoice), an invoice item created, listed and deleted, and paying an invoice already paid. Every webhook is
// verified with stripe.webhooks.constructEvent.
// Input (environment): SANDBOX_CONTROL, STRIPE_BASE; the keys and the monthly price come from GET /control/providers/stripe,
// the upgrade's price is the sandbox's seeded price_HarnessTeamMonthly (docs/sandbox.md, credentials).
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import { control } from "./sandbox-support.mjs";
import { stripeAtSandbox, stripeWebhooks } from "./stripe-webhooks.mjs";

const { stripe, credentials } = await stripeAtSandbox();
const team = "price_HarnessTeamMonthly";

const webhooks = await stripeWebhooks(stripe, credentials.webhook_secret);
const { events, until } = webhooks;

try {
  await control("PUT", "/control/providers/stripe/settings", { webhook_url: webhooks.url("/stripe/webhook") });
  const customer = await stripe.customers.create({ email: "node-plans@example.com" });
  const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: credentials.recurring_price }] });
  const item = subscription.items.data[0];
  // Prorated from the period's start: the whole month's credit and charge, whatever the sandbox clock says.
  const prorationDate = item.current_period_start;
  const change = { items: [{ id: item.id, price: team }], proration_date: prorationDate };

  const preview = await stripe.invoices.createPreview({ subscription: subscription.id, subscription_details: { ...change, proration_behavior: "always_invoice" } });
  const updated = await stripe.subscriptions.update(subscription.id, { ...change, proration_behavior: "always_invoice", expand: ["latest_invoice"] });
  await until(() => events.some((e) => e.type === "customer.subscription.updated") && events.filter((e) => e.type === "invoice.paid").length === 2, "the change's events");
  const changedEvent = events.find((e) => e.type === "customer.subscription.updated");
  const prorationEvents = events.filter((e) => e.type === "invoiceitem.created").map((e) => e.data.object.amount);

  const fee = await stripe.invoiceItems.create({ customer: customer.id, amount: 500, currency: "usd", description: "Setup fee" });
  const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
  const deleted = await stripe.invoiceItems.del(fee.id);

  let refused = null;
  try {
    await stripe.invoices.pay(updated.latest_invoice.id);
  } catch (error) {
    refused = { status: error.statusCode, type: error.type, message: error.message };
  }

  console.log(JSON.stringify({
    preview: [preview.id.startsWith("upcoming_in_"), preview.billing_reason, preview.total, preview.lines.data.map((l) => l.amount)],
    updated: [updated.items.data[0].price.id, updated.latest_invoice.billing_reason, updated.latest_invoice.status, updated.latest_invoice.amount_paid],
    lines: updated.latest_invoice.lines.data.map((l) => l.description),
    previousPrice: changedEvent.data.previous_attributes.items.data[0].price.id,
    prorationEvents,
    pending: pending.data.map((i) => i.id === fee.id),
    deleted: deleted.deleted,
    refused,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  webhooks.close();
}
