// Runs the official tappay-nodejs SDK (2.0.11), unmodified, against a running sandbox (providers.md §7.7, §7.8).
// The SDK hard-codes https://sandbox.tappaysdk.com and sets baseURL on the axios 0.17 it resolves; an interceptor
// on that same axios instance points it at the sandbox (axios 0.17 joins baseURL after interceptors run).
// Input (environment): TAPPAY_BASE, TAPPAY_PARTNER_KEY, TAPPAY_MERCHANT_ID, TAPPAY_APP_ID, TAPPAY_APP_KEY.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import TapPay from "tappay-nodejs";

const env = process.env;
const sdkRequire = createRequire(createRequire(import.meta.url).resolve("tappay-nodejs"));
const axios = sdkRequire("axios");
const seen = [];
axios.interceptors.request.use((config) => {
  seen.push(config.url);
  config.baseURL = env.TAPPAY_BASE;
  return config;
});

// The front end's getPrime, as the sandbox simulates it (TPDirect is a browser SDK).
async function prime(card) {
  const res = await fetch(env.TAPPAY_BASE + "/sandbox/get-prime", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": env.TAPPAY_APP_KEY },
    body: JSON.stringify({ app_id: env.TAPPAY_APP_ID, card_number: card, card_expiry: "12/30", card_ccv: "123" }),
  });
  const body = await res.json();
  assert.equal(body.status, 0, JSON.stringify(body));
  return body.prime;
}

const cardholder = { phone_number: "+886923456789", name: "王小明", email: "LittleMing@Wang.com" };

try {
  TapPay.initialize({ partner_key: env.TAPPAY_PARTNER_KEY, env: "sandbox" });

  const firstPrime = await prime("4242424242424242");
  const paid = await TapPay.payByPrime({
    prime: firstPrime, merchant_id: env.TAPPAY_MERCHANT_ID, amount: 1200, currency: "TWD",
    details: "An apple and a pen.", order_number: "NODE-1", cardholder, remember: true,
  });
  assert.equal(paid.status, 0, JSON.stringify(paid));
  assert.ok(paid.card_secret.card_key && paid.card_secret.card_token);

  // Promise style resolves refusals (and HTTP errors) instead of rejecting: the status tells.
  const reused = await TapPay.payByPrime({
    prime: firstPrime, merchant_id: env.TAPPAY_MERCHANT_ID, amount: 1, currency: "TWD", details: "again", cardholder,
  });

  // Callback style for the renewal.
  const renewal = await new Promise((resolve, reject) => TapPay.payByToken({
    card_key: paid.card_secret.card_key, card_token: paid.card_secret.card_token,
    merchant_id: env.TAPPAY_MERCHANT_ID, amount: 1200, currency: "TWD", details: "Monthly renewal",
  }, (error, result) => (error ? reject(error) : resolve(result))));
  assert.equal(renewal.status, 0, JSON.stringify(renewal));

  const refund = await TapPay.refund({ rec_trade_id: paid.rec_trade_id, amount: 200 });
  const records = await TapPay.getRecords({ filters: { rec_trade_id: paid.rec_trade_id } });
  const all = await TapPay.getRecords({ records_per_page: 10, page: 0, order_by: { attribute: "time", is_descending: true } });
  const history = await TapPay.getRecordHistory({ rec_trade_id: paid.rec_trade_id });

  // A card bound without a charge, charged by token, then removed: its token pays nothing after.
  const bound = await TapPay.bindCard({
    prime: await prime("5555555555554444"), merchant_id: env.TAPPAY_MERCHANT_ID, currency: "TWD", cardholder,
  });
  assert.equal(bound.status, 0, JSON.stringify(bound));
  const boundToken = { card_key: bound.card_secret.card_key, card_token: bound.card_secret.card_token };
  const boundPaid = await TapPay.payByToken({ ...boundToken, merchant_id: env.TAPPAY_MERCHANT_ID, amount: 300, currency: "TWD", details: "Bound card" });
  const removed = await TapPay.removeCard(boundToken);
  const afterRemoval = await TapPay.payByToken({ ...boundToken, merchant_id: env.TAPPAY_MERCHANT_ID, amount: 300, currency: "TWD", details: "Bound card" });

  console.log(JSON.stringify({
    paidStatus: paid.status,
    recTradeId: paid.rec_trade_id,
    lastFour: paid.card_info.last_four,
    reusedStatus: reused.status,
    renewalStatus: renewal.status,
    renewalCardIdentifier: renewal.card_identifier === paid.card_identifier,
    refundStatus: refund.status,
    refundAmount: refund.refund_amount,
    recordStatus: records.trade_records[0].record_status,
    refundedAmount: records.trade_records[0].refunded_amount,
    numberOfTransactions: all.number_of_transactions,
    historyActions: history.trade_history.map((h) => h.action),
    boundLastFour: bound.card_info.last_four,
    boundPaidStatus: boundPaid.status,
    removedStatus: removed.status,
    afterRemovalStatus: afterRemoval.status,
    paths: seen,
  }));
  process.exit(0);
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exit(1);
}
