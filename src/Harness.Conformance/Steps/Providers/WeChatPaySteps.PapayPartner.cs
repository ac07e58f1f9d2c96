using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 委托代扣 for a 服务商 as a platform backend meets it: a sub-merchant's contract pre-signed on the mini-program
/// route, signed on the same page, queried, deducted and terminated with sp_mchid and sub_mchid; and the merchant's
/// 重试扣费通知 after a failed deduction of a 扣费预通知 period.
/// </summary>
public sealed partial class WeChatPaySteps
{
    [When("the 服务商 asks to sign contract {string} for sub-merchant {string} with the mini-program route")]
    public async Task PartnerPreSign(string outContractCode, string subMchid)
    {
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/papay/scheduled-deduct-sign/partner/contracts/pre-entrust-sign/mini-program", new JsonObject
        {
            ["sp_appid"] = Wire.Appid,
            ["sp_openid"] = "oSpUser_" + outContractCode,
            ["sub_mchid"] = subMchid,
            ["plan_id"] = PapayPlan,
            ["out_contract_code"] = outContractCode,
            ["contract_display_account"] = "特约会员 " + outContractCode,
            ["contract_notify_url"] = _world.Receiver.Url,
        });
        if (_world.Last.Status == HttpStatusCode.OK)
        {
            _preEntrustwebIds[outContractCode] = ApiReply.Text(ApiReply.Field(_world.Last.Json, "pre_entrustweb_id"));
        }
    }

    [Then("the answer is 200 with a pre_entrustweb_id and the signing mini-program's redirect_appid and redirect_path")]
    public void PartnerPreSigned()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        var id = ApiReply.Text(ApiReply.Field(_world.Last.Json, "pre_entrustweb_id"));
        Check.That(ApiReply.Text(ApiReply.Field(_world.Last.Json, "redirect_appid")).Length > 0, "redirect_appid is empty");
        Check.That(ApiReply.Text(ApiReply.Field(_world.Last.Json, "redirect_path")).EndsWith("pre_entrustweb_id=" + id, StringComparison.Ordinal),
            "redirect_path does not carry the pre_entrustweb_id");
    }

    [Then("the 服务商's query of contract {string} for sub-merchant {string} shows contract_state {string}")]
    public async Task PartnerContractQueried(string outContractCode, string subMchid, string state)
    {
        var reply = await CallAsync(HttpMethod.Get, $"/v3/papay/sign/partner/contracts/plan-id/{PapayPlan}/out-contract-code/{outContractCode}?sub_mchid={subMchid}");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(reply.Json, "contract_state")), "contract_state");
        Check.Equal(subMchid, ApiReply.Text(ApiReply.Field(reply.Json, "sub_mchid")), "sub_mchid");
        Check.Equal(Wire.Mchid, ApiReply.Text(ApiReply.Field(reply.Json, "sp_mchid")), "sp_mchid");
    }

    [When("the 服务商 deducts {int} fen on contract {string} for sub-merchant {string} as {string}")]
    public async Task PartnerDeduct(int fen, string outContractCode, string subMchid, string outTradeNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/papay/pay/partner/transactions/apply", new JsonObject
        {
            ["sp_appid"] = Wire.Appid,
            ["sub_mchid"] = subMchid,
            ["out_trade_no"] = outTradeNo,
            ["description"] = "特约商户会员续费",
            ["transaction_notify_url"] = _world.Receiver.Url,
            ["contract_id"] = ContractIdOf(outContractCode),
            ["amount"] = new JsonObject { ["total"] = fen, ["currency"] = "CNY" },
        });

    [When("the 服务商 terminates contract {string} for sub-merchant {string}")]
    public async Task PartnerTerminate(string outContractCode, string subMchid) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, $"/v3/papay/sign/partner/contracts/plan-id/{PapayPlan}/out-contract-code/{outContractCode}/terminate",
            new JsonObject { ["sub_mchid"] = subMchid, ["contract_termination_remark"] = "特约商户会员退订" });

    [When("the merchant sends a 重试扣费通知 on contract {string}")]
    public async Task NotifyRetry(string outContractCode) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, $"/v3/papay/contracts/{ContractIdOf(outContractCode)}/fail-notify",
            new JsonObject { ["mchid"] = Wire.Mchid, ["appid"] = Wire.Appid });
}
