// Runs the official alipay-sdk (4.14.0), unmodified, for the bill link: a trade paid and partly refunded, the sandbox
// clock moved to 09:00 China time the next day, then alipay.data.dataservice.bill.downloadurl.query through exec
// (the answer's signature checked) and through the v3 GET route with curl; the link's zip fetched and its GBK
// entries read.
// Input (environment): SANDBOX_CONTROL, ALIPAY_BASE, ALIPAY_GATEWAY, ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY (PKCS#8 PEM),
// ALIPAY_PUBLIC_KEY (SPKI PEM).
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { inflateRawSync } from "node:zlib";
import { AlipaySdk } from "alipay-sdk";
import { control } from "./sandbox-support.mjs";

const env = process.env;
const gbk = new TextDecoder("gbk");

// The zip's entries from their local headers (the sandbox writes sizes there): name (GBK) → text (GBK).
function unzip(buffer) {
  const entries = {};
  let at = 0;
  while (buffer.readUInt32LE(at) === 0x04034b50) {
    const method = buffer.readUInt16LE(at + 8);
    const size = buffer.readUInt32LE(at + 18);
    const nameLength = buffer.readUInt16LE(at + 26);
    const extraLength = buffer.readUInt16LE(at + 28);
    const name = gbk.decode(buffer.subarray(at + 30, at + 30 + nameLength));
    const start = at + 30 + nameLength + extraLength;
    const data = buffer.subarray(start, start + size);
    entries[name] = gbk.decode(method === 8 ? inflateRawSync(data) : data);
    at = start + size;
  }
  return entries;
}

try {
  const alipay = new AlipaySdk({
    appId: env.ALIPAY_APP_ID,
    privateKey: env.ALIPAY_APP_PRIVATE_KEY,
    keyType: "PKCS8",
    alipayPublicKey: env.ALIPAY_PUBLIC_KEY,
    gateway: env.ALIPAY_GATEWAY,
    endpoint: env.ALIPAY_BASE,
  });

  const precreate = await alipay.exec("alipay.trade.precreate", {
    bizContent: { outTradeNo: "SDK_BILL_1", totalAmount: "12.34", subject: "Harness 对账" },
  }, { validateSign: true });
  const qrCode = precreate.qrCode ?? precreate.qr_code;
  const tradeNo = qrCode.slice(qrCode.lastIndexOf("/") + 1);
  await control("GET", `/pay/${tradeNo}`);
  await control("POST", `/control/payments/${tradeNo}/pay`);
  const refund = await alipay.exec("alipay.trade.refund", { bizContent: { outTradeNo: "SDK_BILL_1", refundAmount: "2.34", outRequestNo: "SDK_R1" } }, { validateSign: true });
  assert.equal(refund.code, "10000", JSON.stringify(refund));

  // The day paid (China time) has its bill from 09:00 the next day.
  const now = new Date((await control("GET", "/control/clock")).now);
  const billDate = new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const ready = Date.parse(`${billDate}T09:00:00+08:00`) + 24 * 3600 * 1000;
  await control("POST", "/control/clock/advance", { seconds: Math.ceil((ready - now.getTime()) / 1000) });

  const answer = await alipay.exec("alipay.data.dataservice.bill.downloadurl.query", { bizContent: { billType: "trade", billDate } }, { validateSign: true });
  assert.equal(answer.code, "10000", JSON.stringify(answer));
  const url = answer.billDownloadUrl ?? answer.bill_download_url;
  const response = await fetch(url);
  assert.equal(response.status, 200);
  const entries = unzip(Buffer.from(await response.arrayBuffer()));
  const names = Object.keys(entries);
  const detail = entries[names.find((n) => n.endsWith("_业务明细.csv"))].trimEnd().split("\r\n");

  const v3 = await alipay.curl("GET", "/v3/alipay/data/dataservice/bill/downloadurl/query", { query: { bill_type: "signcustomer", bill_date: billDate } });
  const missing = await alipay.exec("alipay.data.dataservice.bill.downloadurl.query", { bizContent: { billType: "trade", billDate: "2020-01-01" } }, { validateSign: true });

  console.log(JSON.stringify({
    names,
    title: detail[0],
    rows: detail.filter((line) => !line.startsWith("#")).length - 1,
    totals: detail.filter((line) => line.startsWith("#交易合计") || line.startsWith("#退款合计")),
    v3Status: v3.responseHttpStatus,
    v3Url: v3.data.bill_download_url.includes("bizType=signcustomer"),
    missing: missing.subCode ?? missing.sub_code,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
}
