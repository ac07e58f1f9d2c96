// Runs wechatpay-node-v3 (2.2.1), unmodified, against a running sandbox: Native placed, paid, verified, queried and
// closed; JSAPI and APP placed and the pay parameters the SDK signs for the client checked at /sandbox/request-payment.
// The SDK is pointed at the sandbox through wechatpay-support.mjs (its documented seam, createHttp()).
// Input (environment): SANDBOX_CONTROL, WECHATPAY_BASE, and the published credentials WECHATPAY_MCHID,
// WECHATPAY_APPID, WECHATPAY_APIV3_KEY, WECHATPAY_MERCHANT_KEY, WECHATPAY_MERCHANT_CERT, WECHATPAY_DESCRIPTION; for a
// merchant on the WeChat Pay public key also WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY, which the SDK (with no
// public-key support of its own) is given the way providers.md §2.6 says: in its serial → key map.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { Pay, sandboxPay } from "./wechatpay-support.mjs";
import { control, receiver } from "./sandbox-support.mjs";


const env = process.env;

// The merchant's notify endpoint: answers 204 and keeps the raw body and headers.
const hooks = await receiver({ status: 204 });

try {
  const pay = sandboxPay();
  if (env.WECHATPAY_PUBLIC_KEY_ID) {
    Pay.certificates[env.WECHATPAY_PUBLIC_KEY_ID] = env.WECHATPAY_PUBLIC_KEY;
  }
  const notifyUrl = hooks.url("/wechatpay/notify");

  const placed = await pay.transactions_native({
    description: env.WECHATPAY_DESCRIPTION,
    out_trade_no: "sdk_order_0001",
    notify_url: notifyUrl,
    amount: { total: 1 },
    attach: "user=alice&pack=starter",
  });
  assert.equal(placed.status, 200, JSON.stringify(placed));
  const before = await pay.query({ out_trade_no: "sdk_order_0001" });

  const payments = await control("GET", "/control/payments?provider=wechatpay");
  const payment = payments.find((p) => p.merchant_reference === "sdk_order_0001");
  await control("POST", `/control/payments/${payment.id}/pay`);
  const hook = await hooks.next();

  // As integrators usually do: the parsed body, which the SDK re-serialises before verifying.
  const verifiedParsed = await pay.verifySign({
    timestamp: hook.headers["wechatpay-timestamp"],
    nonce: hook.headers["wechatpay-nonce"],
    body: JSON.parse(hook.body),
    serial: hook.headers["wechatpay-serial"],
    signature: hook.headers["wechatpay-signature"],
    apiSecret: env.WECHATPAY_APIV3_KEY,
  });
  const verifiedRaw = await pay.verifySign({
    timestamp: hook.headers["wechatpay-timestamp"],
    nonce: hook.headers["wechatpay-nonce"],
    body: hook.body,
    serial: hook.headers["wechatpay-serial"],
    signature: hook.headers["wechatpay-signature"],
  });
  const resource = JSON.parse(hook.body).resource;
  const transaction = pay.decipher_gcm(resource.ciphertext, resource.associated_data, resource.nonce, env.WECHATPAY_APIV3_KEY);
  const after = await pay.query({ transaction_id: transaction.transaction_id });

  await pay.transactions_native({ description: "to close", out_trade_no: "sdk_order_0002", notify_url: notifyUrl, amount: { total: 5 } });
  const closed = await pay.close("sdk_order_0002");
  const closedQuery = await pay.query({ out_trade_no: "sdk_order_0002" });

  // JSAPI and APP: the SDK builds the client's pay parameters itself; the sandbox's request-payment checks them.
  async function requestPayment(parameters) {
    const res = await fetch(env.WECHATPAY_BASE + "/sandbox/request-payment", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(parameters),
    });
    return { status: res.status, ...(await res.json()) };
  }
  const jsapi = await pay.transactions_jsapi({
    description: "jsapi", out_trade_no: "sdk_order_0003", notify_url: notifyUrl, amount: { total: 1 }, payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
  });
  assert.equal(jsapi.status, 200, JSON.stringify(jsapi));
  const app = await pay.transactions_app({ description: "app", out_trade_no: "sdk_order_0004", notify_url: notifyUrl, amount: { total: 1 } });
  assert.equal(app.status, 200, JSON.stringify(app));

  console.log(JSON.stringify({
    jsapiPayment: await requestPayment(jsapi.data),
    appPayment: await requestPayment(app.data),
    codeUrl: placed.data.code_url,
    notificationSerial: hook.headers["wechatpay-serial"],
    before: before.data.trade_state,
    verifiedParsed,
    verifiedRaw,
    reserialisedEqualsRaw: JSON.stringify(JSON.parse(hook.body)) === hook.body,
    transaction,
    after: after.data.trade_state,
    closeStatus: closed.status,
    closedState: closedQuery.data.trade_state,
  }));
  hooks.close();
} catch (error) {
  console.error(error?.stack ?? String(error));
  hooks.close();
  process.exit(1);
}
