// Runs the official creem SDK (1.13.0), unmodified, against a running sandbox. Pointed at it with serverURL.
// Input (environment): SANDBOX_CONTROL, CREEM_BASE, CREEM_API_KEY, CREEM_WEBHOOK_SECRET, CREEM_PRODUCT, CREEM_RECURRING_PRODUCT.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { Creem } from "creem";
import { constructWebhookEventEntity } from "creem/webhooks.js";
import { control, receiver } from "./sandbox-support.mjs";

const env = process.env;
// The merchant's webhook endpoint: answers 200 and keeps the raw body for verification.
const hooks = await receiver();

try {
  await control("PUT", "/control/providers/creem/settings", { webhook_url: hooks.url("/creem/webhook") });
  const creem = new Creem({ apiKey: env.CREEM_API_KEY, serverURL: env.CREEM_BASE });

  const checkout = await creem.checkouts.create({
    productId: env.CREEM_PRODUCT,
    requestId: "ref_creem_1",
    successUrl: "https://merchant.example/thanks",
    customer: { email: "payer@example.com" },
    metadata: { username: "alice", quota: 500000 },
  });
  assert.equal(checkout.status, "pending");
  assert.equal(checkout.mode, "test");
  assert.equal(checkout.requestId, "ref_creem_1");
  assert.ok(checkout.checkoutUrl.startsWith(env.SANDBOX_CONTROL + "/pay/"));

  const retrieved = await creem.checkouts.retrieve(checkout.id);
  assert.equal(retrieved.id, checkout.id);

  const paid = await control("POST", `/control/payments/${checkout.id}/pay`);
  const hook = await hooks.next();
  const event = await constructWebhookEventEntity(hook.body, hook.headers, env.CREEM_WEBHOOK_SECRET);
  assert.equal(event.eventType, "checkout.completed");
  assert.equal(event.object.id, checkout.id);
  assert.equal(event.object.order.amount, 1000);
  assert.equal(event.object.customer.email, "payer@example.com");

  const completed = await creem.checkouts.retrieve(checkout.id);
  assert.equal(completed.status, "completed");

  // A subscription checkout: checkout.completed, subscription.active and subscription.paid, each strictly validated.
  const recurring = await creem.checkouts.create({ productId: env.CREEM_RECURRING_PRODUCT, requestId: "sub_ref_1" });
  await control("POST", `/control/payments/${recurring.id}/pay`);
  const subscriptionEvents = [];
  for (let i = 0; i < 3; i++) {
    const h = await hooks.next();
    subscriptionEvents.push((await constructWebhookEventEntity(h.body, h.headers, env.CREEM_WEBHOOK_SECRET)).eventType);
  }

  // A tampered body must not verify.
  let tamperRejected = false;
  try {
    await constructWebhookEventEntity(hook.body.replace("1000", "1001"), hook.headers, env.CREEM_WEBHOOK_SECRET);
  } catch {
    tamperRejected = true;
  }

  let notFoundStatus = 0;
  try {
    await creem.checkouts.create({ productId: "prod_missing" });
  } catch (error) {
    notFoundStatus = error.statusCode;
  }

  console.log(JSON.stringify({
    checkoutId: checkout.id,
    redirect: paid.redirect_url,
    completedStatus: completed.status,
    subscriptionEvents,
    tamperRejected,
    notFoundStatus,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  hooks.close();
}
