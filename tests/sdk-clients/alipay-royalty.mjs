// Runs the official alipay-sdk (4.14.0), unmodified, for 交易分账: a receiver bound, a trade paid by a payment code
// with royalty_freeze, alipay.trade.order.settle through exec (the answer's signature checked) and through the v3
// route with curl, the settle query (by exec, and by curl on its v3 GET route with the remaining amount's), and a settle
// above the ratio refused.
// Input (environment): SANDBOX_CONTROL, ALIPAY_BASE, ALIPAY_GATEWAY, ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY (PKCS#8 PEM),
// ALIPAY_PUBLIC_KEY (SPKI PEM).
// Output: one JSON line with what was observed; exit code 1 with the error on any failure.
import assert from "node:assert/strict";
import { AlipaySdk } from "alipay-sdk";

const env = process.env;
const receiver = "2088102177100001";

try {
  const alipay = new AlipaySdk({
    appId: env.ALIPAY_APP_ID,
    privateKey: env.ALIPAY_APP_PRIVATE_KEY,
    keyType: "PKCS8",
    alipayPublicKey: env.ALIPAY_PUBLIC_KEY,
    gateway: env.ALIPAY_GATEWAY,
    endpoint: env.ALIPAY_BASE,
  });

  const bound = await alipay.exec("alipay.trade.royalty.relation.bind", {
    bizContent: { out_request_no: "SDK_BIND_1", receiver_list: [{ type: "userId", account: receiver, memo: "SDK 分账" }] },
  }, { validateSign: true });
  assert.equal(bound.code, "10000", JSON.stringify(bound));

  const paid = await alipay.exec("alipay.trade.pay", {
    bizContent: {
      out_trade_no: "SDK_ROYALTY_1", total_amount: "50.00", subject: "Harness 分账", scene: "bar_code",
      auth_code: "283456789012345678", extend_params: { royalty_freeze: "true" },
    },
  }, { validateSign: true });
  assert.equal(paid.code, "10000", JSON.stringify(paid));
  const tradeNo = paid.tradeNo ?? paid.trade_no;

  const settle = (requestNo, amount) => ({
    out_request_no: requestNo,
    trade_no: tradeNo,
    royalty_parameters: [{ royalty_type: "transfer", trans_in_type: "userId", trans_in: receiver, amount, desc: "SDK 分账" }],
  });
  const settled = await alipay.exec("alipay.trade.order.settle", { bizContent: settle("SDK_S1", "5.00") }, { validateSign: true });
  assert.equal(settled.code, "10000", JSON.stringify(settled));
  const settleNo = settled.settleNo ?? settled.settle_no;
  const queried = await alipay.exec("alipay.trade.order.settle.query", { bizContent: { settle_no: settleNo } }, { validateSign: true });
  const details = queried.royaltyDetailList ?? queried.royalty_detail_list;

  const v3 = await alipay.curl("POST", "/v3/alipay/trade/order/settle", { body: settle("SDK_S2", "10.00") });
  const over = await alipay.exec("alipay.trade.order.settle", { bizContent: settle("SDK_S3", "0.01") }, { validateSign: true });
  const v3Query = await alipay.curl("GET", "/v3/alipay/trade/order/settle/query", { query: { out_request_no: "SDK_S2", trade_no: tradeNo } });
  const v3Left = await alipay.curl("GET", "/v3/alipay/trade/order/onsettle/query", { query: { trade_no: tradeNo, out_request_no: "SDK_ON1" } });

  console.log(JSON.stringify({
    bound: bound.resultCode ?? bound.result_code,
    settleNo,
    amount: details[0].amount,
    state: details[0].state,
    v3Status: v3.responseHttpStatus,
    v3SettleNo: v3.data.settle_no,
    over: over.subCode ?? over.sub_code,
    v3QueryStatus: v3Query.responseHttpStatus,
    v3QueryAmount: v3Query.data.royalty_detail_list[0].amount,
    v3Unsettled: v3Left.data.unsettled_amount,
  }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
}
