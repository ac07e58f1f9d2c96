using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>
    /// WeChat Pay's 合单支付 routes: a 合单 of two sub-orders of the merchant itself for each trade type (each on its
    /// own numbers, so every body reaches its own checks), the 合单 query and the close naming both sub-orders.
    /// </summary>
    private static Operation[] WeChatPayCombineOperations(string mchid, string appid)
    {
        JsonObject Sub(string outTradeNo) => new()
        {
            ["mchid"] = mchid, ["attach"] = "chaos", ["out_trade_no"] = outTradeNo, ["description"] = "Credits",
            ["amount"] = new JsonObject { ["total_amount"] = 100, ["currency"] = "CNY" },
        };
        JsonObject Combine(string combineOutTradeNo, string? key = null, JsonNode? value = null)
        {
            var combine = new JsonObject
            {
                ["combine_appid"] = appid, ["combine_mchid"] = mchid, ["combine_out_trade_no"] = combineOutTradeNo,
                ["sub_orders"] = new JsonArray(Sub(combineOutTradeNo + "_a"), Sub(combineOutTradeNo + "_b")),
                ["notify_url"] = "https://merchant.test/notify",
            };
            if (key is not null)
            {
                combine[key] = value;
            }

            return combine;
        }

        var close = new JsonObject
        {
            ["combine_appid"] = appid,
            ["sub_orders"] = new JsonArray(
                new JsonObject { ["mchid"] = mchid, ["out_trade_no"] = "chaos_c0001_a" },
                new JsonObject { ["mchid"] = mchid, ["out_trade_no"] = "chaos_c0001_b" }),
        };
        return
        [
            new("POST", "/v3/combine-transactions/native", [], Combine("chaos_c0001"), Answers),
            new("POST", "/v3/combine-transactions/jsapi", [], Combine("chaos_c0002", "combine_payer_info", new JsonObject { ["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }), Answers),
            new("POST", "/v3/combine-transactions/app", [], Combine("chaos_c0003"), Answers),
            new("POST", "/v3/combine-transactions/h5", [], Combine("chaos_c0004", "scene_info", new JsonObject { ["payer_client_ip"] = "203.0.113.7", ["h5_info"] = new JsonObject { ["type"] = "Wap" } }), Answers),
            new("GET", "/v3/combine-transactions/out-trade-no/{id}", [Id], null, Answers),
            new("POST", "/v3/combine-transactions/out-trade-no/{id}/close", [Id], close, Answers),
        ];
    }
}
