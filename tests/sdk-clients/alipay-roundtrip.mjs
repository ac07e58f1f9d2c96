// Runs the official alipay-sdk (4.14.0), unmodified, against a running sandbox. Pointed at it with gateway and endpoint.
// Input (environment): SANDBOX_CONTROL, ALIPAY_BASE, ALIPAY_GATEWAY, ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY (PKCS#8 PEM),
// ALIPAY_PUBLIC_KEY (SPKI PEM); or, for certificate mode, ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT and ALIPAY_ROOT_CERT
// (PEM contents) instead of ALIPAY_PUBLIC_KEY.
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { AlipaySdk } from "alipay-sdk";
import { control, receiver } from "./sandbox-support.mjs";

const env = process.env;

// The merchant's notify endpoint: acknowledges with "success"; each notify is read as its form for verification.
const notifies = await receiver({ text: "success" });
const nextNotify = async () => Object.fromEntries(new URLSearchParams((await notifies.next()).body));

try {
  const certificateMode = Boolean(env.ALIPAY_APP_CERT);
  const alipay = new AlipaySdk({
    appId: env.ALIPAY_APP_ID,
    privateKey: env.ALIPAY_APP_PRIVATE_KEY,
    keyType: "PKCS8",
    ...(certificateMode
      ? { appCertContent: env.ALIPAY_APP_CERT, alipayPublicCertContent: env.ALIPAY_PUBLIC_CERT, alipayRootCertContent: env.ALIPAY_ROOT_CERT }
      : { alipayPublicKey: env.ALIPAY_PUBLIC_KEY }),
    gateway: env.ALIPAY_GATEWAY,
    endpoint: env.ALIPAY_BASE,
  });
  const notifyUrl = notifies.url("/alipay/notify");

  const precreate = await alipay.exec("alipay.trade.precreate", {
    notifyUrl,
    bizContent: { outTradeNo: "SDK_ORDER_1", totalAmount: "66.60", subject: "Harness SDK 充值" },
  }, { validateSign: true });
  assert.equal(precreate.code, "10000");
  const qrCode = precreate.qrCode ?? precreate.qr_code;
  const tradeNo = qrCode.slice(qrCode.lastIndexOf("/") + 1);

  const beforeScan = await alipay.exec("alipay.trade.query", { bizContent: { outTradeNo: "SDK_ORDER_1" } }, { validateSign: true });

  // The buyer scans the code (opens the cashier), then pays.
  await control("GET", `/pay/${tradeNo}`);
  const waiting = await alipay.exec("alipay.trade.query", { bizContent: { outTradeNo: "SDK_ORDER_1" } }, { validateSign: true });
  await control("POST", `/control/payments/${tradeNo}/pay`);
  const notify = await nextNotify();
  const notifyVerified = alipay.checkNotifySign(notify);
  const tamperedVerified = alipay.checkNotifySign({ ...notify, total_amount: "0.01" });
  const paid = await alipay.exec("alipay.trade.query", { bizContent: { tradeNo } }, { validateSign: true });

  // v3: the SDK always verifies the answer's alipay-signature.
  const v3 = await alipay.curl("POST", "/v3/alipay/trade/query", { body: { out_trade_no: "SDK_ORDER_1" } });
  let v3ErrorCode = "";
  try {
    await alipay.curl("POST", "/v3/alipay/trade/query", { body: { out_trade_no: "SDK_ORDER_MISSING" } });
  } catch (error) {
    v3ErrorCode = error.code;
  }

  // A mini-program trade (exec, answer signature checked) and a barcode scan refused for the buyer's balance (v3).
  const created = await alipay.exec("alipay.trade.create", {
    bizContent: { outTradeNo: "SDK_JSAPI_1", totalAmount: "12.00", subject: "Harness", productCode: "JSAPI_PAY", buyerId: "2088102177003412" },
  }, { validateSign: true });
  let v3PayErrorCode = "";
  try {
    await alipay.curl("POST", "/v3/alipay/trade/pay", {
      body: { out_trade_no: "SDK_BAR_1", total_amount: "9.90", subject: "Harness", scene: "bar_code", auth_code: "283456789012342222" },
    });
  } catch (error) {
    v3PayErrorCode = error.code;
  }

  console.log(JSON.stringify({
    tradeNo,
    createdCode: created.code,
    createdTradeNo: created.tradeNo ?? created.trade_no,
    v3PayErrorCode,
    qrCode,
    beforeScan: beforeScan.subCode ?? beforeScan.sub_code,
    waitingStatus: waiting.tradeStatus ?? waiting.trade_status,
    notifyStatus: notify.trade_status,
    notifyAmount: notify.total_amount,
    notifyVerified,
    tamperedVerified,
    paidStatus: paid.tradeStatus ?? paid.trade_status,
    paidAmount: paid.totalAmount ?? paid.total_amount,
    v3Status: v3.data.trade_status,
    v3ErrorCode,
    // In certificate mode, what the SDK computed from the certificate files (it sends the first and last; it checks
    // v3 answers' alipay-sn against the second).
    appCertSn: alipay.config.appCertSn ?? null,
    alipayCertSn: alipay.config.alipayCertSn ?? null,
    alipayRootCertSn: alipay.config.alipayRootCertSn ?? null,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  notifies.close();
}
