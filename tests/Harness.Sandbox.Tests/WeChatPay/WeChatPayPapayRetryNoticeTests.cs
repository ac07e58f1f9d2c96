using System.Net;
using System.Text.Json.Nodes;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPapayScheduleTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPapayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 重试扣费通知 (<c>POST /v3/papay/contracts/{contract_id}/fail-notify</c>) over HTTP: 204 only after a deduction of the
/// 扣费预通知 cycle failed within its 可扣费期, in the notice hours; the retry then deducts in the same period, up to the
/// estimate; refusals before, after and outside a cycle, and by field and contract.
/// </summary>
public sealed class WeChatPayPapayRetryNoticeTests
{
    private static JsonObject Notice(Desk desk, long amount) => new()
    {
        ["mchid"] = desk.Wire.Mchid,
        ["appid"] = desk.Wire.Appid,
        ["deduct_duration"] = new JsonObject { ["count"] = 3, ["unit"] = "DAY" },
        ["estimated_amount"] = new JsonObject { ["amount"] = amount, ["currency"] = "CNY" },
    };

    private static JsonObject Retry(Desk desk) => new() { ["mchid"] = desk.Wire.Mchid, ["appid"] = desk.Wire.Appid };

    private static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> RetryAsync(Desk desk, string contractId, JsonObject? body = null) =>
        desk.PostAsync($"/v3/papay/contracts/{contractId}/fail-notify", body ?? Retry(desk));

    private static (HttpStatusCode, string) Refusal((HttpStatusCode Status, string Body, JsonObject? Json) answer) => (answer.Status, Text(answer.Json, "code"));

    [Fact]
    public async Task A_retry_notice_follows_a_failed_deduction_in_the_period_and_the_retry_deducts_in_the_same_period()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var contractId = Text(await desk.SignedAsync("retry1001"), "contract_id");

        // No cycle yet, then the waiting days: nothing to retry.
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await RetryAsync(desk, contractId)));
        Assert.Equal(HttpStatusCode.NoContent, (await desk.PostAsync($"/v3/papay/contracts/{contractId}/notify", Notice(desk, 3000))).Status);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await RetryAsync(desk, contractId)));

        // In the period, before any failure: refused; after the user's balance fell short: 204, again 204.
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(2));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await RetryAsync(desk, contractId)));
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("retry_short", contractId, 2222))).Status);
        Assert.Equal("TRANSACTION.FAIL", (await desk.NoticeAsync("transaction")).EventType);
        var (status, body, _) = await RetryAsync(desk, contractId);
        Assert.True(status == HttpStatusCode.NoContent, body);
        Assert.Equal(HttpStatusCode.NoContent, (await RetryAsync(desk, contractId)).Status);

        // The window is unchanged: the next day of the period, still at most the estimate, once.
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("retry_above", contractId, 3001))));
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("retry_paid", contractId, 3000))).Status);
        Assert.Equal("TRANSACTION.SUCCESS", (await desk.NoticeAsync("transaction")).EventType);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await RetryAsync(desk, contractId)));
    }

    [Fact]
    public async Task A_retry_notice_after_the_period_out_of_hours_or_of_bad_fields_is_refused()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var contractId = Text(await desk.SignedAsync("retry2001"), "contract_id");

        // A 预约扣费 contract has no notice cycle.
        var scheduled = Text(await ScheduledContractAsync(desk, "retryConcert1"), "contract_id");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await RetryAsync(desk, scheduled)));
        Assert.Equal(HttpStatusCode.NoContent, (await desk.PostAsync($"/v3/papay/contracts/{contractId}/notify", Notice(desk, 3000))).Status);
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(2));
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("retry2_short", contractId, 2222))).Status);
        Assert.Equal("TRANSACTION.FAIL", (await desk.NoticeAsync("transaction")).EventType);

        var noAppid = Retry(desk);
        noAppid.Remove("appid");
        var missing = await RetryAsync(desk, contractId, noAppid);
        Assert.Equal(("PARAM_ERROR", "appid"), (Text(missing.Json, "code"), Text(missing.Json!["detail"], "field")));
        var otherMchid = Retry(desk);
        otherMchid["mchid"] = "1900000000";
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await RetryAsync(desk, contractId, otherMchid)));
        var otherApp = Retry(desk);
        otherApp["appid"] = "wx0000000000000000";
        Assert.Equal((HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH"), Refusal(await RetryAsync(desk, contractId, otherApp)));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await RetryAsync(desk, "202612010000000000")));

        // 2026-12-03 22:00 China: past the notice hours.
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromHours(12));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await RetryAsync(desk, contractId)));

        // After the period's three days: refused, the next deduction needs a new notice.
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(3));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await RetryAsync(desk, contractId)));
    }
}
