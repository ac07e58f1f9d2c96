// Runs the official stripe package (stripe-node 23.1.0), unmodified, through the sandbox's discounts: a coupon and a
// promotion code for it, a checkout discounted by the code and paid through the control API, the redemption counted,
// and a subscription whose first invoice applies a coupon. coupon.created is verified with stripe.webhooks.constructEvent.
// Input (environment): SANDBOX_CONTROL, STRIPE_BASE; the keys and prices come from GET /control/providers/stripe.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import { control } from "./sandbox-support.mjs";
import { stripeAtSandbox, stripeWebhooks } from "./stripe-webhooks.mjs";

const { stripe, credentials } = await stripeAtSandbox();

const webhooks = await stripeWebhooks(stripe, credentials.webhook_secret);
const { events, until } = webhooks;

try {
  await control("PUT", "/control/providers/stripe/settings", { webhook_url: webhooks.url("/stripe/webhook") });
  const coupon = await stripe.coupons.create({ id: "NODE20", percent_off: 20, duration: "forever" });
  const code = await stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id }, code: "node20" });
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [{ price: credentials.one_time_price, quantity: 10 }],
    discounts: [{ promotion_code: code.id }],
    success_url: "https://merchant.example/ok",
  });
  await control("POST", `/control/payments/${session.id}/pay`);
  const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent", "line_items"] });
  const customer = await stripe.customers.create({ email: "node-discounts@example.com" });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id, items: [{ price: credentials.recurring_price }], discounts: [{ coupon: coupon.id }], expand: ["latest_invoice"],
  });
  await until(() => events.some((e) => e.type === "coupon.created"), "coupon.created");

  console.log(JSON.stringify({
    code: [code.code, code.promotion.coupon],
    session: [session.amount_subtotal, session.amount_total, session.total_details.amount_discount, session.discounts[0].promotion_code === code.id],
    paid: [paid.payment_status, paid.payment_intent.amount, paid.line_items.data[0].amount_discount],
    redeemed: [(await stripe.coupons.retrieve(coupon.id)).times_redeemed, (await stripe.promotionCodes.retrieve(code.id)).times_redeemed],
    invoice: [subscription.latest_invoice.subtotal, subscription.latest_invoice.total, subscription.discounts.length],
    couponEvent: events.find((e) => e.type === "coupon.created").data.object.id,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  webhooks.close();
}
