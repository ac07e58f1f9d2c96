using System.Net;
using System.Text.Json.Nodes;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPapayScheduleTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPapayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 扣费预通知 (<c>POST /v3/papay/contracts/{contract_id}/notify</c>) over HTTP: 204, the notice day and the next as the
/// waiting period, then one deduction of at most the estimated amount within the notice's days; the same notice again
/// changes nothing; refusals by time of day, field, contract and template.
/// </summary>
public sealed class WeChatPayPapayScheduleNoticeTests
{
    private static JsonObject Notice(Desk desk, long amount, int? days = 2)
    {
        var notice = new JsonObject
        {
            ["mchid"] = desk.Wire.Mchid,
            ["appid"] = desk.Wire.Appid,
            ["estimated_amount"] = new JsonObject { ["amount"] = amount, ["currency"] = "CNY" },
        };
        if (days is { } count)
        {
            notice["deduct_duration"] = new JsonObject { ["count"] = count, ["unit"] = "DAY" };
        }

        return notice;
    }

    private static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> NotifyAsync(Desk desk, string contractId, JsonObject notice) =>
        desk.PostAsync($"/v3/papay/contracts/{contractId}/notify", notice);

    private static (HttpStatusCode, string) Refusal((HttpStatusCode Status, string Body, JsonObject? Json) answer) => (answer.Status, Text(answer.Json, "code"));

    [Fact]
    public async Task A_notice_opens_one_deduction_after_two_waiting_days_up_to_its_amount_within_its_days()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var contractId = Text(await desk.SignedAsync("monthly1001"), "contract_id");

        // Never notified: the contract deducts as before.
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("monthly_free", contractId, 1800))).Status);
        Assert.Equal("TRANSACTION.SUCCESS", (await desk.NoticeAsync("transaction")).EventType);

        var (status, body, _) = await NotifyAsync(desk, contractId, Notice(desk, 1500));
        Assert.True(status == HttpStatusCode.NoContent, body);
        Assert.Equal(HttpStatusCode.NoContent, (await NotifyAsync(desk, contractId, Notice(desk, 1500))).Status);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("monthly_wait_1", contractId, 1500))));
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("monthly_wait_2", contractId, 1500))));

        // The third day opens the period: not above the estimate, and once.
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("monthly_more", contractId, 1501))));
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("monthly_paid", contractId, 1200))).Status);
        var (eventType, paid) = await desk.NoticeAsync("transaction");
        Assert.Equal(("TRANSACTION.SUCCESS", 1200L), (eventType, paid["amount"]!["total"]!.GetValue<long>()));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("monthly_again", contractId, 1200))));

        // A new notice opens the next cycle; its period ends after its days.
        Assert.Equal(HttpStatusCode.NoContent, (await NotifyAsync(desk, contractId, Notice(desk, 1500, days: 1))).Status);
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(3));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("monthly_over", contractId, 1500))));
        Assert.Equal(2, desk.Receiver.All.Count(n => JsonNode.Parse(n.Body)!["event_type"]!.GetValue<string>() == "TRANSACTION.SUCCESS"));
    }

    [Fact]
    public async Task A_failed_deduction_in_the_period_may_be_retried()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var contractId = Text(await desk.SignedAsync("monthly2001"), "contract_id");
        Assert.Equal(HttpStatusCode.NoContent, (await NotifyAsync(desk, contractId, Notice(desk, 5000, days: null))).Status);
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(2));
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("monthly_short", contractId, 2222))).Status);
        Assert.Equal("TRANSACTION.FAIL", (await desk.NoticeAsync("transaction")).EventType);

        // Without deduct_duration the period is WeChat's default seven days: the last one still deducts.
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(6));
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("monthly_retry", contractId, 2000))).Status);
        Assert.Equal("TRANSACTION.SUCCESS", (await desk.NoticeAsync("transaction")).EventType);
    }

    [Fact]
    public async Task Notices_out_of_hours_of_bad_fields_and_on_the_wrong_contracts_are_refused()
    {
        // 2026-12-01 22:00 China: past the hours a notice may be sent.
        await using var desk = await Desk.StartAsync(now: SigningMorning.AddHours(12));
        var contractId = Text(await desk.SignedAsync("monthly3001"), "contract_id");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await NotifyAsync(desk, contractId, Notice(desk, 1500))));
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromHours(9));
        Assert.Equal(HttpStatusCode.NoContent, (await NotifyAsync(desk, contractId, Notice(desk, 1500))).Status);

        var badCount = Notice(desk, 1500, days: 4);
        var counted = await NotifyAsync(desk, contractId, badCount);
        Assert.Equal(("PARAM_ERROR", "deduct_duration.count"), (Text(counted.Json, "code"), Text(counted.Json!["detail"], "field")));
        var noAmount = Notice(desk, 1500);
        noAmount.Remove("estimated_amount");
        Assert.Equal("estimated_amount", Text((await NotifyAsync(desk, contractId, noAmount)).Json!["detail"], "field"));
        var otherMchid = Notice(desk, 1500);
        otherMchid["mchid"] = "1900000000";
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await NotifyAsync(desk, contractId, otherMchid)));
        var otherApp = Notice(desk, 1500);
        otherApp["appid"] = "wx0000000000000000";
        Assert.Equal((HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH"), Refusal(await NotifyAsync(desk, contractId, otherApp)));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await NotifyAsync(desk, "202612010000000000", Notice(desk, 1500))));

        // A 预约扣费 contract takes no notice (WeChat's own wording); a terminated one neither.
        var scheduled = Text(await ScheduledContractAsync(desk, "concert5001"), "contract_id");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await NotifyAsync(desk, scheduled, Notice(desk, 3000))));
        Assert.Equal(HttpStatusCode.OK, (await desk.TerminateAsync("monthly3001")).Status);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await NotifyAsync(desk, contractId, Notice(desk, 1500))));
    }
}
