using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.WeChatPay;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPapayScheduleTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPapayTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPartnerTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 委托代扣 for the 服务商 over HTTP: a sub-merchant's contract pre-signed on the partner routes (sp_appid, sub_mchid,
/// sub_appid, sp_openid / sub_openid), signed on the same page, queried, deducted as a partner PAP order, refunded with
/// its sub_mchid and terminated, with the ENTRUST and TRANSACTION notifications in the partner shape; the partner
/// 预约扣费, 扣费预通知 and 重试扣费通知; the sub-merchant checks; and a restart.
/// </summary>
public sealed class WeChatPayPapayPartnerTests
{
    private const string SubAppid = "wx8888888888888888";
    private const string SubOpenid = "o-sub-user-0001";

    private static JsonObject PartnerPreSign(Desk desk, string outContractCode, string subMchid = SubMchid) => new()
    {
        ["sp_appid"] = desk.Wire.Appid,
        ["sub_mchid"] = subMchid,
        ["sub_appid"] = SubAppid,
        ["sub_openid"] = SubOpenid,
        ["plan_id"] = WeChatPayProvider.PapayPlanId,
        ["out_contract_code"] = outContractCode,
        ["contract_display_account"] = "特约会员 Carol",
        ["contract_notify_url"] = desk.Receiver.Url,
        ["out_user_code"] = "carol",
    };

    private static JsonObject PartnerDeduction(Desk desk, string outTradeNo, string contractId, long total, string subMchid = SubMchid)
    {
        var deduction = desk.Deduction(outTradeNo, contractId, total);
        deduction.Remove("appid");
        deduction["sp_appid"] = desk.Wire.Appid;
        deduction["sub_mchid"] = subMchid;
        return deduction;
    }

    private static string ContractPath(string outContractCode) =>
        $"/v3/papay/sign/partner/contracts/plan-id/{WeChatPayProvider.PapayPlanId}/out-contract-code/{outContractCode}";

    /// <summary>The mini-program 预签约 on the partner route and the user's signature: the ENTRUST.SIGN contract.</summary>
    private static async Task<JsonObject> PartnerSignedAsync(Desk desk, string outContractCode, JsonObject? request = null, string route = "mini-program")
    {
        var answer = await desk.PreSignedAsync(request ?? PartnerPreSign(desk, outContractCode), $"/v3/papay/scheduled-deduct-sign/partner/contracts/pre-entrust-sign/{route}");
        Assert.Equal(HttpStatusCode.OK, (await desk.UserAsync(Text(answer, "pre_entrustweb_id"), "sign")).Status);
        var (eventType, contract) = await desk.NoticeAsync("papay");
        Assert.Equal("ENTRUST.SIGN", eventType);
        return contract;
    }

    private static (HttpStatusCode, string) Refusal((HttpStatusCode Status, string Body, JsonObject? Json) answer) => (answer.Status, Text(answer.Json, "code"));

    [Fact]
    public async Task A_sub_merchants_contract_is_signed_deducted_refunded_and_terminated_with_partner_notifications()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var contract = await PartnerSignedAsync(desk, "spMember1");
        Assert.Equal((desk.Wire.Mchid, desk.Wire.Appid, SubMchid, SubAppid, SubOpenid, "SIGNED"),
            (Text(contract, "sp_mchid"), Text(contract, "sp_appid"), Text(contract, "sub_mchid"), Text(contract, "sub_appid"), Text(contract, "sub_openid"), Text(contract, "contract_state")));
        Assert.False(string.IsNullOrEmpty(Text(contract, "sp_openid")));
        Assert.Null(contract["mchid"]);
        Assert.Null(contract["deduct_schedule"]);
        var contractId = Text(contract, "contract_id");

