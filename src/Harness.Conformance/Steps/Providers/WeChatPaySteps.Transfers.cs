using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 商家转账 as a merchant meets it: a transfer-bill waits for the user to confirm in WeChat (the sandbox's
/// <c>POST /sandbox/request-merchant-transfer</c> plays <c>wx.requestMerchantTransfer</c>), the merchant may cancel it
/// until then, and each end is told by MCHTRANSFER.BILL.FINISHED; the operation account's <c>transfer_float</c>
/// bounds what transfers hold.
/// </summary>
public sealed partial class WeChatPaySteps
{
    private readonly Dictionary<string, string> _packages = new(StringComparer.Ordinal);

    /// <summary>
    /// Sets <c>transfer_float</c> so that exactly <paramref name="fen"/> are available whatever earlier scenarios'
    /// transfers hold: a float known for a moment, the balance route's answer, then the float that leaves that much.
    /// </summary>
    [Given("WeChat Pay's operation account has {int} fen available for transfers")]
    public async Task OperationAccountHas(int fen)
    {
        const long Known = 1_000_000_000;
        await _world.ConfigureAsync("wechatpay", new Dictionary<string, string?> { ["transfer_float"] = Known.ToString(CultureInfo.InvariantCulture) });
        var balance = await CallAsync(HttpMethod.Get, "/v3/merchant/fund/balance/OPERATION");
        Check.Equal(HttpStatusCode.OK, balance.Status, $"the operation account's balance ({balance.Body})");
        var held = Known - ApiReply.Field(balance.Json, "available_amount").GetInt64();
        await _world.ConfigureAsync("wechatpay", new Dictionary<string, string?> { ["transfer_float"] = (held + fen).ToString(CultureInfo.InvariantCulture) });
    }

    [Then("the operation account has {int} fen available")]
    public async Task OperationAccountShows(int fen)
    {
        var balance = await CallAsync(HttpMethod.Get, "/v3/merchant/fund/balance/OPERATION");
        Check.Equal(HttpStatusCode.OK, balance.Status, $"status ({balance.Body})");
        Check.Equal((long)fen, ApiReply.Field(balance.Json, "available_amount").GetInt64(), "available_amount");
    }

    [When("the merchant transfers {int} fen to the openid {string} as {string}")]
    public async Task Transfer(int fen, string openid, string outBillNo)
    {
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/fund-app/mch-transfer/transfer-bills", new JsonObject
        {
            ["appid"] = Wire.Appid,
            ["out_bill_no"] = outBillNo,
            ["transfer_scene_id"] = "1000",
            ["openid"] = openid,
            ["transfer_amount"] = fen,
            ["transfer_remark"] = "新会员开户有礼",
            ["notify_url"] = _world.Receiver.Url,
            ["transfer_scene_report_infos"] = new JsonArray(
                new JsonObject { ["info_type"] = "活动名称", ["info_content"] = "新会员有礼" },
                new JsonObject { ["info_type"] = "奖励说明", ["info_content"] = "注册会员抽奖一等奖" }),
        });
        if (_world.Last.Status == HttpStatusCode.OK && _world.Last.Json.TryGetProperty("package_info", out var package))
        {
            _packages[outBillNo] = ApiReply.Text(package);
        }
    }

    [Then("the answer is 200 with transfer state {string} and a package_info")]
    public void TransferWaits(string state)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(_world.Last.Json, "state")), "state");
        Check.That(ApiReply.Text(ApiReply.Field(_world.Last.Json, "package_info")).Length > 0, "package_info is empty");
    }

    [Then("the answer is 200 with transfer state {string}")]
    public void TransferState(string state)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(_world.Last.Json, "state")), "state");
    }

    [When("the user confirms transfer {string} in WeChat")]
    public Task UserConfirms(string outBillNo) => UserAsync(outBillNo, "confirm");

    [When("the user closes the confirm page of transfer {string}")]
    public Task UserCloses(string outBillNo) => UserAsync(outBillNo, "cancel");

    [Then("WeChat hands the page errMsg {string}")]
    public void ClientAnswered(string errMsg) =>
        Check.Equal(errMsg, ApiReply.Text(ApiReply.Field(_world.Last.Json, "errMsg")), $"errMsg ({_world.Last.Body})");

    [When("the merchant cancels transfer {string}")]
    public async Task CancelTransfer(string outBillNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, $"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{outBillNo}/cancel");

    [Then("querying transfer {string} shows state {string}")]
    public async Task TransferQueried(string outBillNo, string state)
    {
        var reply = await CallAsync(HttpMethod.Get, "/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/" + outBillNo);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(reply.Json, "state")), "state");
    }

    [Then("the notify URL receives MCHTRANSFER.BILL.FINISHED for {string} whose resource decrypts to state {string}")]
    public Task TransferFinished(string outBillNo, string state) => TransferNoticeAsync(outBillNo, state, null);

    [Then("the notify URL receives MCHTRANSFER.BILL.FINISHED for {string} whose resource decrypts to state {string} and fail_reason {string}")]
    public Task TransferFailed(string outBillNo, string state, string failReason) => TransferNoticeAsync(outBillNo, state, failReason);

    private async Task UserAsync(string outBillNo, string action)
    {
        var parameters = new JsonObject
        {
            ["mchId"] = Wire.Mchid,
            ["appId"] = Wire.Appid,
            ["package"] = _packages.TryGetValue(outBillNo, out var package) ? package : throw new AssertionException($"no package_info was answered for {outBillNo}"),
            ["action"] = action,
        };
        _world.LastReply = SignedAnswer(await _world.SendAsync(
            HttpMethod.Post, Wire.BaseUrl + "/sandbox/request-merchant-transfer", new StringContent(parameters.ToJsonString(), Encoding.UTF8, "application/json")));
    }

    /// <summary>The transfer's notification among those received: verified, mch_payment, decrypted, with the state (and reason) expected.</summary>
    private async Task TransferNoticeAsync(string outBillNo, string state, string? failReason)
    {
        const string EventType = "MCHTRANSFER.BILL.FINISHED";
        var notices = (await _world.ReceivedAsync()).Where(r => SandboxWorld.ParseJson(r.Body).TryGetProperty("event_type", out var type) && ApiReply.Text(type) == EventType).ToList();
        var notice = notices.FirstOrDefault(n => (string?)Wire.Resource(n.Body)["out_bill_no"] == outBillNo)
            ?? throw new AssertionException($"the receiver got no {EventType} for {outBillNo} ({notices.Count} for other transfers)");
        Check.That(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature"), notice.Header("Wechatpay-Serial")),
            "the notification's Wechatpay-Signature does not verify with the platform certificate");
        Check.Equal("mch_payment", ApiReply.Text(ApiReply.Path(SandboxWorld.ParseJson(notice.Body), "resource.original_type")), "resource.original_type");
        var bill = Wire.Resource(notice.Body);
        Check.Equal(state, (string?)bill["state"], "state");
        Check.Equal(failReason, (string?)bill["fail_reason"], "fail_reason");
    }
}
