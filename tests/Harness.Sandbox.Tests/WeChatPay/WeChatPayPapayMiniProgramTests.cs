using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.WeChatPay;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPapayScheduleTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPapayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// The 预约扣费 template's JSAPI and mini-program 预签约 for the ordinary merchant over HTTP: their answers
/// (<c>redirect_url</c>; <c>pre_entrustweb_id</c>, <c>redirect_appid</c>, <c>redirect_path</c>), the user named by
/// <c>openid</c>, the same signing page and contract as the other scenes, and their refusals.
/// </summary>
public sealed class WeChatPayPapayMiniProgramTests
{
    private const string JsapiPath = "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/jsapi";
    private const string MiniProgramPath = "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/mini-program";
    private const string UserOpenid = "oYobu0MVnQfWpSMOYJz2AHPG_gQw";

    private static JsonObject WithOpenid(JsonObject request)
    {
        request["openid"] = UserOpenid;
        return request;
    }

    private static (HttpStatusCode, string, string?) Refusal((HttpStatusCode Status, string Body, JsonObject? Json) answer) =>
        (answer.Status, Text(answer.Json, "code"), answer.Json!["detail"]?["field"]?.GetValue<string>());

    [Fact]
    public async Task The_JSAPI_pre_signing_answers_the_signing_page_and_the_contract_is_the_users_openid()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var answer = await desk.PreSignedAsync(WithOpenid(ScheduledPreSign(desk, "jsapiSign1")), JsapiPath);
        Assert.Equal(new[] { "redirect_url" }, answer.Select(p => p.Key));
        var url = new Uri(Text(answer, "redirect_url"));
        Assert.Equal(WeChatPayProvider.PapaySignPagePath, url.AbsolutePath);

        // The same 预签约 again answers the same session.
        Assert.Equal(Text(answer, "redirect_url"), Text(await desk.PreSignedAsync(WithOpenid(ScheduledPreSign(desk, "jsapiSign1")), JsapiPath), "redirect_url"));

        Assert.Equal(HttpStatusCode.OK, (await desk.UserAsync(url.Query.Split('=')[1], "sign")).Status);
        var (eventType, contract) = await desk.NoticeAsync("papay");
        Assert.Equal(("ENTRUST.SIGN", UserOpenid, "SIGNED"), (eventType, Text(contract, "openid"), Text(contract, "contract_state")));
        Assert.True(JsonNode.DeepEquals(contract, (await desk.QueryContractAsync("jsapiSign1")).Json));
        Assert.Equal("NO_SCHEDULED", Text((await desk.GetAsync($"/v3/papay/pay/schedules/contract-id/{Text(contract, "contract_id")}")).Json, "schedule_state"));
    }

    [Fact]
    public async Task The_mini_program_pre_signing_answers_the_signing_mini_program_and_a_contract_without_schedule_is_ordinary()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var request = WithOpenid(ScheduledPreSign(desk, "miniSign1"));
        request.Remove("deduct_schedule");
        var answer = await desk.PreSignedAsync(request, MiniProgramPath);
        Assert.Equal(new[] { "pre_entrustweb_id", "redirect_appid", "redirect_path" }, answer.Select(p => p.Key));
        var id = Text(answer, "pre_entrustweb_id");
        Assert.Equal((WeChatPayProvider.PapaySignMiniProgramAppid, $"{WeChatPayProvider.PapaySignMiniProgramPath}?pre_entrustweb_id={id}"),
            (Text(answer, "redirect_appid"), Text(answer, "redirect_path")));

        Assert.Equal(HttpStatusCode.OK, (await desk.UserAsync(id, "sign")).Status);
        var (_, contract) = await desk.NoticeAsync("papay");
        var contractId = Text(contract, "contract_id");

        // Signed without deduct_schedule: an ordinary contract, deducted on 受理扣款 at once.
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("mini_renew_1", contractId, 990))).Status);
        var (eventType, transaction) = await desk.NoticeAsync("transaction");
        Assert.Equal(("TRANSACTION.SUCCESS", UserOpenid), (eventType, Text(transaction["payer"], "openid")));
    }

    [Fact]
    public async Task JSAPI_and_mini_program_pre_signings_without_the_user_or_with_bad_fields_are_refused()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        foreach (var path in new[] { JsapiPath, MiniProgramPath })
        {
            Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR", "openid"), Refusal(await desk.PostAsync(path, ScheduledPreSign(desk, "noUser1"))));
            var otherApp = WithOpenid(ScheduledPreSign(desk, "otherApp1"));
            otherApp["appid"] = "wx0000000000000000";
            Assert.Equal((HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH", null), Refusal(await desk.PostAsync(path, otherApp)));
            var badDate = WithOpenid(ScheduledPreSign(desk, "badDate1", date: "2026/12/03"));
            Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR", "deduct_schedule.estimated_deduct_date"), Refusal(await desk.PostAsync(path, badDate)));
            var late = WithOpenid(ScheduledPreSign(desk, "late1", date: "2026-12-01"));
            Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST", null), Refusal(await desk.PostAsync(path, late)));
            var badCode = WithOpenid(ScheduledPreSign(desk, "with-dash"));
            Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR", "out_contract_code"), Refusal(await desk.PostAsync(path, badCode)));
        }

        Assert.Empty(desk.Receiver.All);
    }
}
