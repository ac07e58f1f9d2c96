// wechatpay-node-v3 (2.2.1), unmodified, pointed at the sandbox. The SDK hard-codes its host, so it goes through its
// documented seam, createHttp(): an adapter that swaps the origin and hands the request to the SDK's own PayRequest
// (the signed path excludes the host, so signatures stay valid).
// Input (environment): WECHATPAY_BASE and the published credentials WECHATPAY_MCHID, WECHATPAY_APPID,
// WECHATPAY_APIV3_KEY, WECHATPAY_MERCHANT_KEY, WECHATPAY_MERCHANT_CERT.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const Pay = require("wechatpay-node-v3");
const { PayRequest } = require("wechatpay-node-v3/dist/lib/pay-request");

/** The host the SDK calls; links on it go to the sandbox. */
export const origin = "https://api.mch.weixin.qq.com";

class SandboxHttp {
  constructor() { this.inner = new PayRequest(); }
  rewrite(url) { return url.replace(origin, process.env.WECHATPAY_BASE); }
  post(url, params, headers) { return this.inner.post(this.rewrite(url), params, headers); }
  get(url, headers) { return this.inner.get(this.rewrite(url), headers); }
  upload(url, params, headers) { return this.inner.upload(this.rewrite(url), params, headers); }
}

/** The SDK with the published merchant credentials, sending to the sandbox. */
export function sandboxPay() {
  const env = process.env;
  const pay = new Pay({
    appid: env.WECHATPAY_APPID,
    mchid: env.WECHATPAY_MCHID,
    publicKey: Buffer.from(env.WECHATPAY_MERCHANT_CERT),
    privateKey: Buffer.from(env.WECHATPAY_MERCHANT_KEY),
    key: env.WECHATPAY_APIV3_KEY,
  });
  pay.createHttp(new SandboxHttp());
  return pay;
}
