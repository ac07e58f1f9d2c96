// Creem's catalog calls through the official creem SDK (1.13.0), unmodified: products (create, get, search, update,
// archive), customers (create, retrieve, list, update, their subscriptions, orders and licences, billing-portal
// links), discounts (create, get, search, delete, redeemed on a checkout and its renewals) and licence keys
// (activate, validate, deactivate, list instances). Every answer passes the SDK's strict schemas, every webhook
// creem/webhooks with the webhook secret.
// Input (environment): SANDBOX_CONTROL, CREEM_BASE, CREEM_API_KEY, CREEM_WEBHOOK_SECRET, CREEM_LICENSED_PRODUCT.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { Creem } from "creem";
import { events as creemEvents } from "./creem-events.mjs";
import { control, receiver } from "./sandbox-support.mjs";

const env = process.env;
const hooks = await receiver();

const events = (n) => creemEvents(hooks, n);

// The HTTP status of a call the SDK refuses to complete (it throws CreemError on a 4xx).
async function statusOf(call) {
  try {
    await call();
  } catch (error) {
    return error.statusCode;
  }
  throw new Error("the call succeeded");
}

try {
  await control("PUT", "/control/providers/creem/settings", { webhook_url: hooks.url("/creem/webhook") });
  const creem = new Creem({ apiKey: env.CREEM_API_KEY, serverURL: env.CREEM_BASE });

  // Products: a monthly plan with a credits feature, found by search, repriced, and a one-time product archived.
  const plan = await creem.products.create({
    name: "Team plan", description: "Monthly team plan", price: 2000, currency: "EUR", billingType: "recurring", billingPeriod: "every-month",
    taxMode: "inclusive", taxCategory: "saas",
    features: [{ type: "customerCredits", description: "Monthly credits", customerCredits: { amount: "500", unitLabel: "credits" } }],
  }, "catalog-plan-1");
  const again = await creem.products.create({ name: "Team plan", description: "Monthly team plan", price: 2000, currency: "EUR", billingType: "recurring", billingPeriod: "every-month" }, "catalog-plan-1");
  assert.equal(again.id, plan.id);
  const fetched = await creem.products.get(plan.id);
  const updated = await creem.products.update(plan.id, { price: 2500, name: "Team plan v2" });
  const oneTime = await creem.products.create({ name: "Credits pack", description: "One-time credits", price: 500, currency: "USD", billingType: "onetime" });
  const archived = await creem.products.archive(oneTime.id);
  const activeProducts = await creem.products.search(1, 100, "active");
  const archivedProducts = await creem.products.search(1, 100, "archived");
  const archivedCheckout = await statusOf(() => creem.checkouts.create({ productId: oneTime.id }));

  // Customers: created, found by email, updated, listed.
  const customer = await creem.customers.create({ email: "team@example.com", name: "Team Buyer", externalId: "user_42", metadata: { plan: "team" } });
  const byEmail = await creem.customers.retrieve(undefined, "team@example.com");
  const renamed = await creem.customers.update({ customerId: customer.id, name: "Team Lead" });
  const customers = await creem.customers.list(1, 10);
  const duplicate = await statusOf(() => creem.customers.create({ email: "team@example.com", name: "Again" }));

  // Discounts: 20 % off for two months on the plan, found by code, redeemed on the customer's checkout.
  const discount = await creem.discounts.create({
    name: "Launch", code: "LAUNCH20", type: "percentage", percentage: 20, duration: "repeating", durationInMonths: 2, appliesToProducts: [plan.id], maxRedemptions: 5,
  });
  const byCode = await creem.discounts.get(undefined, "LAUNCH20");
  const found = await creem.discounts.search(1, 10, plan.id, "active", "percentage");
  const checkout = await creem.checkouts.create({ productId: plan.id, discountCode: "LAUNCH20", customer: { id: customer.id } });
  await control("POST", `/control/payments/${checkout.id}/pay`);
  const started = await events(3);
  assert.deepEqual(started.map((e) => e.eventType), ["checkout.completed", "subscription.active", "subscription.paid"]);
  const order = started[0].object.order;
  const subscription = started[1].object;
  const renewals = [];
  for (let i = 0; i < 2; i++) {
    await control("POST", `/control/creem/subscriptions/${subscription.id}/renew`);
    const [paid] = await events(1);
    renewals.push(paid.object.lastTransaction.amount);
  }
  const redeemed = await creem.discounts.get(discount.id);
  const deleted = await creem.discounts.delete(discount.id);
  const deletedCode = await statusOf(() => creem.checkouts.create({ productId: plan.id, discountCode: "LAUNCH20" }));
  const subscriptions = await creem.customers.listSubscriptions(customer.id);
  const orders = await creem.customers.getOrders(customer.id);

  // The billing portal: a link to a page listing the subscription, whose Cancel schedules it like the API's.
  const links = await creem.customers.generateBillingLinks({ customerId: customer.id });
  const portal = await (await fetch(links.customerPortalLink)).text();
  assert.ok(portal.includes(subscription.id), "the portal lists the subscription");
  const form = new URLSearchParams({ subscription_id: subscription.id, action: "cancel" });
  await fetch(links.customerPortalLink, { method: "POST", body: form });
  const [portalCancel] = await events(1);

  // Licence keys: the licensed product's checkout issues one; two instances, one deactivated; a refund disables it.
  const licensed = await creem.checkouts.create({ productId: env.CREEM_LICENSED_PRODUCT, customer: { email: "team@example.com" } });
  await control("POST", `/control/payments/${licensed.id}/pay`);
  const [completed] = await events(1);
  const issued = completed.object.licenseKeys[0];
  assert.equal(completed.object.feature.licenseKey.key, issued.key);
  const laptop = await creem.licenses.activate({ key: issued.key, instanceName: "laptop" });
  const desktop = await creem.licenses.activate({ key: issued.key, instanceName: "desktop" });
  const valid = await creem.licenses.validate({ key: issued.key, instanceId: laptop.instance.id });
  const off = await creem.licenses.deactivate({ key: issued.key, instanceId: desktop.instance.id });
  const instances = await creem.licenses.listInstances(issued.id);
  const licenses = await creem.customers.listLicenses(customer.id);
  await creem.transactions.refund({ transactionId: completed.object.order.transaction });
  await events(1);
  const refundedKey = await creem.licenses.validate({ key: issued.key, instanceId: laptop.instance.id });

  console.log(JSON.stringify({
    product: { id: plan.id, period: fetched.billingPeriod, feature: fetched.features[0].type, credits: fetched.features[0].customerCredits.amount, updatedPrice: updated.price, updatedName: updated.name },
    archivedStatus: archived.status,
    activeHasPlan: activeProducts.result.items.some((p) => p.id === plan.id),
    activeHasArchived: activeProducts.result.items.some((p) => p.id === oneTime.id),
    archivedListed: archivedProducts.result.items.map((p) => p.id),
    archivedCheckout,
    customer: { id: customer.id, byEmail: byEmail.id, renamed: renamed.name, externalId: renamed.externalId, listed: customers.result.items.length, duplicate },
    discount: { code: byCode.code, found: found.result.items.length, status: redeemed.status, redeemCount: redeemed.redeemCount, deletedStatus: deleted.status, deletedCode },
    order: { amount: order.amount, subTotal: order.subTotal, discountAmount: order.discountAmount, discount: order.discount },
    checkoutDiscount: started[0].object.discount,
    subscriptionDiscount: subscription.discount.discountCode,
    renewals,
    customerSubscriptions: subscriptions.items.map((s) => s.id),
    customerOrders: orders.items.length,
    portal: { link: links.customerPortalLink, event: portalCancel.eventType, status: portalCancel.object.status },
    license: {
      status: issued.status, limit: issued.activationLimit, activated: desktop.activation, validStatus: valid.status, validInstance: valid.instance.name,
      deactivated: off.instance.status, activationAfter: off.activation, instances: instances.result.items.map((i) => `${i.name}:${i.status}`),
      customerLicenses: licenses.items.length, refundedStatus: refundedKey.status,
    },
    pending: hooks.pending,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  hooks.close();
}
