using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>
    /// WeChat Pay's 服务商 (partner) routes for the sandbox's first default sub-merchant: its orders, and the 分账 and
    /// trade-bill routes it shares with direct mode, here with the sub_mchid bodies and queries that select partner mode.
    /// </summary>
    private static Operation[] WeChatPayPartnerOperations(string mchid, string appid)
    {
        const string SubMchid = "1900000110";
        JsonObject Order(string outTradeNo, string? key = null, JsonNode? value = null)
        {
            var order = new JsonObject
            {
                ["sp_appid"] = appid, ["sp_mchid"] = mchid, ["sub_mchid"] = SubMchid, ["description"] = "Credits", ["out_trade_no"] = outTradeNo,
                ["notify_url"] = "https://merchant.test/notify", ["amount"] = new JsonObject { ["total"] = 100, ["currency"] = "CNY" },
            };
            if (key is not null)
            {
                order[key] = value;
            }

            return order;
        }

        OperationParameter[] query = [Id, new("sp_mchid", "query", "string"), new("sub_mchid", "query", "string")];
        return
        [
            new("POST", "/v3/pay/partner/transactions/native", [], Order("chaos_p0001"), Answers),
            new("POST", "/v3/pay/partner/transactions/jsapi", [], Order("chaos_p0002", "payer", new JsonObject { ["sp_openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }), Answers),
            new("POST", "/v3/pay/partner/transactions/app", [], Order("chaos_p0003", "sub_appid", "wx8888888888888888"), Answers),
            new("POST", "/v3/pay/partner/transactions/h5", [], Order("chaos_p0004", "scene_info", new JsonObject { ["payer_client_ip"] = "203.0.113.7", ["h5_info"] = new JsonObject { ["type"] = "Wap" } }), Answers),
            new("GET", "/v3/pay/partner/transactions/out-trade-no/{id}", query, null, Answers),
            new("GET", "/v3/pay/partner/transactions/id/{id}", query, null, Answers),
            new("POST", "/v3/pay/partner/transactions/out-trade-no/{id}/close", [Id], new JsonObject { ["sp_mchid"] = mchid, ["sub_mchid"] = SubMchid }, Answers),
            .. WeChatPayPartnerSharingOperations(appid, SubMchid),
        ];
    }

    private static Operation[] WeChatPayPartnerSharingOperations(string appid, string subMchid)
    {
        const string TransactionId = "4200000000202612050000000002";
        OperationParameter sub = new("sub_mchid", "query", "string");
        return
        [
            new("POST", "/v3/profitsharing/receivers/add", [], new JsonObject
            {
                ["sub_mchid"] = subMchid, ["appid"] = appid, ["sub_appid"] = "wx8888888888888888", ["type"] = "PERSONAL_SUB_OPENID",
                ["account"] = "oSubUser_Chaos000000000001", ["relation_type"] = "PARTNER",
            }, Answers),
            new("POST", "/v3/profitsharing/receivers/delete", [], new JsonObject
            {
                ["sub_mchid"] = subMchid, ["appid"] = appid, ["type"] = "MERCHANT_ID", ["account"] = "1900000200",
            }, Answers),
            new("POST", "/v3/profitsharing/orders", [], new JsonObject
            {
                ["sub_mchid"] = subMchid, ["sub_appid"] = "wx8888888888888888", ["transaction_id"] = TransactionId, ["out_order_no"] = "chaos_pshare_1",
                ["receivers"] = new JsonArray(new JsonObject
                {
                    ["type"] = "PERSONAL_SUB_OPENID", ["account"] = "oSubUser_Chaos000000000001", ["amount"] = 1, ["description"] = "分给合作方",
                }),
                ["unfreeze_unsplit"] = false,
            }, Answers),
            new("POST", "/v3/profitsharing/orders/unfreeze", [], new JsonObject
            {
                ["sub_mchid"] = subMchid, ["transaction_id"] = TransactionId, ["out_order_no"] = "chaos_punfreeze_1", ["description"] = "解冻全部剩余资金",
            }, Answers),
            new("GET", "/v3/profitsharing/orders/{id}", [Id, sub, new("transaction_id", "query", "string")], null, Answers),
            new("POST", "/v3/profitsharing/return-orders", [], new JsonObject
            {
                ["sub_mchid"] = subMchid, ["out_order_no"] = "chaos_pshare_1", ["out_return_no"] = "chaos_preturn_1", ["return_mchid"] = "1900000200",
                ["amount"] = 1, ["description"] = "用户退款",
            }, Answers),
            new("GET", "/v3/profitsharing/return-orders/{id}", [Id, sub, new("out_order_no", "query", "string")], null, Answers),
            new("GET", "/v3/profitsharing/merchant-configs/{id}", [Id], null, Answers),
            new("GET", "/v3/bill/tradebill", [new("bill_date", "query", "string"), sub, new("bill_type", "query", "string")], null, Answers),
        ];
    }
}
