using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 预约扣费 and 扣费预通知 on the sandbox clock (China time). A 预约扣费 contract is signed with <c>deduct_schedule</c>
/// (a date and an amount): the merchant books the deduction the day before, in [8:00, 19:30)
/// (<c>POST /v3/papay/pay/schedules/contract-id/{contract_id}/schedule</c>), deducts that amount on the date through
/// 受理扣款, and the contract ends (SYSTEM_TERMINATE) once paid; undeducted, the schedule is EXPIRED at midnight and the
/// contract ended at 08:00 the next day (the provider's due work). 扣费预通知
/// (<c>POST /v3/papay/contracts/{contract_id}/notify</c>) opens a cycle on an ordinary contract: no deduction on the day
/// of the notice and the next, then one deduction, at most the estimated amount, within the notice's days.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>The deduction days a notice opens when <c>deduct_duration</c> is absent (WeChat: 默认为7天).</summary>
    public const int DefaultNoticeDays = 7;

    /// <summary>How many due contracts are read at a time.</summary>
    private const int ScheduleBatch = 500;

    private static readonly TimeSpan ScheduleOpens = TimeSpan.FromHours(8);
    private static readonly TimeSpan ScheduleCloses = new(19, 30, 0);
    private static readonly TimeSpan PreSignDeadline = TimeSpan.FromHours(19);
    private static readonly TimeSpan NoticeOpens = TimeSpan.FromHours(7);
    private static readonly TimeSpan NoticeCloses = TimeSpan.FromHours(22);

    private void MapPapaySchedules(WebApplication app)
    {
        app.MapPost("/v3/papay/pay/schedules/contract-id/{contractId}/schedule", (HttpContext http, string contractId) =>
            AuthenticatedAsync(http, (mchid, body) => BookSchedule(mchid, contractId, body, partner: false)));
        app.MapGet("/v3/papay/pay/schedules/contract-id/{contractId}", (HttpContext http, string contractId) =>
            AuthenticatedAsync(http, (mchid, _) => QuerySchedule(mchid, null, contractId)));
        app.MapPost("/v3/papay/contracts/{contractId}/notify", (HttpContext http, string contractId) =>
            AuthenticatedAsync(http, (mchid, body) => NotifyDeduction(mchid, contractId, body, partner: false)));
        app.MapPost("/v3/papay/contracts/{contractId}/fail-notify", (HttpContext http, string contractId) =>
            AuthenticatedAsync(http, (mchid, body) => NotifyRetry(mchid, contractId, body, partner: false)));
    }

    /// <summary>
    /// <c>deduct_schedule</c> of a 预签约: read on the 预约扣费 routes (null when absent: an ordinary contract), refused by
    /// name on the general route, which WeChat does not give it.
    /// </summary>
    private static (DateOnly Date, long Total, string Description)? ReadDeductSchedule(WeChatPayFields fields, JsonObject request, bool scheduledRoute)
    {
        if (fields.Refusal is not null || request["deduct_schedule"] is not { } node)
        {
            return null;
        }

        if (!scheduledRoute)
        {
            fields.Reject(WeChatPayErrors.Param("deduct_schedule", "参数错误：deduct_schedule只用于预约扣费的预签约（/v3/papay/scheduled-deduct-sign/…）"));
            return null;
        }

        if (node is not JsonObject schedule)
        {
            fields.Reject(WeChatPayErrors.Param("deduct_schedule", "类型错误：应为对象"));
            return null;
        }

        var inner = new WeChatPayFields(schedule, "deduct_schedule.");
        var date = inner.Text("estimated_deduct_date", 10);
        var total = inner.Fen("estimated_deduct_amount", "total", required: true);
        var description = inner.Text("description", 127);
        if (inner.Refusal is { } refusal)
        {
            fields.Reject(refusal);
            return null;
        }

        // The years bound the date so the China day arithmetic stays in range; the sandbox clock never passes 9000.
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) || day.Year is < 2000 or > 9000)
        {
            fields.Reject(WeChatPayErrors.Param("deduct_schedule.estimated_deduct_date", "格式错误：应为yyyy-MM-DD", date));
            return null;
        }

        return (day, total!.Value, description);
    }

    /// <summary>WeChat: the 预签约 comes before 19:00 on the day before the estimated date.</summary>
    private IResult? RefuseScheduleDeadline(DateOnly date)
    {
        var deadline = WeChatPayContract.ChinaMidnight(date.AddDays(-1)) + PreSignDeadline;
        return _context.Clock.GetUtcNow().UtcDateTime < deadline
            ? null
            : WeChatPayErrors.InvalidRequest($"预签约须在预计扣费日期（{WeChatPayContract.DateText(date)}）前一天的19:00前发起");
    }

    /// <summary>The contract of the contract_id, signed or ended, of this merchant (or of its sub-merchant); else the refusal.</summary>
    private (WeChatPayContract? Contract, IResult? Refusal) ContractById(string mchid, string? subMchid, string contractId) =>
        _contracts.FindBy(nameof(WeChatPayContract.ContractId), contractId).FirstOrDefault(c => c.Mchid == mchid && c.SubMchid == subMchid) is { } contract
            ? (contract, null)
            : (null, ContractNotFound());

    private IResult QuerySchedule(string mchid, string? subMchid, string contractId)
    {
        var (contract, refusal) = ContractById(mchid, subMchid, contractId);
        return refusal ?? (contract!.ScheduleState is null ? NotScheduledContract() : Json(contract.ScheduleDescribed()));
    }

    private static IResult NotScheduledContract() => WeChatPayErrors.InvalidRequest("该协议不是预约扣费类型的协议");

    /// <summary>预约扣费: the day before the date, in [8:00, 19:30) China time, for exactly the 预签约's amount; once per contract.</summary>
    private IResult BookSchedule(string mchid, string contractId, byte[] body, bool partner)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var party = PapayParty.Read(fields, partner);
        var total = fields.Fen("schedule_amount", "total", required: true);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (RefuseParty(mchid, party) is { } who)
        {
            return who;
        }

        return _context.Store.Atomically(() =>
        {
            var (contract, missing) = ContractById(mchid, party.SubMchid, contractId);
            if ((missing ?? RefuseContractUse(contract!, party)) is { } refused)
            {
                return refused;
            }

            if (contract!.ScheduleState is not { } state)
            {
                return NotScheduledContract();
            }

            if (state != WeChatPayContract.NoScheduled)
            {
                return WeChatPayErrors.InvalidRequest(state == WeChatPayContract.Scheduled
                    ? "该协议已预约扣费，不能再次预约（预约结果可通过查询扣费预约接口查询）"
                    : "该协议的扣费预约已过期，不能再预约");
            }

            var now = _context.Clock.GetUtcNow();
            var opens = WeChatPayContract.ChinaMidnight(contract.ScheduleDay().AddDays(-1));
            if (now.UtcDateTime < opens + ScheduleOpens || now.UtcDateTime >= opens + ScheduleCloses)
            {
                return WeChatPayErrors.InvalidRequest($"不在可预约时间内：只能在预计扣费日期的前一天（{WeChatPayContract.DateText(contract.ScheduleDay().AddDays(-1))}）北京时间8:00至19:30预约");
            }

            if (total != contract.ScheduleAmount)
            {
                return WeChatPayErrors.InvalidRequest($"预约金额须等于签约时的预计扣费金额（{contract.ScheduleAmount.ToString(CultureInfo.InvariantCulture)}分）");
            }

            contract.ScheduleState = WeChatPayContract.Scheduled;
            _contracts.Upsert(contract);
            return Json(contract.ScheduleDescribed());
        });
    }

    /// <summary>What every schedule and notice route refuses on the contract found: a terminated contract, another appid than the contract's.</summary>
    private static IResult? RefuseContractUse(WeChatPayContract contract, PapayParty party) =>
        contract.State == WeChatPayContract.Terminated ? WeChatPayErrors.InvalidRequest("委托代扣协议已解约") : RefuseOtherAppid(contract, party);

    /// <summary>The contract is used under the appid it was signed under, and a sub_appid given is the contract's.</summary>
    private static IResult? RefuseOtherAppid(WeChatPayContract contract, PapayParty party) =>
        party.Appid != contract.Appid ? WeChatPayErrors.InvalidRequest(party.SubMchid is null ? "appid与签约时的appid不一致" : "sp_appid与签约时的sp_appid不一致")
        : party.SubAppid is not null && party.SubAppid != contract.SubAppid ? WeChatPayErrors.InvalidRequest("sub_appid与签约时的sub_appid不一致")
        : null;

    /// <summary>扣费预通知 (the merchant's, or the 服务商's for a sub-merchant): 204; opens a new cycle unless it is the same notice again the same day.</summary>
    private IResult NotifyDeduction(string mchid, string contractId, byte[] body, bool partner)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var bodyMchid = fields.Text(partner ? "sp_mchid" : "mchid", 32);
        var party = PapayParty.Read(fields, partner);
        var days = NoticeDays(fields, request);
        var amount = fields.Fen("estimated_amount", "amount", required: true);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if ((RefuseBodyMchid(bodyMchid, mchid, partner) ?? RefuseParty(mchid, party)) is { } other)
        {
            return other;
        }

        var now = _context.Clock.GetUtcNow();
        return _context.Store.Atomically(() =>
        {
            if (NoticeContract(mchid, party, contractId, now, "扣费前通知", out var contract) is { } refused)
            {
                return refused;
            }

            var today = WeChatPayContract.DateText(WeChatPayContract.ChinaDay(now));
            if (contract.NoticeDate == today && JsonNode.DeepEquals(JsonNode.Parse(contract.NoticeRequestJson!), request))
            {
                return Results.NoContent();
            }

            contract.NoticeDate = today;
            contract.NoticeAmount = amount!.Value;
            contract.NoticeDays = days;
            contract.NoticePaid = false;
            contract.NoticeFailed = false;
            contract.NoticeRequestJson = request.ToJsonString();
            _contracts.Upsert(contract);
            return Results.NoContent();
        });
    }

    /// <summary><c>deduct_duration</c>: <c>count</c> 1, 2 or 3 and <c>unit</c> DAY when given; absent, WeChat's default 7 days.</summary>
    private static int NoticeDays(WeChatPayFields fields, JsonObject request)
    {
        if (fields.Refusal is not null || request["deduct_duration"] is not { } node)
        {
            return DefaultNoticeDays;
        }

        if (node is not JsonObject duration)
        {
            fields.Reject(WeChatPayErrors.Param("deduct_duration", "类型错误：应为对象"));
            return 0;
        }

        if (duration["count"] is not JsonValue count || count.GetValueKind() != JsonValueKind.Number || !count.TryGetValue(out int days) || days is < 1 or > 3)
        {
            fields.Reject(duration["count"] is null
                ? WeChatPayErrors.Missing("deduct_duration.count")
                : WeChatPayErrors.Param("deduct_duration.count", "取值错误：应为1、2或3", duration["count"]!.ToJsonString()));
            return 0;
        }

        if (fields.OptionalText("deduct_duration", "unit", 8) is { } unit && unit != "DAY")
        {
            fields.Reject(WeChatPayErrors.Param("deduct_duration.unit", "取值错误：应为DAY", unit));
        }

        return days;
    }

    /// <summary>
    /// 受理扣款's rules for the contract's period: a 预约扣费 contract only on its booked date for the booked amount; a
    /// contract with a notice only after the two waiting days, within the notice's days, once, at most the estimated
    /// amount. A contract never notified deducts as before (the merchant without 预扣费通知, the sandbox's reading).
    /// </summary>
    private IResult? RefuseOutsideDeductionPeriod(WeChatPayContract contract, long total)
    {
        var today = WeChatPayContract.ChinaDay(_context.Clock.GetUtcNow());
        if (contract.ScheduleState is { } state)
        {
            return state == WeChatPayContract.NoScheduled ? WeChatPayErrors.InvalidRequest("该协议未预约扣费，请先调用预约扣费接口")
                : state == WeChatPayContract.ScheduleExpired ? WeChatPayErrors.InvalidRequest("该协议的扣费预约已过期，不能扣款")
                : WeChatPayContract.DateText(today) != contract.ScheduleDate ? WeChatPayErrors.InvalidRequest($"不在可扣费期内：只能在{contract.ScheduleDate}扣费")
                : total != contract.ScheduleAmount ? WeChatPayErrors.InvalidRequest($"扣费金额须等于预约扣费金额（{contract.ScheduleAmount.ToString(CultureInfo.InvariantCulture)}分）")
                : null;
        }

        if (contract.NoticeDate is null)
        {
            return null;
        }

        var (first, last) = contract.NoticePeriod();
        return today < first ? WeChatPayErrors.InvalidRequest($"扣费等待期内不能扣款：可扣费期为{WeChatPayContract.DateText(first)}至{WeChatPayContract.DateText(last)}")
            : today > last || contract.NoticePaid ? WeChatPayErrors.InvalidRequest("不在可扣费期内，请先调用预扣费通知接口")
            : total > contract.NoticeAmount ? WeChatPayErrors.InvalidRequest($"扣款金额不能高于预计扣费金额（{contract.NoticeAmount.ToString(CultureInfo.InvariantCulture)}分）")
            : null;
    }

    /// <summary>A paid deduction ends its cycle: a 预约扣费 contract is PAID and ended by WeChat at once; a notice's cycle closes.</summary>
    private void RecordDeduction(WeChatPayContract contract, WeChatPayOrder order)
    {
        if (_context.Payments.Get(order.Id)!.Status != PaymentStatus.Paid)
        {
            if (contract.NoticeDate is not null && !contract.NoticeFailed)
            {
                contract.NoticeFailed = true;
                _contracts.Upsert(contract);
            }

            return;
        }

        if (contract.ScheduleState is not null)
        {
            contract.ScheduleState = WeChatPayContract.SchedulePaid;
            contract.DeductAmount = order.Total;
            contract.DeductDate = WeChatPayContract.DateText(WeChatPayContract.ChinaDay(_context.Clock.GetUtcNow()));
            EndContract(contract, "SYSTEM_TERMINATE", "预约扣费已完成");
        }
        else if (contract.NoticeDate is not null)
        {
            contract.NoticePaid = true;
            _contracts.Upsert(contract);
        }
    }

    /// <summary>When the earliest 预约扣费 contract expires or is ended; null when none waits.</summary>
    private DateTimeOffset? NextScheduleDueAt() =>
        DueDocuments.Earliest(_contracts, nameof(WeChatPayContract.ScheduleOrder), c => c.ScheduleOrder);

    /// <summary>Expires each schedule whose date ended undeducted, and ends each expired contract at 08:00 the day after (SYSTEM_TERMINATE, ENTRUST.TERMINATE), each in a unit.</summary>
    private void RunDueSchedules(DateTime now, CancellationToken cancellationToken) =>
        DueDocuments.Run(_context.Store, _contracts, nameof(WeChatPayContract.ScheduleOrder), now, ScheduleBatch, listed =>
        {
            // Read again inside the unit: a deduction or 解约 may have moved it on since it was listed.
            while (_contracts.Get(listed.Id) is { ScheduleOrder: not null } contract && contract.ScheduleDueAt() <= now)
            {
                if (contract.ScheduleState == WeChatPayContract.ScheduleExpired)
                {
                    EndContract(contract, "SYSTEM_TERMINATE", "预约扣费已过期");
                }
                else
                {
                    contract.ScheduleState = WeChatPayContract.ScheduleExpired;
                    _contracts.Upsert(contract);
                }
            }
        }, cancellationToken);
}
