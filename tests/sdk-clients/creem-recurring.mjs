// Creem recurring billing through the official creem SDK (1.13.0), unmodified: subscribe, renew twice, schedule a
// cancel, upgrade, pause and resume, a failing card to its end state, and a refund. Every webhook is verified and
// strictly parsed by creem/webhooks with the webhook secret.
// Input (environment): SANDBOX_CONTROL, CREEM_BASE, CREEM_API_KEY, CREEM_WEBHOOK_SECRET, CREEM_RECURRING_PRODUCT, CREEM_UPGRADE_PRODUCT.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { Creem } from "creem";
import { events as creemEvents } from "./creem-events.mjs";
import { control, receiver } from "./sandbox-support.mjs";

const env = process.env;
const hooks = await receiver();

const events = (n) => creemEvents(hooks, n);

async function subscribe(creem, requestId) {
  const checkout = await creem.checkouts.create({ productId: env.CREEM_RECURRING_PRODUCT, requestId, customer: { email: `${requestId}@example.com` } });
  await control("POST", `/control/payments/${checkout.id}/pay`);
  const started = await events(3);
  assert.deepEqual(started.map((e) => e.eventType), ["checkout.completed", "subscription.active", "subscription.paid"]);
  return started[1].object;
}

const renew = (id) => control("POST", `/control/creem/subscriptions/${id}/renew`);

try {
  await control("PUT", "/control/providers/creem/settings", { webhook_url: hooks.url("/creem/webhook") });
  const creem = new Creem({ apiKey: env.CREEM_API_KEY, serverURL: env.CREEM_BASE });

  // Subscribe, renew twice, schedule a cancel: the events arrive in this order and the period moves a month each time.
  const sub = await subscribe(creem, "recurring_1");
  const lifecycle = [];
  const periodEnds = [sub.currentPeriodEndDate.toISOString()];
  for (let i = 0; i < 2; i++) {
    await renew(sub.id);
    const [paid] = await events(1);
    lifecycle.push(paid.eventType);
    assert.equal(paid.object.status, "active");
    assert.equal(paid.object.product.id, env.CREEM_RECURRING_PRODUCT);
    periodEnds.push(paid.object.currentPeriodEndDate.toISOString());
  }
  const scheduled = await creem.subscriptions.cancel(sub.id, { mode: "scheduled" });
  assert.equal(scheduled.status, "scheduled_cancel");
  const [scheduledEvent] = await events(1);
  lifecycle.push(scheduledEvent.eventType);
  await renew(sub.id);
  const [canceled] = await events(1);
  lifecycle.push(canceled.eventType);
  assert.equal(canceled.object.status, "canceled");
  const ended = await creem.subscriptions.get(sub.id);
  assert.equal(ended.status, "canceled");
  const transactions = await creem.transactions.search(ended.customer.id ?? ended.customer);
  const charged = transactions.result.items.length;

  // Upgrade charged at once (prorated), then pause and resume.
  const second = await subscribe(creem, "recurring_2");
  const upgraded = await creem.subscriptions.upgrade(second.id, { productId: env.CREEM_UPGRADE_PRODUCT, updateBehavior: "proration-charge-immediately" });
  const upgradeEvents = (await events(2)).map((e) => e.eventType);
  const paused = await creem.subscriptions.pause(second.id);
  const resumed = await creem.subscriptions.resume(second.id);
  const pauseEvents = (await events(2)).map((e) => `${e.eventType}:${e.object.status}`);
  const canceledNow = await creem.subscriptions.cancel(second.id, { mode: "immediate" });
  assert.equal(canceledNow.status, "canceled");
  pauseEvents.push((await events(1)).map((e) => `${e.eventType}:${e.object.status}`)[0]);

  // A card that starts failing: past due at the renewal, then three retries, then expired and canceled.
  const third = await subscribe(creem, "recurring_3");
  await control("POST", `/control/creem/subscriptions/${third.id}/payment-failure`, { fail: true, end_state: "canceled" });
  const dunning = [];
  for (let i = 0; i < 4; i++) await renew(third.id);
  for (const e of await events(3)) dunning.push(`${e.eventType}:${e.object.status}`);

  // A refund of the first subscription's first transaction.
  const refund = await creem.transactions.refund({ transactionId: sub.lastTransactionId });
  const [refundEvent] = await events(1);
  const refunded = await creem.transactions.getById(sub.lastTransactionId);

  console.log(JSON.stringify({
    lifecycle,
    periodEnds,
    charged,
    upgradedProduct: typeof upgraded.product === "string" ? upgraded.product : upgraded.product.id,
    upgradeEvents,
    pausedStatus: paused.status,
    resumedStatus: resumed.status,
    pauseEvents,
    dunning,
    refundStatus: refund.status,
    refundEvent: refundEvent.eventType,
    refundAmount: refundEvent.object.refundAmount,
    refundedTransactionStatus: refunded.status,
    pending: hooks.pending,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  hooks.close();
}
