using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>
    /// WeChat Pay's 委托代扣 routes for the 服务商: the 预约扣费 template's partner 预签约 (APP, H5, JSAPI, mini-program),
    /// the partner contract query and 解约, 受理扣款, 预约扣费 and its query, 扣费预通知 and 重试扣费通知, with the
    /// sp_appid, sub_mchid bodies and queries that select partner mode.
    /// </summary>
    private static Operation[] WeChatPayPartnerPapayOperations(string mchid, string appid)
    {
        const string SubMchid = "1900000110";
        const string PlanId = "12535";
        JsonObject PreSign(string outContractCode) => new()
        {
            ["sp_appid"] = appid, ["sp_openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", ["sub_mchid"] = SubMchid, ["plan_id"] = 12535,
            ["out_contract_code"] = outContractCode, ["contract_display_account"] = "Chaos", ["contract_notify_url"] = "https://merchant.test/papay",
        };
        OperationParameter contractCode = new("out_contract_code", "path", "string");
        OperationParameter contractId = new("contract_id", "path", "string");
        OperationParameter subMchid = new("sub_mchid", "query", "string");
        JsonObject Party() => new() { ["sp_mchid"] = mchid, ["sp_appid"] = appid, ["sub_mchid"] = SubMchid };
        var notice = Party();
        notice["estimated_amount"] = new JsonObject { ["amount"] = 100, ["currency"] = "CNY" };
        return
        [
            new("POST", "/v3/papay/scheduled-deduct-sign/partner/contracts/pre-entrust-sign/app", [], PreSign("chaosSpPapay1"), Answers),
            new("POST", "/v3/papay/scheduled-deduct-sign/partner/contracts/pre-entrust-sign/h5", [], PreSign("chaosSpPapay2"), Answers),
            new("POST", "/v3/papay/scheduled-deduct-sign/partner/contracts/pre-entrust-sign/jsapi", [], PreSign("chaosSpPapay3"), Answers),
            new("POST", "/v3/papay/scheduled-deduct-sign/partner/contracts/pre-entrust-sign/mini-program", [], PreSign("chaosSpPapay4"), Answers),
            new("GET", $"/v3/papay/sign/partner/contracts/plan-id/{PlanId}/out-contract-code/{{out_contract_code}}", [contractCode, subMchid], null, Answers),
            new("POST", $"/v3/papay/sign/partner/contracts/plan-id/{PlanId}/out-contract-code/{{out_contract_code}}/terminate", [contractCode],
                new JsonObject { ["sub_mchid"] = SubMchid, ["contract_termination_remark"] = "chaos" }, Answers),
            new("POST", "/v3/papay/pay/partner/transactions/apply", [], new JsonObject
            {
                ["sp_appid"] = appid, ["sub_mchid"] = SubMchid, ["out_trade_no"] = "chaos_sp_pap_0001", ["description"] = "Membership",
                ["transaction_notify_url"] = "https://merchant.test/notify", ["contract_id"] = "202612010000000001",
                ["amount"] = new JsonObject { ["total"] = 100, ["currency"] = "CNY" },
            }, Answers),
            new("POST", "/v3/papay/pay/partner/schedules/contract-id/{contract_id}/schedule", [contractId], new JsonObject
            {
                ["sp_appid"] = appid, ["sub_mchid"] = SubMchid, ["schedule_amount"] = new JsonObject { ["total"] = 100, ["currency"] = "CNY" },
            }, Answers),
            new("GET", "/v3/papay/pay/partner/schedules/contract-id/{contract_id}", [contractId, subMchid], null, Answers),
            new("POST", "/v3/partner-papay/contracts/{contract_id}/notify", [contractId], notice, Answers),
            new("POST", "/v3/partner-papay/contracts/{contract_id}/fail-notify", [contractId], Party(), Answers),
        ];
    }
}
