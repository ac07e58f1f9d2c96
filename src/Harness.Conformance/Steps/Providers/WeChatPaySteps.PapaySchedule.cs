using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 预约扣费 and 扣费预通知 as a membership backend meets them: a contract signed for one deduction two China days ahead,
/// booked the day before and deducted on the day; a notice on an ordinary contract and its two waiting days. The
/// sandbox clock is moved to a China time of day, as WeChat's windows are.
/// </summary>
public sealed partial class WeChatPaySteps
{
    [When("the merchant asks to sign contract {string} for one deduction of {int} fen two days ahead")]
    public async Task PreSignScheduled(string outContractCode, int fen)
    {
        var date = SandboxSteps.ChinaDay(await _world.NowAsync()).AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/app", new JsonObject
        {
            ["appid"] = Wire.Appid,
            ["plan_id"] = PapayPlan,
            ["out_contract_code"] = outContractCode,
            ["contract_display_account"] = "预约 " + outContractCode,
            ["contract_notify_url"] = _world.Receiver.Url,
            ["deduct_schedule"] = new JsonObject
            {
                ["estimated_deduct_date"] = date,
                ["estimated_deduct_amount"] = new JsonObject { ["total"] = fen, ["currency"] = "CNY" },
                ["description"] = "预约商品",
            },
        });
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        _preEntrustwebIds[outContractCode] = ApiReply.Text(ApiReply.Field(_world.Last.Json, "pre_entrustweb_id"));
    }

    [When("the sandbox clock moves on to {int}:00 China time the next day")]
    public async Task NextChinaDay(int hour)
    {
        var now = await _world.NowAsync();
        var next = SandboxSteps.ChinaDay(now).AddDays(1).ToDateTime(new TimeOnly(hour, 0));
        await _world.AdvanceAsync(new DateTimeOffset(next, TimeSpan.FromHours(8)) - now);
    }

    [When("the merchant books the deduction of {int} fen on contract {string}")]
    public async Task BookSchedule(int fen, string outContractCode) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, $"/v3/papay/pay/schedules/contract-id/{ContractIdOf(outContractCode)}/schedule", new JsonObject
        {
            ["appid"] = Wire.Appid,
            ["schedule_amount"] = new JsonObject { ["total"] = fen, ["currency"] = "CNY" },
        });

    [Then("the answer is 200 with schedule_state {string}")]
    public void Scheduled(string state)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(_world.Last.Json, "schedule_state")), "schedule_state");
    }

    [Then("querying the schedule of contract {string} shows schedule_state {string}")]
    public async Task ScheduleQueried(string outContractCode, string state)
    {
        _world.LastReply = await CallAsync(HttpMethod.Get, $"/v3/papay/pay/schedules/contract-id/{ContractIdOf(outContractCode)}");
        Scheduled(state);
    }

    [When("the merchant notifies the user of a deduction of up to {int} fen on contract {string}")]
    public async Task NotifyDeduction(int fen, string outContractCode) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, $"/v3/papay/contracts/{ContractIdOf(outContractCode)}/notify", new JsonObject
        {
            ["mchid"] = Wire.Mchid,
            ["appid"] = Wire.Appid,
            ["deduct_duration"] = new JsonObject { ["count"] = 1, ["unit"] = "DAY" },
            ["estimated_amount"] = new JsonObject { ["amount"] = fen, ["currency"] = "CNY" },
        });

    private string ContractIdOf(string outContractCode) =>
        _contractIds.TryGetValue(outContractCode, out var id) ? id : throw new AssertionException($"contract {outContractCode} was never signed");
}
