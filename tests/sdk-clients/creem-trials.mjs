// Creem trials and seats through the official creem SDK (1.13.0), unmodified: a product with a 14-day trial, a
// checkout for 3 seats that starts it without a charge, seats changed during the trial, the trial's end charging
// price × seats, seats added (charged at once, prorated) and removed (no credit) with subscriptions.update, and a
// second trial canceled before it charged anything. Every answer passes the SDK's strict schemas, every webhook
// creem/webhooks with the webhook secret.
// Input (environment): SANDBOX_CONTROL, CREEM_BASE, CREEM_API_KEY, CREEM_WEBHOOK_SECRET.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { Creem } from "creem";
import { events as creemEvents } from "./creem-events.mjs";
import { control, receiver } from "./sandbox-support.mjs";

const env = process.env;
const hooks = await receiver();

const events = (n) => creemEvents(hooks, n);
const types = (list) => list.map((e) => `${e.eventType}:${e.object.status ?? ""}`);
const renew = (id) => control("POST", `/control/creem/subscriptions/${id}/renew`);

try {
  await control("PUT", "/control/providers/creem/settings", { webhook_url: hooks.url("/creem/webhook") });
  const creem = new Creem({ apiKey: env.CREEM_API_KEY, serverURL: env.CREEM_BASE });

  const product = await creem.products.create({
    name: "Team seats", description: "Per seat, monthly, 14 days free", price: 1000, currency: "USD",
    billingType: "recurring", billingPeriod: "every-month", trialPeriodDays: 14,
  });
  assert.equal((await creem.products.get(product.id)).trialPeriodDays, 14);

  // A checkout for 3 seats: nothing is charged, the subscription is trialing until the trial's end.
  const checkout = await creem.checkouts.create({ productId: product.id, units: 3, customer: { email: "seats@example.com" } });
  await control("POST", `/control/payments/${checkout.id}/pay`);
  const started = await events(2);
  const order = started[0].object.order;
  const trialing = started[1].object;
  const trialDays = (trialing.currentPeriodEndDate - trialing.currentPeriodStartDate) / 86_400_000;
  assert.equal(trialing.lastTransactionId, undefined);

  // Seats during the trial change what its end charges, and nothing now.
  const item = trialing.items[0];
  const duringTrial = await creem.subscriptions.update(trialing.id, { items: [{ id: item.id, units: 5 }], updateBehavior: "proration-charge-immediately" });
  const trialUpdate = types(await events(1));

  // The trial's end is the first charge: 5 seats.
  await renew(trialing.id);
  const converted = await events(2);
  const firstCharge = converted[1].object.lastTransaction.amount;

  // One seat more at the period's start: the whole difference now. Then down to 2 with proration-none: no credit.
  const added = await creem.subscriptions.update(trialing.id, { items: [{ id: item.id, units: 6 }], updateBehavior: "proration-charge-immediately" });
  const addedEvents = await events(2);
  const removed = await creem.subscriptions.update(trialing.id, { items: [{ productId: product.id, units: 2 }], updateBehavior: "proration-none" });
  const removedEvents = await events(1);
  await renew(trialing.id);
  const [renewal] = await events(1);

  // A second trial canceled at once: canceled, never charged.
  const second = await creem.checkouts.create({ productId: product.id, customer: { email: "trial-cancel@example.com" } });
  await control("POST", `/control/payments/${second.id}/pay`);
  const secondStarted = await events(2);
  const secondSub = secondStarted[1].object;
  const canceled = await creem.subscriptions.cancel(secondSub.id, { mode: "immediate" });
  const canceledEvents = types(await events(1));
  const charges = await creem.transactions.search(typeof secondSub.customer === "string" ? secondSub.customer : secondSub.customer.id);

  console.log(JSON.stringify({
    trialPeriodDays: product.trialPeriodDays,
    started: types(started),
    orderAmount: order.amount,
    trialDays,
    duringTrialUnits: duringTrial.items[0].units,
    duringTrialStatus: duringTrial.status,
    trialUpdate,
    converted: types(converted),
    firstCharge,
    addedUnits: added.items[0].units,
    addedEvents: types(addedEvents),
    addedCharge: addedEvents[1].object.lastTransaction.amount,
    removedUnits: removed.items[0].units,
    removedEvents: types(removedEvents),
    renewalAmount: renewal.object.lastTransaction.amount,
    canceledStatus: canceled.status,
    canceledEvents,
    canceledTrialCharges: charges.result.items.length,
    pending: hooks.pending,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  hooks.close();
}
