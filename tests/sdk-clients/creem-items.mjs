// Creem subscription items through the official creem SDK (1.13.0), unmodified: a monthly subscription for 2 seats,
// an add-on product added as a second item with subscriptions.update (no item id: the item is created), the first
// item's seats lowered with a credit for the unused part, a renewal that bills both items less the credit in one
// transaction, and refusals (an unknown item, a product of another billing period). Every answer passes the SDK's
// strict schemas, every webhook creem/webhooks with the webhook secret.
// Input (environment): SANDBOX_CONTROL, CREEM_BASE, CREEM_API_KEY, CREEM_WEBHOOK_SECRET.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import { Creem } from "creem";
import { events as creemEvents } from "./creem-events.mjs";
import { control, receiver } from "./sandbox-support.mjs";

const env = process.env;
const hooks = await receiver();

const events = (n) => creemEvents(hooks, n);
const renew = (id) => control("POST", `/control/creem/subscriptions/${id}/renew`);
const items = (subscription) => subscription.items.map((i) => `${i.productId}:${i.units}`);

// The status and message of a call the SDK refuses to complete (it throws CreemError on a 4xx).
async function refusal(call) {
  try {
    await call();
  } catch (error) {
    return `${error.statusCode}:${JSON.parse(error.body).message}`;
  }
  throw new Error("the call succeeded");
}

try {
  await control("PUT", "/control/providers/creem/settings", { webhook_url: hooks.url("/creem/webhook") });
  const creem = new Creem({ apiKey: env.CREEM_API_KEY, serverURL: env.CREEM_BASE });

  const base = await creem.products.create({
    name: "Team base", description: "Per seat, monthly", price: 1000, currency: "USD", billingType: "recurring", billingPeriod: "every-month",
  });
  const addon = await creem.products.create({
    name: "Storage add-on", description: "Per 100 GB, monthly", price: 500, currency: "USD", billingType: "recurring", billingPeriod: "every-month",
  });
  const checkout = await creem.checkouts.create({ productId: base.id, units: 2, customer: { email: "items@example.com" } });
  await control("POST", `/control/payments/${checkout.id}/pay`);
  const started = await events(3);
  const id = started[1].object.id;

  // The first renewal puts the period ahead of the clock (the control API does not move it): all of it is left, so
  // the credit below is exact.
  await renew(id);
  await events(1);

  // No item id: the item is created. Then the first item's seats go from 2 to 1 (proration-charge, the default).
  const added = await creem.subscriptions.update(id, { items: [{ productId: addon.id, units: 3 }], updateBehavior: "proration-none" });
  const [addedEvent] = await events(1);
  const fetched = await creem.subscriptions.get(id);
  const lowered = await creem.subscriptions.update(id, { items: [{ id: fetched.items[0].id, units: 1 }] });
  const [loweredEvent] = await events(1);

  // One renewal, one transaction: 1000 × 1 + 500 × 3, less the credit of 1000 for the unused seat.
  await renew(id);
  const [renewal] = await events(1);
  const charges = await creem.transactions.search(fetched.customer.id ?? fetched.customer);

  const yearly = await creem.products.create({
    name: "Yearly add-on", description: "Yearly", price: 5000, currency: "USD", billingType: "recurring", billingPeriod: "every-year",
  });
  const unknownItem = await refusal(() => creem.subscriptions.update(id, { items: [{ id: "sitem_missing", units: 2 }] }));
  const otherPeriod = await refusal(() => creem.subscriptions.update(id, { items: [{ productId: yearly.id, units: 1 }] }));

  console.log(JSON.stringify({
    addedItems: items(added),
    addedEvent: `${addedEvent.eventType}:${items(addedEvent.object).join(",")}`,
    fetchedItems: items(fetched),
    itemObjects: fetched.items.map((i) => `${i.object}:${i.mode}`),
    loweredItems: items(lowered),
    loweredEvent: `${loweredEvent.eventType}:${items(loweredEvent.object).join(",")}`,
    renewalEvent: renewal.eventType,
    renewalAmount: renewal.object.lastTransaction.amount,
    transactions: charges.result.items.map((t) => t.amount),
    unknownItem,
    otherPeriod,
    base: base.id,
    addon: addon.id,
    yearly: yearly.id,
    pending: hooks.pending,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  hooks.close();
}
