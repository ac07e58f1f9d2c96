using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>
    /// WeChat Pay's 委托代扣 (papay) routes: 预签约 (the APP/QR-code route and the 预约扣费 template's APP, H5, JSAPI and
    /// mini-program routes), the contract query and 解约 by plan_id and out_contract_code, 受理扣款 on a contract, 预约扣费
    /// (the booking and its query), 扣费预通知 and 重试扣费通知.
    /// </summary>
    private static Operation[] WeChatPayPapayOperations(string appid)
    {
        const string PlanId = "12535";
        JsonObject PreSign(string outContractCode) => new()
        {
            ["appid"] = appid, ["plan_id"] = 12535, ["out_contract_code"] = outContractCode, ["contract_display_account"] = "Chaos",
            ["contract_notify_url"] = "https://merchant.test/papay",
        };
        static JsonObject WithOpenid(JsonObject request)
        {
            request["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
            return request;
        }

        var preSign = PreSign("chaosPapay1");
        preSign["sign_scene"] = "SIGN_SCENE_QRCODE";
        preSign["out_user_code"] = "chaos";
        preSign["device_info"] = new JsonObject
        {
            ["device_type"] = "DEVICE_TYPE_PHONE", ["device_os"] = "iOS 17", ["device_id"] = "chaos", ["device_running_as_root"] = false,
            ["device_ip"] = "203.0.113.7", ["weixin_installed"] = true, ["weixin_version"] = "8.0.50", ["days_since_first_login"] = "DAYS_SINCE_FIRST_LOGIN_UNKNOW",
        };
        var scheduledPreSign = PreSign("chaosPapay2");
        scheduledPreSign["deduct_schedule"] = new JsonObject
        {
            ["estimated_deduct_date"] = "2099-01-01", ["estimated_deduct_amount"] = new JsonObject { ["total"] = 100, ["currency"] = "CNY" }, ["description"] = "Chaos",
        };
        OperationParameter contractCode = new("out_contract_code", "path", "string");
        OperationParameter contractId = new("contract_id", "path", "string");
        return
        [
            new("POST", "/v3/papay/sign/contracts/pre-entrust-sign", [], preSign, Answers),
            new("POST", "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/app", [], scheduledPreSign, Answers),
            new("POST", "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/h5", [], PreSign("chaosPapay3"), Answers),
            new("POST", "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/jsapi", [], WithOpenid(PreSign("chaosPapay4")), Answers),
            new("POST", "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/mini-program", [], WithOpenid(PreSign("chaosPapay5")), Answers),
            new("GET", $"/v3/papay/sign/contracts/plan-id/{PlanId}/out-contract-code/{{out_contract_code}}", [contractCode], null, Answers),
            new("POST", $"/v3/papay/sign/contracts/plan-id/{PlanId}/out-contract-code/{{out_contract_code}}/terminate", [contractCode],
                new JsonObject { ["contract_termination_remark"] = "chaos" }, Answers),
            new("POST", "/v3/papay/pay/transactions/apply", [], new JsonObject
            {
                ["appid"] = appid, ["out_trade_no"] = "chaos_pap_0001", ["description"] = "Membership", ["transaction_notify_url"] = "https://merchant.test/notify",
                ["contract_id"] = "202612010000000001", ["amount"] = new JsonObject { ["total"] = 100, ["currency"] = "CNY" },
            }, Answers),
            new("POST", "/v3/papay/pay/schedules/contract-id/{contract_id}/schedule", [contractId], new JsonObject
            {
                ["appid"] = appid, ["schedule_amount"] = new JsonObject { ["total"] = 100, ["currency"] = "CNY" },
            }, Answers),
            new("GET", "/v3/papay/pay/schedules/contract-id/{contract_id}", [contractId], null, Answers),
            new("POST", "/v3/papay/contracts/{contract_id}/notify", [contractId], new JsonObject
            {
                ["mchid"] = "1900000109", ["appid"] = appid, ["deduct_duration"] = new JsonObject { ["count"] = 1, ["unit"] = "DAY" },
                ["estimated_amount"] = new JsonObject { ["amount"] = 100, ["currency"] = "CNY" },
            }, Answers),
            new("POST", "/v3/papay/contracts/{contract_id}/fail-notify", [contractId], new JsonObject { ["mchid"] = "1900000109", ["appid"] = appid }, Answers),
        ];
    }
}
