using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Alipay's v3 REST routes, each request signed as alipay-sdk's <c>curl()</c> signs it in certificate mode (the
/// <c>ALIPAY-SHA256withRSA</c> authorization over the method, path and query and the body as sent, with
/// <c>app_cert_sn</c> and the <c>alipay-root-cert-sn</c> header), so the fund routes take it too.
/// </summary>
public static partial class ProviderCatalog
{
    private static ProviderApi AlipayV3(Uri baseUrl, string appId, string privateKeyPem, (string App, string Root) certSns)
    {
        static OperationParameter Query(string name) => new(name, "query", "string");
        var trade = "2026120422001234567890123456";
        var rule = new JsonObject { ["period_type"] = "MONTH", ["period"] = 1, ["execute_time"] = "2026-12-20", ["single_amount"] = "10.00" };
        Operation[] operations =
        [
            new("POST", "/v3/alipay/trade/precreate", [], new JsonObject { ["out_trade_no"] = "chaos_v3_1", ["total_amount"] = "1.00", ["subject"] = "Credits" }, Answers),
            new("POST", "/v3/alipay/trade/create", [], new JsonObject
            {
                ["out_trade_no"] = "chaos_v3_2", ["total_amount"] = "1.00", ["subject"] = "Credits", ["product_code"] = "JSAPI_PAY", ["buyer_id"] = "2088102177003412",
                ["agreement_sign_params"] = new JsonObject
                {
                    ["personal_product_code"] = "CYCLE_PAY_AUTH_P", ["sign_scene"] = "INDUSTRY|DIGITAL_MEDIA", ["external_agreement_no"] = "chaos_v3_a",
                    ["access_params"] = new JsonObject { ["channel"] = "ALIPAYAPP" }, ["period_rule_params"] = rule.DeepClone(),
                },
            }, Answers),
            new("POST", "/v3/alipay/trade/pay", [], new JsonObject { ["out_trade_no"] = "chaos_v3_3", ["total_amount"] = "1.00", ["subject"] = "Credits", ["scene"] = "bar_code", ["auth_code"] = "283456789012345678" }, Answers),
            new("POST", "/v3/alipay/trade/query", [], new JsonObject { ["out_trade_no"] = "chaos_v3_1" }, Answers),
            new("POST", "/v3/alipay/trade/close", [], new JsonObject { ["out_trade_no"] = "chaos_v3_1" }, Answers),
            new("POST", "/v3/alipay/trade/cancel", [], new JsonObject { ["out_trade_no"] = "chaos_v3_1" }, Answers),
            new("POST", "/v3/alipay/trade/refund", [], new JsonObject { ["out_trade_no"] = "chaos_v3_3", ["refund_amount"] = "0.50", ["out_request_no"] = "r1" }, Answers),
            new("POST", "/v3/alipay/fund/trans/uni/transfer", [], new JsonObject
            {
                ["out_biz_no"] = "chaos_v3_t1", ["trans_amount"] = "1.00", ["product_code"] = "TRANS_ACCOUNT_NO_PWD", ["biz_scene"] = "DIRECT_TRANSFER",
                ["payee_info"] = new JsonObject { ["identity"] = "2088102177009999", ["identity_type"] = "ALIPAY_USER_ID" },
            }, Answers),
            new("GET", "/v3/alipay/fund/trans/common/query", [Query("order_id")], null, Answers),
            new("GET", "/v3/alipay/fund/account/query", [Query("alipay_user_id"), Query("account_type")], null, Answers),
            new("GET", "/v3/alipay/data/dataservice/bill/downloadurl/query", [Query("bill_type"), Query("bill_date")], null, Answers),
            new("GET", "/v3/alipay/user/agreement/query", [Query("agreement_no"), Query("personal_product_code"), Query("external_agreement_no")], null, Answers),
            new("POST", "/v3/alipay/user/agreement/unsign", [], new JsonObject { ["agreement_no"] = "20260000000000000001" }, Answers),
            new("POST", "/v3/alipay/user/agreement/transfer", [], new JsonObject
            {
                ["agreement_no"] = "20260000000000000001", ["target_product_code"] = "CYCLE_PAY_AUTH_P", ["period_rule_params"] = rule.DeepClone(),
            }, Answers),
            new("POST", "/v3/alipay/user/agreement/executionplan/modify", [], new JsonObject { ["agreement_no"] = "20260000000000000001", ["deduct_time"] = "2026-12-20" }, Answers),
            new("POST", "/v3/alipay/trade/royalty/relation/bind", [], new JsonObject
            {
                ["out_request_no"] = "chaos_v3_b1", ["receiver_list"] = new JsonArray(new JsonObject { ["type"] = "userId", ["account"] = "2088102177100001" }),
            }, Answers),
            new("POST", "/v3/alipay/trade/royalty/relation/unbind", [], new JsonObject
            {
                ["out_request_no"] = "chaos_v3_b2", ["receiver_list"] = new JsonArray(new JsonObject { ["type"] = "userId", ["account"] = "2088102177100001" }),
            }, Answers),
            new("POST", "/v3/alipay/trade/royalty/relation/batchquery", [], new JsonObject { ["out_request_no"] = "chaos_v3_b3", ["page_num"] = 1, ["page_size"] = 20 }, Answers),
            new("GET", "/v3/alipay/trade/royalty/rate/query", [Query("out_request_no")], null, Answers),
            new("POST", "/v3/alipay/trade/order/settle", [], new JsonObject
            {
                ["out_request_no"] = "chaos_v3_s1", ["trade_no"] = trade, ["royalty_mode"] = "async",
                ["royalty_parameters"] = new JsonArray(new JsonObject { ["trans_in"] = "2088000000000503", ["amount"] = "0.10" }),
            }, Answers),
            new("GET", "/v3/alipay/trade/order/settle/query", [Query("settle_no"), Query("out_request_no"), Query("trade_no")], null, Answers),
            new("GET", "/v3/alipay/trade/order/onsettle/query", [Query("trade_no"), Query("out_request_no")], null, Answers),
        ];
        var key = RSA.Create();
        key.ImportFromPem(privateKeyPem);

        // Every spoiled request is signed as sent, as the SDK signs whatever it sends, so the values reach the checks behind the signature.
        return new ProviderApi("Alipay v3", baseUrl, operations, AnswerShapes.AlipayV3, (request, _) =>
        {
            // Decoded as UTF-8 whatever charset the case claims, as the sandbox reads the body it verifies.
            var body = request.Content is null ? "" : Encoding.UTF8.GetString(request.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult());
            var target = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.PathAndQuery : request.RequestUri.OriginalString;
            var authString = $"app_id={appId},app_cert_sn={certSns.App},nonce={Convert.ToHexString(RandomNumberGenerator.GetBytes(16))},timestamp={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
            var signature = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes($"{authString}\n{request.Method.Method}\n{target}\n{body}\n"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            request.Headers.TryAddWithoutValidation("authorization", $"ALIPAY-SHA256withRSA {authString},sign={signature}");
            request.Headers.TryAddWithoutValidation("alipay-root-cert-sn", certSns.Root);
        }, MalformedInputs.Case);
    }
}
