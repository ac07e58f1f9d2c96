// Runs the official stripe package (stripe-node 23.1.0), unmodified, through the sandbox's products and prices as a
// setup script makes them: a product with default_price_data, a price with a lookup key, the key moved to a dearer
// price with transfer_lookup_key, the old price archived, prices listed by lookup key with auto-pagination of products,
// a refused product delete, a checkout for the new price, and the events verified with stripe.webhooks.constructEvent.
// Input (environment): SANDBOX_CONTROL, STRIPE_BASE; the keys come from GET /control/providers/stripe.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import { control } from "./sandbox-support.mjs";
import { stripeAtSandbox, stripeWebhooks } from "./stripe-webhooks.mjs";

const { stripe, credentials } = await stripeAtSandbox();

const webhooks = await stripeWebhooks(stripe, credentials.webhook_secret);
const { events, until } = webhooks;

async function refusal(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return { status: error.statusCode, type: error.type, param: error.param ?? null };
  }
}

try {
  await control("PUT", "/control/providers/stripe/settings", { webhook_url: webhooks.url("/stripe/webhook") });
  const product = await stripe.products.create({
    id: "prod_node_plan", name: "Node plan", metadata: { tier: "pro" },
    default_price_data: { currency: "usd", unit_amount: 1200, recurring: { interval: "month", interval_count: 3 } },
  });
  const first = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 500, lookup_key: "node_credits" });
  const taken = await refusal(() => stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 700, lookup_key: "node_credits" }));
  const dearer = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 700, lookup_key: "node_credits", transfer_lookup_key: true });
  const archived = await stripe.prices.update(first.id, { active: false });
  const byKey = await stripe.prices.list({ lookup_keys: ["node_credits"], expand: ["data.product"] });
  const productIds = [];
  for await (const p of stripe.products.list({ limit: 2 })) productIds.push(p.id);
  const undeletable = await refusal(() => stripe.products.del(product.id));
  const session = await stripe.checkout.sessions.create({
    mode: "payment", line_items: [{ price: byKey.data[0].id, quantity: 3 }], success_url: "https://merchant.example/done",
  });
  const inactive = await refusal(() => stripe.checkout.sessions.create({
    mode: "payment", line_items: [{ price: first.id, quantity: 1 }], success_url: "https://merchant.example/done",
  }));
  await until(() => events.filter((e) => e.type === "price.created").length === 3 && events.filter((e) => e.type === "price.updated").length === 2, "the catalog's events");

  console.log(JSON.stringify({
    product: [product.id, product.default_price !== null, product.metadata.tier],
    defaultPrice: await stripe.prices.retrieve(product.default_price).then((p) => [p.type, p.recurring.interval, p.recurring.interval_count, p.unit_amount]),
    taken,
    byKey: byKey.data.map((p) => [p.id === dearer.id, p.unit_amount, p.product.name]),
    archived: [archived.active, archived.lookup_key],
    productIds,
    undeletable,
    sessionTotal: session.amount_total,
    inactive,
    events: events.filter((e) => e.type.startsWith("product.") || e.type.startsWith("price.")).map((e) => e.type).sort(),
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  webhooks.close();
}
