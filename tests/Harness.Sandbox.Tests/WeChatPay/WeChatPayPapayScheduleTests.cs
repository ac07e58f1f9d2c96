using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.WeChatPay;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPapayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 预约扣费 over HTTP with the signed client of the other papay tests: a contract signed with <c>deduct_schedule</c>, the
/// booking the day before in [8:00, 19:30) China time, its query, the deduction on the date through 受理扣款 and the
/// contract ended (SYSTEM_TERMINATE); an undeducted schedule EXPIRED at midnight and its contract ended at 08:00 on the
/// sandbox clock; refusals; and a restart.
/// </summary>
public sealed class WeChatPayPapayScheduleTests
{
    /// <summary>2026-12-01 10:00 China time: the 预签约 is in time for a deduction on 2026-12-03.</summary>
    internal static readonly DateTimeOffset SigningMorning = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    private const string DeductDate = "2026-12-03";

    internal static JsonObject ScheduledPreSign(Desk desk, string outContractCode, string date = DeductDate, long total = 3000) => new()
    {
        ["appid"] = desk.Wire.Appid,
        ["plan_id"] = WeChatPayProvider.PapayPlanId,
        ["out_contract_code"] = outContractCode,
        ["contract_display_account"] = "预约 Alice",
        ["contract_notify_url"] = desk.Receiver.Url,
        ["deduct_schedule"] = new JsonObject
        {
            ["estimated_deduct_date"] = date,
            ["estimated_deduct_amount"] = new JsonObject { ["total"] = total, ["currency"] = "CNY" },
            ["description"] = "演唱会门票预约",
        },
    };

    /// <summary>The 预约扣费 APP 预签约 and the user's signature: the ENTRUST.SIGN contract.</summary>
    internal static async Task<JsonObject> ScheduledContractAsync(Desk desk, string outContractCode, long total = 3000)
    {
        var id = Text(await desk.PreSignedAsync(ScheduledPreSign(desk, outContractCode, total: total), "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/app"), "pre_entrustweb_id");
        Assert.Equal(HttpStatusCode.OK, (await desk.UserAsync(id, "sign")).Status);
        var (eventType, contract) = await desk.NoticeAsync("papay");
        Assert.Equal("ENTRUST.SIGN", eventType);
        return contract;
    }

    private static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> BookAsync(Desk desk, string contractId, long total) =>
        desk.PostAsync($"/v3/papay/pay/schedules/contract-id/{contractId}/schedule", new JsonObject
        {
            ["appid"] = desk.Wire.Appid,
            ["schedule_amount"] = new JsonObject { ["total"] = total, ["currency"] = "CNY" },
        });

    private static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> ScheduleAsync(Desk desk, string contractId) =>
        desk.GetAsync($"/v3/papay/pay/schedules/contract-id/{contractId}");

    private static (HttpStatusCode, string) Refusal((HttpStatusCode Status, string Body, JsonObject? Json) answer) => (answer.Status, Text(answer.Json, "code"));

