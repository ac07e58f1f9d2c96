// Runs the official stripe package (stripe-node 23.1.0), unmodified, through the sandbox's PaymentMethods: a card
// from a test token saved to a customer, listed, updated, made the customer's default and charged off session, then
// detached and refused when saved again. Every webhook is verified with stripe.webhooks.constructEvent.
// Input (environment): SANDBOX_CONTROL, STRIPE_BASE; the keys come from GET /control/providers/stripe.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { control } from "./sandbox-support.mjs";
import { stripeAtSandbox, stripeWebhooks } from "./stripe-webhooks.mjs";

const { stripe, credentials } = await stripeAtSandbox();

const webhooks = await stripeWebhooks(stripe, credentials.webhook_secret);
const { events, until } = webhooks;

try {
  await control("PUT", "/control/providers/stripe/settings", { webhook_url: webhooks.url("/stripe/webhook") });

  const customer = await stripe.customers.create({ email: "node-cards@example.com" });
  const created = await stripe.paymentMethods.create({ type: "card", card: { token: "tok_amex" }, billing_details: { name: "Node Buyer" } });
  const attached = await stripe.paymentMethods.attach(created.id, { customer: customer.id });
  const listed = await stripe.customers.listPaymentMethods(customer.id, { type: "card" });
  const updated = await stripe.paymentMethods.update(created.id, { metadata: { label: "amex" } });
  const withDefault = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: created.id } });
  const offSession = await stripe.paymentIntents.create({
    amount: 2500, currency: "usd", customer: customer.id, payment_method: created.id, off_session: true, confirm: true,
  });
  const detached = await stripe.paymentMethods.detach(created.id);
  const other = await stripe.customers.create({ email: "node-other@example.com" });
  let reused = null;
  try {
    await stripe.paymentMethods.attach(created.id, { customer: other.id });
  } catch (error) {
    reused = { status: error.statusCode, code: error.code };
  }

  await until(() => events.some((e) => e.type === "payment_method.detached"), "payment_method.detached");
  const afterDetach = await stripe.customers.retrieve(customer.id);
  console.log(JSON.stringify({
    created: [created.id.startsWith("pm_"), created.card.brand, created.card.last4, created.customer],
    attachedTo: attached.customer === customer.id,
    listed: listed.data.map((m) => m.id === created.id),
    label: updated.metadata.label,
    defaultSet: withDefault.invoice_settings.default_payment_method === created.id,
    offSession: [offSession.status, offSession.payment_method === created.id],
    detachedCustomer: detached.customer,
    defaultAfterDetach: afterDetach.invoice_settings.default_payment_method,
    reused,
    methodEvents: events.filter((e) => e.type.startsWith("payment_method.")).map((e) => e.type),
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  webhooks.close();
}
