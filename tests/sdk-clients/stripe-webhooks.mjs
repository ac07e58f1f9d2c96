// The stripe scripts' merchant endpoint on a free local port: each webhook's raw body is verified with
// stripe.webhooks.constructEvent before anything parses it (a 400 when that fails), and the verified events are kept
// in order of arrival, with their raw bodies and signature headers.
import http from "node:http";
import Stripe from "stripe";
import { control } from "./sandbox-support.mjs";

// The official client pointed at the sandbox's Stripe listener (STRIPE_BASE) with the published secret key. No
// network retries: a sandbox error shows as it is instead of being retried away.
export async function stripeAtSandbox() {
  const { credentials } = await control("GET", "/control/providers/stripe");
  const base = new URL(process.env.STRIPE_BASE);
  const stripe = new Stripe(credentials.secret_key, { host: base.hostname, port: Number(base.port), protocol: "http", maxNetworkRetries: 0 });
  return { stripe, credentials };
}

export async function stripeWebhooks(stripe, secret) {
  const events = [];
  const raw = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        events.push(stripe.webhooks.constructEvent(body, req.headers["stripe-signature"], secret));
        raw.push({ body, header: req.headers["stripe-signature"] });
        res.writeHead(200).end();
      } catch (error) {
        console.error("webhook rejected: " + error.message);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    events,
    raw,
    url: (path) => `http://127.0.0.1:${server.address().port}${path}`,
    // Waits until the verified webhooks satisfy done (deliveries are asynchronous).
    async until(done, what) {
      for (let i = 0; i < 400; i++) {
        if (done()) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`timed out waiting for ${what}; received ${events.map((e) => e.type).join(", ")}`);
    },
    close: () => server.close(),
  };
}
