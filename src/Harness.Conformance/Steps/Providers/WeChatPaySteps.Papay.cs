using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 委托代扣 (papay) as a membership backend meets it: 预签约, the user signing on the sandbox's signing page,
/// ENTRUST.SIGN / ENTRUST.TERMINATE to contract_notify_url, the contract query, 解约, and 受理扣款 on the contract.
/// </summary>
public sealed partial class WeChatPaySteps
{
    /// <summary>The sandbox's 委托代扣 template (the <c>papay_plan_id</c> credential).</summary>
    private const long PapayPlan = 12535;

    private readonly Dictionary<string, string> _preEntrustwebIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _contractIds = new(StringComparer.Ordinal);

    [When("the merchant asks to sign contract {string} with the QR-code scene")]
    public async Task PreSign(string outContractCode)
    {
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/papay/sign/contracts/pre-entrust-sign", new JsonObject
        {
            ["sign_scene"] = "SIGN_SCENE_QRCODE",
            ["appid"] = Wire.Appid,
            ["plan_id"] = PapayPlan,
            ["out_contract_code"] = outContractCode,
            ["contract_display_account"] = "会员 " + outContractCode,
            ["contract_notify_url"] = _world.Receiver.Url,
            ["out_user_code"] = "user-" + outContractCode,
            ["device_info"] = new JsonObject
            {
                ["device_type"] = "DEVICE_TYPE_PHONE",
                ["device_os"] = "Android 14",
                ["device_id"] = "conformance-device",
                ["device_running_as_root"] = false,
                ["device_ip"] = "203.0.113.9",
                ["weixin_installed"] = true,
                ["weixin_version"] = "8.0.50",
                ["days_since_first_login"] = "DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS",
            },
        });
        if (_world.Last.Status == HttpStatusCode.OK)
        {
            _preEntrustwebIds[outContractCode] = ApiReply.Text(ApiReply.Field(_world.Last.Json, "pre_entrustweb_id"));
        }
    }

    [Then("the answer is 200 with a pre_entrustweb_id and a redirect_url to the signing page")]
    public void PreSigned()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        var id = ApiReply.Text(ApiReply.Field(_world.Last.Json, "pre_entrustweb_id"));
        Check.Equal($"{Wire.BaseUrl}/sandbox/papay/entrust-sign?pre_entrustweb_id={id}", ApiReply.Text(ApiReply.Field(_world.Last.Json, "redirect_url")), "redirect_url");
    }

    [When("the user signs contract {string} on the signing page")]
    public async Task UserSigns(string outContractCode)
    {
        var id = _preEntrustwebIds.TryGetValue(outContractCode, out var found) ? found : throw new AssertionException($"no pre_entrustweb_id was answered for {outContractCode}");
        var page = await _world.SendAsync(HttpMethod.Post, $"{Wire.BaseUrl}/sandbox/papay/entrust-sign?pre_entrustweb_id={id}",
            new FormUrlEncodedContent([new("action", "sign")]));
        Check.Equal(HttpStatusCode.OK, page.Status, $"the signing page ({page.Body})");
    }

    [Then("the contract notify URL receives {string} for {string} whose resource decrypts to contract_state {string}")]
    public async Task ContractNotified(string eventType, string outContractCode, string state)
    {
        var notices = (await _world.ReceivedAsync()).Where(r => SandboxWorld.EventType(r) == eventType).ToList();
        var notice = notices.LastOrDefault(n => (string?)Wire.Resource(n.Body)["out_contract_code"] == outContractCode)
            ?? throw new AssertionException($"the receiver got no {eventType} for {outContractCode} ({notices.Count} for other contracts)");
        Check.That(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature"), notice.Header("Wechatpay-Serial")),
            "the notification does not verify with the key its Wechatpay-Serial names");
        var contract = Wire.Resource(notice.Body);
        Check.Equal(state, (string?)contract["contract_state"], "contract_state");
        _contractIds[outContractCode] = (string?)contract["contract_id"] ?? throw new AssertionException("the contract has no contract_id");
    }

    [Then("querying contract {string} shows contract_state {string}")]
    public async Task ContractQueried(string outContractCode, string state)
    {
        var reply = await CallAsync(HttpMethod.Get, $"/v3/papay/sign/contracts/plan-id/{PapayPlan}/out-contract-code/{outContractCode}");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(reply.Json, "contract_state")), "contract_state");
        Check.Equal(_contractIds.GetValueOrDefault(outContractCode), ApiReply.Text(ApiReply.Field(reply.Json, "contract_id")), "contract_id");
    }

    [When("the merchant deducts {int} fen on contract {string} as {string}")]
    public async Task Deduct(int fen, string outContractCode, string outTradeNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/papay/pay/transactions/apply", new JsonObject
        {
            ["appid"] = Wire.Appid,
            ["out_trade_no"] = outTradeNo,
            ["description"] = "会员续费",
            ["transaction_notify_url"] = _world.Receiver.Url,
            ["contract_id"] = _contractIds.TryGetValue(outContractCode, out var id) ? id : throw new AssertionException($"contract {outContractCode} was never signed"),
            ["amount"] = new JsonObject { ["total"] = fen, ["currency"] = "CNY" },
        });

    [Then("the answer is 200 with out_trade_no {string} and amount {int}")]
    public void DeductionAccepted(string outTradeNo, int fen)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(outTradeNo, ApiReply.Text(ApiReply.Field(_world.Last.Json, "out_trade_no")), "out_trade_no");
        Check.Equal((long)fen, ApiReply.Path(_world.Last.Json, "amount.total").GetInt64(), "amount.total");
    }

    [Then("the notify URL receives TRANSACTION.FAIL for {string} whose resource decrypts to trade_state {string}")]
    public async Task DeductionFailed(string outTradeNo, string state)
    {
        var notice = (await _world.ReceivedAsync()).LastOrDefault(r => SandboxWorld.EventType(r) == "TRANSACTION.FAIL" && (string?)Wire.Resource(r.Body)["out_trade_no"] == outTradeNo)
            ?? throw new AssertionException($"the receiver got no TRANSACTION.FAIL for {outTradeNo}");
        Check.That(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature"), notice.Header("Wechatpay-Serial")),
            "the notification does not verify with the key its Wechatpay-Serial names");
        Check.Equal(state, (string?)Wire.Resource(notice.Body)["trade_state"], "trade_state");
    }

    [When("the merchant terminates contract {string}")]
    public async Task Terminate(string outContractCode) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, $"/v3/papay/sign/contracts/plan-id/{PapayPlan}/out-contract-code/{outContractCode}/terminate",
            new JsonObject { ["contract_termination_remark"] = "会员退订" });

    [Then("the answer is 200 with contract_state {string} terminated by {string}")]
    public void Terminated(string state, string mode)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(_world.Last.Json, "contract_state")), "contract_state");
        Check.Equal(mode, ApiReply.Text(ApiReply.Path(_world.Last.Json, "contract_terminate_info.contract_termination_mode")), "contract_termination_mode");
    }
}
