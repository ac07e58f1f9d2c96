// The creem scripts' webhook reading: the next n webhooks a receiver (sandbox-support.mjs) got, each verified and
// validated against the SDK's schemas by creem/webhooks with CREEM_WEBHOOK_SECRET.
import { constructWebhookEventEntity } from "creem/webhooks.js";

export async function events(hooks, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const hook = await hooks.next();
    out.push(await constructWebhookEventEntity(hook.body, hook.headers, process.env.CREEM_WEBHOOK_SECRET));
  }
  return out;
}
