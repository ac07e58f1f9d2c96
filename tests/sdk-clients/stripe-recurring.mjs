// Runs the official stripe package (stripe-node 23.1.0), unmodified, through the sandbox's recurring billing
// (issue #27): a checkout subscription on a test clock renewing three times, cancel_at_period_end, failing
// renewals on the retry schedule with a configured end state, refunds, and a trial checkout. Every webhook is verified with
// stripe.webhooks.constructEvent. Pointed at the sandbox with host, port and protocol (the SDK rejects other keys).
// Input (environment): SANDBOX_CONTROL, STRIPE_BASE; the keys and prices come from GET /control/providers/stripe.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import Stripe from "stripe";
import { control } from "./sandbox-support.mjs";
import { stripeAtSandbox, stripeWebhooks } from "./stripe-webhooks.mjs";

const DAY = 86_400;
const START = Date.UTC(2026, 0, 1) / 1000;

const { stripe, credentials } = await stripeAtSandbox();

// The merchant's webhook endpoint: verifies the raw body as received, before anything parses it.
const webhooks = await stripeWebhooks(stripe, credentials.webhook_secret);
const { events, until, raw: rawHooks } = webhooks;

const count = (type, of = events) => of.filter((e) => e.type === type).length;
const ofType = (type) => events.filter((e) => e.type === type).map((e) => e.data.object);

/** Advances a test clock and polls it until ready, as Stripe's docs tell integrations to. */
async function advance(clockId, days) {
  const advancing = await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: START + days * DAY });
  assert.equal(advancing.status, "advancing");
  assert.equal(advancing.status_details.advancing.target_frozen_time, START + days * DAY);
  for (let i = 0; i < 400; i++) {
    const clock = await stripe.testHelpers.testClocks.retrieve(clockId);
    if (clock.status === "ready") {
      assert.equal(clock.frozen_time, START + days * DAY);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`test clock ${clockId} stayed advancing`);
}

const day = (unix) => (unix === null ? null : (unix - START) / DAY);

