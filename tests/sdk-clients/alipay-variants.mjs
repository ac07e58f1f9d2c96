// Runs the official alipay-sdk (4.14.0), unmodified, against a running sandbox in one of the app variants the plain
// round trip (alipay-roundtrip.mjs) leaves out. Input (environment): as alipay-roundtrip.mjs, plus ALIPAY_MODE:
//   aes — encryptKey = ALIPAY_ENCRYPT_KEY; gateway calls with needEncrypt, a raw answer checked by hand, v3 with needEncrypt;
//   rsa — signType 'RSA' (RSA-SHA1) for requests, answers and the notify;
//   rotation — certificate mode (ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT, ALIPAY_ROOT_CERT) across a rotation of Alipay's
//   certificate: what the SDK's own checks say, then what Alipay's SDKs do with an SN they do not know (download the
//   certificate with alipay.open.app.alipaycert.download, check it chains to the root, use it).
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { AlipaySdk } from "alipay-sdk";
import { control, receiver } from "./sandbox-support.mjs";

const env = process.env;

// The merchant's notify endpoint: acknowledges with "success"; each notify is read as its form for verification.
const notifies = await receiver({ text: "success" });
const nextNotify = async () => Object.fromEntries(new URLSearchParams((await notifies.next()).body));
const notifyUrl = notifies.url("/alipay/notify");

function sdk(extra) {
  return new AlipaySdk({
    appId: env.ALIPAY_APP_ID,
    privateKey: env.ALIPAY_APP_PRIVATE_KEY,
    keyType: "PKCS8",
    ...(extra.appCertContent ? {} : { alipayPublicKey: env.ALIPAY_PUBLIC_KEY }),
    gateway: env.ALIPAY_GATEWAY,
    endpoint: env.ALIPAY_BASE,
    ...extra,
  });
}

// Precreate (with the given params), scan, pay: the trade_no and the notify the payment sent.
async function payTrade(alipay, outTradeNo, params, options) {
  const precreate = await alipay.exec("alipay.trade.precreate", {
    notifyUrl,
    bizContent: { outTradeNo, totalAmount: "12.30", subject: "Harness SDK 变体" },
    ...params,
  }, options);
  assert.equal(precreate.code, "10000", JSON.stringify(precreate));
  const tradeNo = precreate.qrCode.slice(precreate.qrCode.lastIndexOf("/") + 1);
  await control("GET", `/pay/${tradeNo}`);
  await control("POST", `/control/payments/${tradeNo}/pay`);
  return { tradeNo, notify: await nextNotify() };
}

async function aes() {
  const alipay = sdk({ encryptKey: env.ALIPAY_ENCRYPT_KEY });
  const { tradeNo, notify } = await payTrade(alipay, "SDK_AES_1", { needEncrypt: true });
  const query = await alipay.exec("alipay.trade.query", { bizContent: { tradeNo }, needEncrypt: true });

  // exec() cannot check the signature of an encrypted answer (its slicing looks for an object), so the raw answer to
  // the request the SDK builds is checked as Alipay documents it: over the quoted cipher text, then decrypted.
  const raw = await fetch(env.ALIPAY_GATEWAY, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
    body: alipay.sdkExecute("alipay.trade.query", { bizContent: { outTradeNo: "SDK_AES_1" }, needEncrypt: true }),
  }).then((r) => r.text());
  const answer = JSON.parse(raw);
  const cipher = answer.alipay_trade_query_response;

  const v3 = await alipay.curl("POST", "/v3/alipay/trade/query", { body: { out_trade_no: "SDK_AES_1" }, needEncrypt: true });
  return {
    tradeNo,
    execStatus: query.tradeStatus,
    notifyStatus: notify.trade_status,
    notifyVerified: alipay.checkNotifySign(notify),
    rawIsString: typeof cipher === "string",
    rawVerified: alipay.rsaCheck(`"${cipher}"`, answer.sign, "RSA2"),
    rawStatus: JSON.parse(alipay.aesDecrypt(cipher)).trade_status,
    v3Status: v3.data.trade_status,
  };
}

async function rsa() {
  const alipay = sdk({ signType: "RSA" });
  const { tradeNo, notify } = await payTrade(alipay, "SDK_RSA_1", {}, { validateSign: true });
  const query = await alipay.exec("alipay.trade.query", { bizContent: { tradeNo } }, { validateSign: true });
  const v3 = await alipay.curl("POST", "/v3/alipay/trade/query", { body: { out_trade_no: "SDK_RSA_1" } });
  return {
    tradeNo,
    execStatus: query.tradeStatus,
    notifyStatus: notify.trade_status,
    notifySignType: notify.sign_type,
    notifyVerified: alipay.checkNotifySign(notify),
    tamperedVerified: alipay.checkNotifySign({ ...notify, total_amount: "0.01" }),
    v3Status: v3.data.trade_status,
  };
}

async function rotation() {
  const certificates = { appCertContent: env.ALIPAY_APP_CERT, alipayRootCertContent: env.ALIPAY_ROOT_CERT };
  const before = sdk({ ...certificates, alipayPublicCertContent: env.ALIPAY_PUBLIC_CERT });
  const { tradeNo } = await payTrade(before, "SDK_ROTATE_1", {}, { validateSign: true });
  await control("POST", "/control/alipay/certificates/rotate");

  // The SDK's own checks notice: v3 compares alipay-sn with its certificate's, v2 fails the signature.
  const refusal = (promise) => promise.then(() => "accepted", (error) => error.code ?? error.message);
  const v3Refusal = await refusal(before.curl("POST", "/v3/alipay/trade/query", { body: { out_trade_no: "SDK_ROTATE_1" } }));
  const v2Refusal = await refusal(before.exec("alipay.trade.query", { bizContent: { tradeNo } }, { validateSign: true }));

  // The SN the answer names, from the raw answer to the request the SDK builds.
  const answer = await fetch(env.ALIPAY_GATEWAY, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
    body: before.sdkExecute("alipay.trade.query", { bizContent: { tradeNo } }),
  }).then((r) => r.json());
  const download = await before.exec("alipay.open.app.alipaycert.download", { bizContent: { alipayCertSn: answer.alipay_cert_sn } });
  const pem = Buffer.from(download.alipayCertContent, "base64").toString("utf8");
  const downloaded = new X509Certificate(pem);
  const roots = env.ALIPAY_ROOT_CERT.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g).map((r) => new X509Certificate(r));
  const chained = roots.some((root) => downloaded.checkIssued(root) && downloaded.verify(root.publicKey));

  const after = sdk({ ...certificates, alipayPublicCertContent: pem });
  const query = await after.exec("alipay.trade.query", { bizContent: { tradeNo } }, { validateSign: true });
  const v3 = await after.curl("POST", "/v3/alipay/trade/query", { body: { out_trade_no: "SDK_ROTATE_1" } });
  const next = await payTrade(after, "SDK_ROTATE_2", {}, { validateSign: true });
  return {
    v3Refusal,
    v2Refusal,
    answerSn: answer.alipay_cert_sn,
    chained,
    execStatus: query.tradeStatus,
    v3Status: v3.data.trade_status,
    notifySn: next.notify.alipay_cert_sn,
    notifyVerified: after.checkNotifySign(next.notify),
    oldKeyVerifiesNotify: before.checkNotifySign(next.notify),
  };
}

try {
  const modes = { aes, rsa, rotation };
  assert.ok(modes[env.ALIPAY_MODE], `unknown ALIPAY_MODE ${env.ALIPAY_MODE}`);
  console.log(JSON.stringify(await modes[env.ALIPAY_MODE]()));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  notifies.close();
}
