using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>WeChat Pay's 服务商 (partner) order routes, for the sandbox's first default sub-merchant.</summary>
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
        ];
    }
}