        // Found under its sub_mchid only: not by the merchant's own routes, nor under another sub-merchant.
        Assert.True(JsonNode.DeepEquals(contract, (await desk.GetAsync($"{ContractPath("spMember1")}?sub_mchid={SubMchid}")).Json));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await desk.GetAsync($"{ContractPath("spMember1")}?sub_mchid={OtherSubMchid}")));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await desk.QueryContractAsync("spMember1")));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await desk.DeductAsync(desk.Deduction("sp_direct", contractId, 100))));

        var (status, body, accepted) = await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(desk, "sp_renew_1", contractId, 2500));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("""{"out_trade_no":"sp_renew_1","amount":{"total":2500,"currency":"CNY"}}""", accepted!.ToJsonString());
        var (eventType, transaction) = await desk.NoticeAsync("transaction");
        Assert.Equal(("TRANSACTION.SUCCESS", "PAP", desk.Wire.Mchid, SubMchid, Text(contract, "sp_openid"), SubOpenid),
            (eventType, Text(transaction, "trade_type"), Text(transaction, "sp_mchid"), Text(transaction, "sub_mchid"),
             Text(transaction["payer"], "sp_openid"), Text(transaction["payer"], "sub_openid")));
        var queried = await desk.GetAsync($"/v3/pay/partner/transactions/out-trade-no/sp_renew_1?sp_mchid={desk.Wire.Mchid}&sub_mchid={SubMchid}");
        Assert.True(JsonNode.DeepEquals(transaction, queried.Json), queried.Body);
        var again = await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(desk, "sp_renew_1", contractId, 2500));
        Assert.Equal((HttpStatusCode.OK, accepted.ToJsonString()), (again.Status, again.Body));

        var refund = await desk.PostAsync("/v3/refund/domestic/refunds", new JsonObject
        {
            ["sub_mchid"] = SubMchid,
            ["out_trade_no"] = "sp_renew_1",
            ["out_refund_no"] = "sp_refund_1",
            ["notify_url"] = desk.Receiver.Url,
            ["amount"] = new JsonObject { ["refund"] = 1000, ["total"] = 2500, ["currency"] = "CNY" },
        });
        Assert.True(refund.Status == HttpStatusCode.OK, refund.Body);
        var (refundEvent, refunded) = await desk.NoticeAsync("refund");
        Assert.Equal(("REFUND.SUCCESS", 1000L, SubMchid), (refundEvent, refunded["amount"]!["refund"]!.GetValue<long>(), Text(refunded, "sub_mchid")));

        var terminated = await desk.PostAsync($"{ContractPath("spMember1")}/terminate", new JsonObject { ["sub_mchid"] = SubMchid, ["contract_termination_remark"] = "特约商户会员退订" });
        Assert.True(terminated.Status == HttpStatusCode.OK, terminated.Body);
        Assert.Equal(("TERMINATED", "MCH_API_TERMINATE"), (Text(terminated.Json, "contract_state"), Text(terminated.Json!["contract_terminate_info"], "contract_termination_mode")));
        var (endEvent, ended) = await desk.NoticeAsync("papay");
        Assert.Equal("ENTRUST.TERMINATE", endEvent);
        Assert.True(JsonNode.DeepEquals(terminated.Json, ended));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(desk, "sp_renew_2", contractId, 2500))));
        Assert.Equal(4, desk.Receiver.All.Count);
    }

    [Fact]
    public async Task The_partner_routes_refuse_unbound_sub_merchants_missing_users_and_other_apps()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        const string jsapi = "/v3/papay/scheduled-deduct-sign/partner/contracts/pre-entrust-sign/jsapi";
        Assert.Equal((HttpStatusCode.Forbidden, "NO_AUTH"), Refusal(await desk.PostAsync(jsapi, PartnerPreSign(desk, "spBad1", "1900009999"))));
        var noUser = PartnerPreSign(desk, "spBad2");
        noUser.Remove("sub_openid");
        var refused = await desk.PostAsync(jsapi, noUser);
        Assert.Equal(("PARAM_ERROR", "sp_openid"), (Text(refused.Json, "code"), Text(refused.Json!["detail"], "field")));
        var noSubAppid = PartnerPreSign(desk, "spBad3");
        noSubAppid.Remove("sub_appid");
        Assert.Equal("sub_appid", Text((await desk.PostAsync(jsapi, noSubAppid)).Json!["detail"], "field"));
        var otherApp = PartnerPreSign(desk, "spBad4");
        otherApp["sp_appid"] = "wx0000000000000000";
        Assert.Equal((HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH"), Refusal(await desk.PostAsync(jsapi, otherApp)));
        var noSub = PartnerPreSign(desk, "spBad5");
        noSub.Remove("sub_mchid");
        Assert.Equal("sub_mchid", Text((await desk.PostAsync(jsapi, noSub)).Json!["detail"], "field"));

        // The JSAPI answer is the signing page, as the merchant's.
        Assert.Equal(new[] { "redirect_url" }, (await desk.PreSignedAsync(PartnerPreSign(desk, "spJsapi1"), jsapi)).Select(p => p.Key));

        var contractId = Text(await PartnerSignedAsync(desk, "spMember2", route: "app"), "contract_id");
        Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR"), Refusal(await desk.GetAsync(ContractPath("spMember2"))));
        Assert.Equal((HttpStatusCode.Forbidden, "NO_AUTH"), Refusal(await desk.GetAsync($"{ContractPath("spMember2")}?sub_mchid=1900009999")));
        Assert.Equal((HttpStatusCode.Forbidden, "NO_AUTH"), Refusal(await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(desk, "sp_unbound", contractId, 100, "1900009999"))));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(desk, "sp_other", contractId, 100, OtherSubMchid))));
        var otherSubApp = PartnerDeduction(desk, "sp_subapp", contractId, 100);
        otherSubApp["sub_appid"] = "wx7777777777777777";
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", otherSubApp)));
        Assert.Equal((HttpStatusCode.Forbidden, "NO_AUTH"), Refusal(await desk.PostAsync($"{ContractPath("spMember2")}/terminate",
            new JsonObject { ["sub_mchid"] = "1900009999", ["contract_termination_remark"] = "x" })));
        Assert.Single(desk.Receiver.All);
    }

    [Fact]
    public async Task A_partner_schedule_is_booked_and_queried_under_its_sub_merchant_and_the_contract_carries_it()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var request = PartnerPreSign(desk, "spConcert1");
        request["deduct_schedule"] = ScheduledPreSign(desk, "unused")["deduct_schedule"]!.DeepClone();
        var contract = await PartnerSignedAsync(desk, "spConcert1", request, "app");
        Assert.Equal(("2026-12-03", 3000L, "NO_SCHEDULED"), (Text(contract["deduct_schedule"], "estimated_deduct_date"),
            contract["deduct_schedule"]!["estimated_deduct_amount"]!["total"]!.GetValue<long>(), Text(contract["deduct_schedule"], "schedule_state")));
        var contractId = Text(contract, "contract_id");
        var schedulePath = $"/v3/papay/pay/partner/schedules/contract-id/{contractId}";
        Assert.Equal("NO_SCHEDULED", Text((await desk.GetAsync($"{schedulePath}?sub_mchid={SubMchid}")).Json, "schedule_state"));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await desk.GetAsync($"/v3/papay/pay/schedules/contract-id/{contractId}")));

        // 2026-12-02 10:00 China: the day before the date.
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        var booking = new JsonObject
        {
            ["sp_appid"] = desk.Wire.Appid,
            ["sub_mchid"] = SubMchid,
            ["schedule_amount"] = new JsonObject { ["total"] = 3000, ["currency"] = "CNY" },
        };
        var (status, body, booked) = await desk.PostAsync($"{schedulePath}/schedule", booking);
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(("SCHEDULED", "2026-12-03"), (Text(booked, "schedule_state"), Text(booked, "deduct_start_date")));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.PostAsync($"{schedulePath}/schedule", booking)));
        Assert.Equal("SCHEDULED", Text((await desk.GetAsync($"{ContractPath("spConcert1")}?sub_mchid={SubMchid}")).Json!["deduct_schedule"], "schedule_state"));

        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, (await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(desk, "sp_concert", contractId, 3000))).Status);
        var notices = await NoticesAsync(desk, 2);
        Assert.Equal(SubMchid, Text(notices["TRANSACTION.SUCCESS"], "sub_mchid"));
        Assert.Equal(("TERMINATED", "SYSTEM_TERMINATE", "PAID"), (Text(notices["ENTRUST.TERMINATE"], "contract_state"),
            Text(notices["ENTRUST.TERMINATE"]["contract_terminate_info"], "contract_termination_mode"), Text(notices["ENTRUST.TERMINATE"]["deduct_schedule"], "schedule_state")));
    }

    [Fact]
    public async Task A_partner_notice_opens_the_cycle_and_a_failed_deduction_may_be_followed_by_a_retry_notice()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var contractId = Text(await PartnerSignedAsync(desk, "spMonthly1"), "contract_id");
        JsonObject Body() => new()
        {
            ["sp_mchid"] = desk.Wire.Mchid,
            ["sp_appid"] = desk.Wire.Appid,
            ["sub_mchid"] = SubMchid,
            ["sub_appid"] = SubAppid,
        };
        var notice = Body();
        notice["estimated_amount"] = new JsonObject { ["amount"] = 4000, ["currency"] = "CNY" };
        var (status, body, _) = await desk.PostAsync($"/v3/partner-papay/contracts/{contractId}/notify", notice);
        Assert.True(status == HttpStatusCode.NoContent, body);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(desk, "sp_wait", contractId, 4000))));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.PostAsync($"/v3/partner-papay/contracts/{contractId}/fail-notify", Body())));

        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(2));
        Assert.Equal(HttpStatusCode.OK, (await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(desk, "sp_short", contractId, 2222))).Status);
        Assert.Equal("TRANSACTION.FAIL", (await desk.NoticeAsync("transaction")).EventType);
        Assert.Equal(HttpStatusCode.NoContent, (await desk.PostAsync($"/v3/partner-papay/contracts/{contractId}/fail-notify", Body())).Status);
        var otherSp = Body();
        otherSp["sp_mchid"] = "1900000000";
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.PostAsync($"/v3/partner-papay/contracts/{contractId}/fail-notify", otherSp)));
        var unbound = notice.DeepClone().AsObject();
        unbound["sub_mchid"] = "1900009999";
        Assert.Equal((HttpStatusCode.Forbidden, "NO_AUTH"), Refusal(await desk.PostAsync($"/v3/partner-papay/contracts/{contractId}/notify", unbound)));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await desk.PostAsync($"/v3/papay/contracts/{contractId}/fail-notify",
            new JsonObject { ["mchid"] = desk.Wire.Mchid, ["appid"] = desk.Wire.Appid })));

        Assert.Equal(HttpStatusCode.OK, (await desk.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(desk, "sp_retry", contractId, 4000))).Status);
        Assert.Equal("TRANSACTION.SUCCESS", (await desk.NoticeAsync("transaction")).EventType);
    }

    [Fact]
    public async Task A_partner_contract_survives_a_restart_and_is_charged_after_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-wechat-papay-partner-" + Guid.NewGuid().ToString("N"));
        await using var receiver = await Receiver.StartAsync("/wechatpay/papay");
        string contractId;
        await using (var first = await Desk.StartAsync(data, receiver))
        {
            contractId = Text(await PartnerSignedAsync(first, "spRestart1"), "contract_id");
            await first.Sandbox.RunDueAsync();
        }

        await using var second = await Desk.StartAsync(data, receiver);
        var queried = (await second.GetAsync($"{ContractPath("spRestart1")}?sub_mchid={SubMchid}")).Json!;
        Assert.Equal((contractId, SubMchid, SubOpenid), (Text(queried, "contract_id"), Text(queried, "sub_mchid"), Text(queried, "sub_openid")));
        Assert.Equal(HttpStatusCode.OK, (await second.PostAsync("/v3/papay/pay/partner/transactions/apply", PartnerDeduction(second, "sp_restart", contractId, 1200))).Status);
        Assert.Equal(SubMchid, Text((await second.NoticeAsync("transaction")).Resource, "sub_mchid"));
    }
}
