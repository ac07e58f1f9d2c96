// Runs wechatpay-node-v3 (2.2.1), unmodified, for the bills: an order paid and partly refunded, the sandbox clock
// moved to 10:00 China time the next day, then tradebill, fundflowbill and downloadBill, and the SHA1 the apply
// step announced checked on what was downloaded. The SDK is pointed at the sandbox as in wechatpay-roundtrip.mjs;
// downloadBill signs the link's path only when the link is on WeChat's host, so the link is handed to it there
// (the adapter sends it to the sandbox, where the link points).
// Input (environment): SANDBOX_CONTROL, WECHATPAY_BASE, WECHATPAY_MCHID, WECHATPAY_APPID, WECHATPAY_APIV3_KEY,
// WECHATPAY_MERCHANT_KEY, WECHATPAY_MERCHANT_CERT.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { origin, sandboxPay } from "./wechatpay-support.mjs";
import { control } from "./sandbox-support.mjs";

const env = process.env;

try {
  const pay = sandboxPay();

  const placed = await pay.transactions_native({
    description: "Harness bill",
    out_trade_no: "sdk_bill_0001",
    notify_url: "https://merchant.example/notify",
    amount: { total: 2500 },
  });
  assert.equal(placed.status, 200, JSON.stringify(placed));
  const payments = await control("GET", "/control/payments?provider=wechatpay");
  await control("POST", `/control/payments/${payments.find((p) => p.merchant_reference === "sdk_bill_0001").id}/pay`);
  const refund = await pay.refunds({ out_trade_no: "sdk_bill_0001", out_refund_no: "sdk_refund_0001", amount: { refund: 500, total: 2500, currency: "CNY" } });
  assert.equal(refund.status, 200, JSON.stringify(refund));

  // The bill of the day paid (China time) is ready at 10:00 the next day.
  const now = new Date((await control("GET", "/control/clock")).now);
  const china = new Date(now.getTime() + 8 * 3600 * 1000);
  const billDate = china.toISOString().slice(0, 10);
  const ready = Date.parse(`${billDate}T10:00:00+08:00`) + 24 * 3600 * 1000;
  await control("POST", "/control/clock/advance", { seconds: Math.ceil((ready - now.getTime()) / 1000) });

  const trade = await pay.tradebill({ bill_date: billDate, bill_type: "ALL" });
  assert.equal(trade.status, 200, JSON.stringify(trade));
  const downloaded = await pay.downloadBill(trade.data.download_url.replace(env.WECHATPAY_BASE, origin));
  assert.equal(downloaded.status, 200, JSON.stringify(downloaded));
  const tradeHash = createHash("sha1").update(Buffer.from(downloaded.data, "utf8")).digest("hex");

  const fund = await pay.fundflowbill({ bill_date: billDate, account_type: "BASIC" });
  assert.equal(fund.status, 200, JSON.stringify(fund));
  const fundFile = await pay.downloadBill(fund.data.download_url.replace(env.WECHATPAY_BASE, origin));
  const fundHash = createHash("sha1").update(Buffer.from(fundFile.data, "utf8")).digest("hex");

  const none = await pay.tradebill({ bill_date: "2020-01-01" });
  const lines = downloaded.data.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
  console.log(JSON.stringify({
    hashType: trade.data.hash_type,
    tradeHashMatches: tradeHash === trade.data.hash_value,
    fundHashMatches: fundHash === fund.data.hash_value,
    rows: lines.length - 3,
    summary: lines.at(-1),
    fundSummary: fundFile.data.trimEnd().split("\r\n").at(-1),
    oldStatus: none.status,
  }));
} catch (e) {
  console.error(e?.stack ?? e);
  process.exit(1);
}
