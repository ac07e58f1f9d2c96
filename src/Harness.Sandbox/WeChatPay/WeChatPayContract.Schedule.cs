using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Storage;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// What a contract carries for 预约扣费 (signed with <c>deduct_schedule</c>: one deduction on one China date, booked the
/// day before) and for 扣费预通知 (the notice that opens a deduction cycle on an ordinary contract).
/// </summary>
public sealed partial class WeChatPayContract
{
    public const string NoScheduled = "NO_SCHEDULED";
    public const string Scheduled = "SCHEDULED";
    public const string SchedulePaid = "PAID";
    public const string ScheduleExpired = "EXPIRED";

    /// <summary>The 预签约's <c>deduct_schedule.estimated_deduct_date</c> (yyyy-MM-dd, China); null for an ordinary contract.</summary>
    public string? ScheduleDate { get; set; }

    /// <summary>The 预签约's <c>estimated_deduct_amount.total</c> (fen): the booking and the deduction must equal it.</summary>
    public long ScheduleAmount { get; set; }

    public string? ScheduleDescription { get; set; }

    /// <summary>NO_SCHEDULED, SCHEDULED, PAID or EXPIRED for a 预约扣费 contract; null for an ordinary one.</summary>
    public string? ScheduleState { get; set; }

    public long? DeductAmount { get; set; }

    public string? DeductDate { get; set; }

    /// <summary>The China date the last 扣费预通知 was sent (yyyy-MM-dd); null when none was.</summary>
    public string? NoticeDate { get; set; }

    /// <summary>The notice's <c>estimated_amount.amount</c> (fen): no deduction of its cycle may be higher.</summary>
    public long NoticeAmount { get; set; }

    /// <summary>How many days the cycle's deduction period runs after the two waiting days.</summary>
    public int NoticeDays { get; set; }

    /// <summary>The notice's cycle was deducted: it ends, and another notice is needed.</summary>
    public bool NoticePaid { get; set; }

    /// <summary>A deduction of the notice's cycle failed: the 重试扣费通知 (<c>fail-notify</c>) may remind the user.</summary>
    public bool NoticeFailed { get; set; }

    /// <summary>The notice request as received, so the same notice again the same day changes nothing.</summary>
    public string? NoticeRequestJson { get; set; }

    /// <summary>
    /// Indexed: when a signed 预约扣费 contract next moves on the clock — EXPIRED when its date ends undeducted, then
    /// ended by WeChat (SYSTEM_TERMINATE) at 08:00 the next day; null when nothing waits.
    /// </summary>
    public string? ScheduleOrder => State == SignedState && ScheduleDate is not null && ScheduleState is not SchedulePaid
        ? OrderKeys.Time(ScheduleDueAt(), Id)
        : null;

    /// <summary>Midnight after the date (expiry) while open, 08:00 the day after once expired (termination); UTC.</summary>
    public DateTime ScheduleDueAt() =>
        ChinaMidnight(ScheduleDay().AddDays(1)).AddHours(ScheduleState == ScheduleExpired ? 8 : 0);

    /// <summary>The notice's 可扣费期 (China dates): after the day of the notice and the next, <see cref="NoticeDays"/> days.</summary>
    public (DateOnly First, DateOnly Last) NoticePeriod()
    {
        var first = DateOnly.ParseExact(NoticeDate!, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(2);
        return (first, first.AddDays(NoticeDays - 1));
    }

    public DateOnly ScheduleDay() => DateOnly.ParseExact(ScheduleDate!, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The China day's 00:00 as UTC.</summary>
    public static DateTime ChinaMidnight(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), WeChatPayResources.ChinaOffset).UtcDateTime;

    public static DateOnly ChinaDay(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(WeChatPayResources.ChinaOffset).DateTime);

    public static string DateText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The schedule as 预约扣费 and its query answer it: dates and amounts only where WeChat gives them.</summary>
    public JsonObject ScheduleDescribed()
    {
        var described = new JsonObject { ["schedule_state"] = ScheduleState };
        if (ScheduleState is Scheduled or SchedulePaid)
        {
            described["deduct_start_date"] = ScheduleDate;
            described["deduct_end_date"] = ScheduleDate;
            described["scheduled_amount"] = new JsonObject { ["total"] = ScheduleAmount, ["currency"] = "CNY" };
        }

        if (ScheduleState == SchedulePaid)
        {
            described["deduct_amount"] = new JsonObject { ["total"] = DeductAmount, ["currency"] = "CNY" };
            described["deduct_date"] = DeductDate;
        }

        return described;
    }
}