    /// <summary>The next <paramref name="count"/> notifications, signatures checked, by event type (their order between two sends is not fixed).</summary>
    internal static async Task<Dictionary<string, JsonObject>> NoticesAsync(Desk desk, int count)
    {
        var notices = new Dictionary<string, JsonObject>();
        for (var i = 0; i < count; i++)
        {
            var notice = await desk.Receiver.NextAsync();
            Assert.True(desk.Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature")));
            notices[JsonNode.Parse(notice.Body)!["event_type"]!.GetValue<string>()] = desk.Wire.Resource(notice.Body);
        }

        return notices;
    }

    [Fact]
    public async Task A_schedule_is_booked_the_day_before_deducted_on_its_date_and_the_contract_then_ends()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var contract = await ScheduledContractAsync(desk, "concert1001");
        var contractId = Text(contract, "contract_id");
        Assert.Equal("""{"schedule_state":"NO_SCHEDULED"}""", (await ScheduleAsync(desk, contractId)).Json!.ToJsonString());

        // Two days ahead: neither the booking nor a deduction is open yet.
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await BookAsync(desk, contractId, 3000)));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("concert_early", contractId, 3000))));

        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await BookAsync(desk, contractId, 2999)));
        var (status, body, booked) = await BookAsync(desk, contractId, 3000);
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("""{"schedule_state":"SCHEDULED","deduct_start_date":"2026-12-03","deduct_end_date":"2026-12-03","scheduled_amount":{"total":3000,"currency":"CNY"}}""", booked!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(booked, (await ScheduleAsync(desk, contractId)).Json));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await BookAsync(desk, contractId, 3000)));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("concert_day_before", contractId, 3000))));

        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("concert_less", contractId, 2999))));
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("concert_paid", contractId, 3000))).Status);
        var notices = await NoticesAsync(desk, 2);
        Assert.Equal(("SUCCESS", "PAP", 3000L), (Text(notices["TRANSACTION.SUCCESS"], "trade_state"), Text(notices["TRANSACTION.SUCCESS"], "trade_type"),
            notices["TRANSACTION.SUCCESS"]["amount"]!["total"]!.GetValue<long>()));
        Assert.Equal(("TERMINATED", "SYSTEM_TERMINATE"), (Text(notices["ENTRUST.TERMINATE"], "contract_state"),
            Text(notices["ENTRUST.TERMINATE"]["contract_terminate_info"], "contract_termination_mode")));

        Assert.Equal("""{"schedule_state":"PAID","deduct_start_date":"2026-12-03","deduct_end_date":"2026-12-03","scheduled_amount":{"total":3000,"currency":"CNY"},"deduct_amount":{"total":3000,"currency":"CNY"},"deduct_date":"2026-12-03"}""",
            (await ScheduleAsync(desk, contractId)).Json!.ToJsonString());
        Assert.Equal("TERMINATED", Text((await desk.QueryContractAsync("concert1001")).Json, "contract_state"));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("concert_twice", contractId, 3000))));
        Assert.Equal(3, desk.Receiver.All.Count);
    }

    [Fact]
    public async Task A_failed_deduction_may_be_retried_and_an_undeducted_schedule_expires_at_midnight_and_ends_at_eight()
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var contractId = Text(await ScheduledContractAsync(desk, "concert2001", total: 12222), "contract_id");
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, (await BookAsync(desk, contractId, 12222)).Status);

        // On the date (10:00 China): the user's balance is short, the schedule stays SCHEDULED and a retry is accepted.
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("concert_short_1", contractId, 12222))).Status);
        Assert.Equal("TRANSACTION.FAIL", (await desk.NoticeAsync("transaction")).EventType);
        Assert.Equal("SCHEDULED", Text((await ScheduleAsync(desk, contractId)).Json, "schedule_state"));
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("concert_short_2", contractId, 12222))).Status);
        Assert.Equal("TRANSACTION.FAIL", (await desk.NoticeAsync("transaction")).EventType);

        // 23:59 China: still open. Midnight: EXPIRED, the contract still signed until 08:00.
        await desk.Sandbox.AdvanceAsync(new TimeSpan(13, 59, 0));
        Assert.Equal("SCHEDULED", Text((await ScheduleAsync(desk, contractId)).Json, "schedule_state"));
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("""{"schedule_state":"EXPIRED"}""", (await ScheduleAsync(desk, contractId)).Json!.ToJsonString());
        Assert.Equal("SIGNED", Text((await desk.QueryContractAsync("concert2001")).Json, "contract_state"));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await desk.DeductAsync(desk.Deduction("concert_late", contractId, 12222))));

        await desk.Sandbox.AdvanceAsync(TimeSpan.FromHours(8));
        var (eventType, ended) = await desk.NoticeAsync("papay");
        Assert.Equal(("ENTRUST.TERMINATE", "SYSTEM_TERMINATE"), (eventType, Text(ended["contract_terminate_info"], "contract_termination_mode")));
        Assert.Equal("TERMINATED", Text((await desk.QueryContractAsync("concert2001")).Json, "contract_state"));
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(4, desk.Receiver.All.Count);
    }

    [Fact]
    public async Task Bookings_outside_the_window_and_bad_schedules_are_refused()
    {
        // 2026-12-02 19:30 China: the day before, but the booking window has just closed.
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var contractId = Text(await ScheduledContractAsync(desk, "concert3001"), "contract_id");
        await desk.Sandbox.AdvanceAsync(new TimeSpan(1, 9, 30, 0));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await BookAsync(desk, contractId, 3000)));

        var ordinary = Text(await desk.SignedAsync("ordinary3001"), "contract_id");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await BookAsync(desk, ordinary, 3000)));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), Refusal(await ScheduleAsync(desk, ordinary)));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await BookAsync(desk, "202612010000000000", 3000)));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await ScheduleAsync(desk, "202612010000000000")));
        var otherApp = new JsonObject { ["appid"] = "wx0000000000000000", ["schedule_amount"] = new JsonObject { ["total"] = 3000 } };
        Assert.Equal((HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH"), Refusal(await desk.PostAsync($"/v3/papay/pay/schedules/contract-id/{contractId}/schedule", otherApp)));
        var noAmount = new JsonObject { ["appid"] = desk.Wire.Appid };
        var missing = await desk.PostAsync($"/v3/papay/pay/schedules/contract-id/{contractId}/schedule", noAmount);
        Assert.Equal(("PARAM_ERROR", "schedule_amount"), (Text(missing.Json, "code"), Text(missing.Json!["detail"], "field")));
    }

    public static TheoryData<string, string, string?, string> ScheduleRefusals => new()
    {
        { "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/app", """{"estimated_deduct_date":"2026/12/03","estimated_deduct_amount":{"total":3000},"description":"x"}""", "deduct_schedule.estimated_deduct_date", "PARAM_ERROR" },
        { "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/h5", """{"estimated_deduct_date":"2026-12-03","description":"x"}""", "deduct_schedule.estimated_deduct_amount", "PARAM_ERROR" },
        { "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/app", """{"estimated_deduct_date":"2026-12-03","estimated_deduct_amount":{"total":0},"description":"x"}""", "deduct_schedule.estimated_deduct_amount.total", "PARAM_ERROR" },
        { "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/app", "\"2026-12-03\"", "deduct_schedule", "PARAM_ERROR" },
        { "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/app", """{"estimated_deduct_date":"2026-12-01","estimated_deduct_amount":{"total":3000},"description":"x"}""", null, "INVALID_REQUEST" },
    };

    [Theory]
    [MemberData(nameof(ScheduleRefusals))]
    public async Task A_bad_deduct_schedule_or_one_too_late_is_refused_naming_the_field(string path, string schedule, string? named, string code)
    {
        await using var desk = await Desk.StartAsync(now: SigningMorning);
        var request = ScheduledPreSign(desk, "badSchedule1");
        request["deduct_schedule"] = JsonNode.Parse(schedule);
        var (status, body, error) = await desk.PostAsync(path, request);
        Assert.True(status == HttpStatusCode.BadRequest, body);
        Assert.Equal((code, named), (Text(error, "code"), error!["detail"]?["field"]?.GetValue<string>()));
    }

    [Fact]
    public async Task A_booked_schedule_survives_a_restart_and_is_deducted_on_its_date_after_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-wechat-papay-schedule-" + Guid.NewGuid().ToString("N"));
        await using var receiver = await Receiver.StartAsync("/wechatpay/papay");
        string contractId;
        await using (var first = await Desk.StartAsync(data, receiver, SigningMorning))
        {
            contractId = Text(await ScheduledContractAsync(first, "concert4001"), "contract_id");
            await first.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
            Assert.Equal(HttpStatusCode.OK, (await BookAsync(first, contractId, 3000)).Status);
            await first.Sandbox.RunDueAsync();
        }

        await using var second = await Desk.StartAsync(data, receiver, SigningMorning.AddDays(2));
        Assert.Equal("SCHEDULED", Text((await ScheduleAsync(second, contractId)).Json, "schedule_state"));
        Assert.Equal(HttpStatusCode.OK, (await second.DeductAsync(second.Deduction("concert_restart", contractId, 3000))).Status);
        var notices = await NoticesAsync(second, 2);
        Assert.Equal(["ENTRUST.TERMINATE", "TRANSACTION.SUCCESS"], notices.Keys.Order());
        Assert.Equal("PAID", Text((await ScheduleAsync(second, contractId)).Json, "schedule_state"));
    }
}
