using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

/// <summary>WeChat Pay API v3's direct-merchant routes, each request signed with the merchant key (WECHATPAY2-SHA256-RSA2048).</summary>
public static partial class ProviderCatalog
{
    private static ProviderApi WeChatPay(Uri baseUrl, string mchid, string appid, string serialNo, string privateKeyPem)
    {
        var order = new JsonObject
        {
            ["appid"] = appid, ["mchid"] = mchid, ["description"] = "Credits", ["out_trade_no"] = "chaos_0001",
            ["notify_url"] = "https://merchant.test/notify", ["amount"] = new JsonObject { ["total"] = 100, ["currency"] = "CNY" },
        };
        var refund = new JsonObject
        {
            ["out_trade_no"] = "chaos_0001", ["out_refund_no"] = "chaos_refund_1",
            ["amount"] = new JsonObject { ["refund"] = 1, ["total"] = 100, ["currency"] = "CNY" },
        };
        var sharing = new JsonObject
        {
            ["appid"] = appid, ["transaction_id"] = "4200000000202612050000000001", ["out_order_no"] = "chaos_share_1",
            ["receivers"] = new JsonArray(new JsonObject
            {
                ["type"] = "PERSONAL_OPENID", ["account"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", ["amount"] = 1, ["description"] = "分给合作方",
            }),
            ["unfreeze_unsplit"] = false,
        };
        var mchidQuery = new OperationParameter("mchid", "query", "string");
        var billDate = new OperationParameter("bill_date", "query", "string");

        // The other trade types on their own out_trade_no, so their bodies reach their own field checks.
        JsonObject OrderOf(string outTradeNo, string key, JsonNode value)
        {
            var other = (JsonObject)order.DeepClone();
            other["out_trade_no"] = outTradeNo;
            other[key] = value;
            return other;
        }

        Operation[] operations =
        [
            new("POST", "/v3/pay/transactions/native", [], order, Answers),
            new("POST", "/v3/pay/transactions/jsapi", [], OrderOf("chaos_0002", "payer", new JsonObject { ["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }), Answers),
            new("POST", "/v3/pay/transactions/app", [], OrderOf("chaos_0003", "attach", "app"), Answers),
            new("POST", "/v3/pay/transactions/h5", [], OrderOf("chaos_0004", "scene_info", new JsonObject { ["payer_client_ip"] = "203.0.113.7", ["h5_info"] = new JsonObject { ["type"] = "Wap" } }), Answers),
            new("GET", "/v3/pay/transactions/out-trade-no/{id}", [Id, mchidQuery], null, Answers),
            new("GET", "/v3/pay/transactions/id/{id}", [Id, mchidQuery], null, Answers),
            new("POST", "/v3/pay/transactions/out-trade-no/{id}/close", [Id], new JsonObject { ["mchid"] = mchid }, Answers),
            .. WeChatPayPartnerOperations(mchid, appid),
            .. WeChatPaySharingBillOperations(),
            .. WeChatPayCombineOperations(mchid, appid),
            .. WeChatPayPapayOperations(appid),
            .. WeChatPayPartnerPapayOperations(mchid, appid),
            new("POST", "/v3/refund/domestic/refunds", [], refund, Answers),
            new("GET", "/v3/refund/domestic/refunds/{id}", [Id], null, Answers),
            new("POST", "/v3/refund/domestic/refunds/{id}/apply-abnormal-refund", [Id], new JsonObject { ["out_refund_no"] = "refund_chaos", ["type"] = "MERCHANT_BANK_CARD" }, Answers),
            new("POST", "/v3/profitsharing/receivers/add", [], new JsonObject
            {
                ["appid"] = appid, ["type"] = "PERSONAL_OPENID", ["account"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", ["relation_type"] = "PARTNER",
            }, Answers),
            new("POST", "/v3/profitsharing/receivers/delete", [], new JsonObject { ["appid"] = appid, ["type"] = "PERSONAL_OPENID", ["account"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }, Answers),
            new("POST", "/v3/profitsharing/orders", [], sharing, Answers),
            new("POST", "/v3/profitsharing/orders/unfreeze", [], new JsonObject
            {
                ["transaction_id"] = "4200000000202612050000000001", ["out_order_no"] = "chaos_unfreeze_1", ["description"] = "解冻全部剩余资金",
            }, Answers),
            new("GET", "/v3/profitsharing/orders/{id}", [Id, new("transaction_id", "query", "string")], null, Answers),
            new("GET", "/v3/profitsharing/transactions/{id}/amounts", [Id], null, Answers),
            new("POST", "/v3/profitsharing/return-orders", [], new JsonObject
            {
                ["out_order_no"] = "chaos_share_1", ["out_return_no"] = "chaos_return_1", ["return_mchid"] = "1900000200", ["amount"] = 1, ["description"] = "用户退款",
            }, Answers),
            new("GET", "/v3/profitsharing/return-orders/{id}", [Id, new("out_order_no", "query", "string")], null, Answers),
            new("GET", "/v3/bill/tradebill", [billDate, new("bill_type", "query", "string"), new("tar_type", "query", "string")], null, Answers),
            new("GET", "/v3/bill/fundflowbill", [billDate, new("account_type", "query", "string"), new("tar_type", "query", "string")], null, Answers),
            new("GET", "/v3/billdownload/file", [new("token", "query", "string")], null, Answers),
            new("POST", "/v3/fund-app/mch-transfer/transfer-bills", [], new JsonObject
            {
                ["appid"] = appid, ["out_bill_no"] = "chaosTransfer1", ["transfer_scene_id"] = "1000", ["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                ["transfer_amount"] = 100, ["transfer_remark"] = "Chaos", ["transfer_scene_report_infos"] = new JsonArray(new JsonObject { ["info_type"] = "活动名称", ["info_content"] = "Chaos" }),
            }, Answers),
            new("GET", "/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{id}", [Id], null, Answers),
            new("GET", "/v3/fund-app/mch-transfer/transfer-bills/transfer-bill-no/{id}", [Id], null, Answers),
            new("POST", "/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{id}/cancel", [Id], null, Answers),
            new("GET", "/v3/merchant/fund/balance/{id}", [Id], null, Answers),
            new("POST", "/sandbox/request-merchant-transfer", [], new JsonObject
            {
                ["mchId"] = mchid, ["appId"] = appid, ["package"] = "ABBQO+oYAAABAAAAAAAchaos", ["action"] = "confirm",
            }, Answers),
            new("POST", "/sandbox/request-payment", [], new JsonObject
            {
                ["appId"] = appid, ["timeStamp"] = "1764950400", ["nonceStr"] = "chaos", ["package"] = "prepay_id=wx20261205120000aaaaaaaaaaaaaaaaaaaa",
                ["signType"] = "RSA", ["paySign"] = "c2lnbmF0dXJl",
            }, Answers),
        ];
        var key = RSA.Create();
        key.ImportFromPem(privateKeyPem);

        // Every spoiled request is signed as sent, as a merchant's client signs whatever it sends, so the values
        // reach the checks behind the signature.
        return new ProviderApi("WeChat Pay", baseUrl, operations, AnswerShapes.WeChatPay, (request, _) =>
        {
            var body = request.Content is null ? [] : request.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            byte[] message = [.. Encoding.UTF8.GetBytes($"{request.Method.Method}\n{request.RequestUri!.OriginalString}\n{timestamp}\n{nonce}\n"), .. body, (byte)'\n'];
            var signature = Convert.ToBase64String(key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            request.Headers.TryAddWithoutValidation("Authorization",
                $"WECHATPAY2-SHA256-RSA2048 mchid=\"{mchid}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{serialNo}\",signature=\"{signature}\"");
        }, MalformedInputs.Case);
    }
}