try {
  await control("PUT", "/control/providers/stripe/settings", { webhook_url: webhooks.url("/stripe/webhook") });

  // A customer on a test clock subscribes through a checkout, paid on the hosted page (here: the control API).
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: START, name: "node renewals" });
  assert.equal(clock.status, "ready");
  assert.equal((await stripe.testHelpers.testClocks.retrieve(clock.id)).name, "node renewals");
  const customer = await stripe.customers.create({ email: "node-renewals@example.com", test_clock: clock.id });
  assert.equal(customer.test_clock, clock.id);
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    customer: customer.id,
    line_items: [{ price: credentials.recurring_price, quantity: 1 }],
    success_url: "https://merchant.example/done?session={CHECKOUT_SESSION_ID}",
  });
  await control("POST", `/control/payments/${session.id}/pay`);
  await until(() => count("invoice.paid") === 1, "the first invoice.paid");
  const subscriptionId = (await stripe.checkout.sessions.retrieve(session.id)).subscription;
  const subscription = await stripe.subscriptions.retrieve(subscriptionId, { expand: ["latest_invoice"] });
  assert.equal(subscription.status, "active");
  assert.equal(subscription.test_clock, clock.id);
  assert.equal(subscription.latest_invoice.status, "paid");
  // Calendar months from Jan 1: Feb 1 is day 31.
  assert.equal(day(subscription.items.data[0].current_period_end), 31);

  for (let renewal = 1; renewal <= 3; renewal++) {
    await advance(clock.id, day((await stripe.subscriptions.retrieve(subscriptionId)).items.data[0].current_period_end));
    await until(() => count("invoice.paid") === 1 + renewal && count("invoice.payment_succeeded") === renewal, `renewal ${renewal}`);
  }
  const paid = ofType("invoice.paid");
  assert.ok(paid.every((i) => i.parent.subscription_details.subscription === subscriptionId && i.amount_paid === 999));

  // Cancel at the period end (May 1, day 120): the subscription ends there, with no invoice then or after.
  const scheduled = await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
  assert.equal(scheduled.cancel_at_period_end, true);
  await advance(clock.id, 120);
  await until(() => count("customer.subscription.deleted") === 1, "customer.subscription.deleted");
  await advance(clock.id, 150);
  const ended = await stripe.subscriptions.retrieve(subscriptionId);
  const invoicePaidLogged = (await stripe.events.list({ type: "invoice.paid" })).data.length;
  const invoicesAfterCancel = (await stripe.events.list({ type: "invoice.*", limit: 100 })).data
    .filter((e) => e.data.object.created >= START + 120 * DAY).length;
  const clocks = await stripe.testHelpers.testClocks.list({ limit: 100 });
  assert.ok(clocks.data.some((c) => c.id === clock.id));

  // Failing renewals on another clock: declined on Feb 1 (day 31), retried on days 34, 39 and 46, then unpaid.
  const dunningClock = await stripe.testHelpers.testClocks.create({ frozen_time: START, name: "node dunning" });
  const debtor = await stripe.customers.create({ email: "node-dunning@example.com", test_clock: dunningClock.id });
  const failing = await stripe.subscriptions.create({ customer: debtor.id, items: [{ price: credentials.recurring_price }] });
  assert.equal(failing.status, "active");
  await control("POST", `/control/stripe/subscriptions/${failing.id}/payment-failure`, { fail: true, end_state: "unpaid" });
  const statusesWhileFailing = [];
  for (const [attempt, onDay] of [[1, 31], [2, 34], [3, 39], [4, 46]]) {
    await advance(dunningClock.id, onDay);
    await until(() => count("invoice.payment_failed") === attempt, `failed attempt ${attempt}`);
    statusesWhileFailing.push((await stripe.subscriptions.retrieve(failing.id)).status);
  }
  await until(() => events.some((e) => e.type === "customer.subscription.updated" && e.data.object.id === failing.id && e.data.object.status === "unpaid"), "the unpaid update");
  const failed = ofType("invoice.payment_failed");
  await advance(dunningClock.id, 75);
  const failedLogged = (await stripe.events.list({ type: "invoice.payment_failed" })).data.length;
  const declined = (await stripe.charges.list({ customer: debtor.id })).data.filter((c) => c.status === "failed");

  // Refunds of the last renewal's charge: part by payment intent, the rest by charge.
  const charges = (await stripe.charges.list({ customer: customer.id, limit: 10 })).data;
  const charge = charges[0];
  const partial = await stripe.refunds.create({ payment_intent: charge.payment_intent, amount: 300, reason: "requested_by_customer" });
  assert.equal(partial.status, "succeeded");
  const rest = await stripe.refunds.create({ charge: charge.id });
  await until(() => count("charge.refunded") === 2, "two charge.refunded");
  let alreadyRefunded = null;
  try {
    await stripe.refunds.create({ charge: charge.id });
  } catch (error) {
    assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
    alreadyRefunded = error.code;
  }

  // A tampered body must not verify.
  const paidHook = rawHooks[events.findIndex((e) => e.type === "invoice.paid")];
  const tampered = paidHook.body.replace("999", "998");
  assert.notEqual(tampered, paidHook.body);
  let tamperRejected = false;
  try {
    stripe.webhooks.constructEvent(tampered, paidHook.header, credentials.webhook_secret);
  } catch (error) {
    tamperRejected = error instanceof Stripe.errors.StripeSignatureVerificationError;
  }

  // The event log (newest first, paged through by the SDK) holds exactly the events delivered, and each can be fetched.
  const logged = await stripe.events.list({ limit: 5 }).autoPagingToArray({ limit: 1000 });
  await until(() => events.length === logged.length, "every logged event as a webhook");
  assert.deepEqual(new Set(logged.map((e) => e.id)), new Set(events.map((e) => e.id)));
  assert.equal((await stripe.events.retrieve(logged[0].id)).type, logged[0].type);

  const deleted = await stripe.testHelpers.testClocks.del(clock.id);
  let clockGoneStatus = 0;
  try {
    await stripe.testHelpers.testClocks.retrieve(clock.id);
  } catch (error) {
    clockGoneStatus = error.statusCode;
  }

  // A 14-day trial through a checkout on its own clock: nothing paid now, trial_will_end and the first charge by day 14.
  const trialClock = await stripe.testHelpers.testClocks.create({ frozen_time: START, name: "node trial" });
  const trialCustomer = await stripe.customers.create({ email: "node-trial@example.com", test_clock: trialClock.id });
  const trialSession = await stripe.checkout.sessions.create({
    mode: "subscription",
    customer: trialCustomer.id,
    line_items: [{ price: credentials.recurring_price, quantity: 1 }],
    subscription_data: { trial_period_days: 14 },
    success_url: "https://merchant.example/done",
  });
  await control("POST", `/control/payments/${trialSession.id}/pay`);
  const paidTrial = await stripe.checkout.sessions.retrieve(trialSession.id);
  const trialing = await stripe.subscriptions.retrieve(paidTrial.subscription, { expand: ["latest_invoice"] });
  const ofTrial = (type) => events.filter((e) => e.type === type && (e.data.object.id === trialing.id || e.data.object.parent?.subscription_details?.subscription === trialing.id));
  await advance(trialClock.id, 14);
  await until(() => ofTrial("invoice.payment_succeeded").length === 1, "the first charge after the trial");
  const afterTrial = await stripe.subscriptions.retrieve(trialing.id);

  console.log(JSON.stringify({
    subscriptionId,
    invoicePaidReasons: paid.map((i) => i.billing_reason),
    renewalPeriodStartDays: paid.slice(1).map((i) => day(i.period_start)),
    cancelAtDay: day(scheduled.cancel_at),
    deletedSubscription: ofType("customer.subscription.deleted")[0].id,
    endedStatus: ended.status,
    endedAtDay: day(ended.ended_at),
    invoicePaidLogged,
    invoicesAfterCancel,
    failingSubscription: failing.id,
    failedAttemptCounts: failed.map((i) => i.attempt_count),
    failedNextAttemptDays: failed.map((i) => day(i.next_payment_attempt)),
    statusesWhileFailing,
    failedLogged,
    declinedCodes: declined.map((c) => c.failure_code),
    refundAmounts: [partial.amount, rest.amount],
    refundedCharges: ofType("charge.refunded").map((c) => ({ id: c.id, amount_refunded: c.amount_refunded, refunded: c.refunded })),
    chargeId: charge.id,
    alreadyRefunded,
    tamperRejected,
    loggedTypes: logged.map((e) => e.type).reverse(),
    eventsLogged: logged.length,
    clockDeleted: deleted.deleted,
    clockGoneStatus,
    trialPaymentStatus: paidTrial.payment_status,
    trialStatus: trialing.status,
    trialDays: day(trialing.trial_end) - day(trialing.trial_start),
    trialInvoice: [trialing.latest_invoice.billing_reason, trialing.latest_invoice.amount_paid, trialing.latest_invoice.status],
    trialWillEndDays: ofTrial("customer.subscription.trial_will_end").map((e) => day(e.data.object.trial_end)),
    trialFirstCharge: ofTrial("invoice.payment_succeeded").map((e) => [e.data.object.billing_reason, e.data.object.amount_paid, day(e.data.object.period_start)])[0],
    trialEndedStatus: afterTrial.status,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  webhooks.close();
}
