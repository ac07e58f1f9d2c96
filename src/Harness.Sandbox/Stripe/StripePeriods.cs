namespace Harness.Sandbox.Stripe;

/// <summary>
/// Billing periods on the calendar, in UTC, as Stripe bills them (docs.stripe.com/billing/subscriptions/billing-cycle):
/// the <c>billing_cycle_anchor</c> fixes the day of month (and, for years, the month) and the time of day, and every period
/// boundary is the anchor moved by whole intervals. A day of month the month lacks is its last day (an anchor on the 31st
/// bills Feb 28 or 29, Apr 30, then the 31st again: the day never drifts); a year anchored on Feb 29 bills Feb 28 in other
/// years. Days and weeks are exact multiples of 86,400 seconds from the anchor.
/// </summary>
public static class StripePeriods
{
    private const long Day = 86_400;

    /// <summary>
    /// The end of the period holding <paramref name="start"/> (a period that starts at <paramref name="start"/>), on the cycle
    /// anchored at <paramref name="anchor"/> with <paramref name="count"/> × <paramref name="interval"/> per period: the first
    /// boundary after <paramref name="start"/>.
    /// </summary>
    public static long End(long anchor, long start, string? interval, long count) => Around(anchor, start, interval, count).End;

    /// <summary>The period [start, end) of the cycle anchored at <paramref name="anchor"/> that holds <paramref name="at"/>.</summary>
    public static (long Start, long End) Around(long anchor, long at, string? interval, long count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (interval is "day" or "week")
        {
            var length = checked(count * (interval == "week" ? 7 : 1) * Day);
            var start = anchor + (FloorDiv(at - anchor, length) * length);
            return (start, start + length);
        }

        var months = checked(count * (interval == "year" ? 12 : 1));
        var (year, month, _) = Civil(FloorDiv(at, Day));
        var (anchorYear, anchorMonth, _) = Civil(FloorDiv(anchor, Day));
        // The period whose start falls in at's month, then one back when at is before that start.
        var k = FloorDiv(((year - anchorYear) * 12) + (month - anchorMonth), months);
        if (Boundary(anchor, k * months) > at)
        {
            k--;
        }

        return (Boundary(anchor, k * months), Boundary(anchor, (k + 1) * months));
    }

    /// <summary>
    /// The first moment after <paramref name="now"/> on day <paramref name="day"/> (a month's last day when it has fewer)
    /// at <paramref name="timeOfDay"/> seconds past midnight, UTC: in <paramref name="month"/> when given (this year's or
    /// next year's), else in now's month or the next (<c>billing_cycle_anchor_config</c>).
    /// </summary>
    public static long NextOnDay(long now, long day, long? month, long timeOfDay)
    {
        var (year, nowMonth, _) = Civil(FloorDiv(now, Day));
        for (var k = 0; k < 2; k++)
        {
            var index = month is { } m ? ((year + k) * 12) + m - 1 : (year * 12) + nowMonth - 1 + k;
            var (toYear, toMonth) = (FloorDiv(index, 12), index - (FloorDiv(index, 12) * 12) + 1);
            var at = (Days(toYear, toMonth, Math.Min(day, DaysInMonth(toYear, toMonth))) * Day) + timeOfDay;
            if (at > now)
            {
                return at;
            }
        }

        throw new InvalidOperationException("A day of month recurs within two months or two years.");
    }

    /// <summary>
    /// A boundary of <paramref name="anchor"/>'s cycle, at or before it, that falls on day <paramref name="day"/> itself: an
    /// anchor configured for the 31st but set on Apr 30 keeps billing the 31st where a month has it only when its cycle is
    /// counted from a month that has it (Mar 31). The anchor itself when no month of the last 48 periods has the day.
    /// </summary>
    public static long OnDay(long anchor, long day, string? interval, long count)
    {
        var days = FloorDiv(anchor, Day);
        var (year, month, anchorDay) = Civil(days);
        if (interval is "day" or "week" || anchorDay >= day)
        {
            return anchor;
        }

        var months = checked(count * (interval == "year" ? 12 : 1));
        for (var k = 1; k <= 48; k++)
        {
            var index = (year * 12) + month - 1 - (k * months);
            var (toYear, toMonth) = (FloorDiv(index, 12), index - (FloorDiv(index, 12) * 12) + 1);
            if (DaysInMonth(toYear, toMonth) >= day)
            {
                return (Days(toYear, toMonth, day) * Day) + anchor - (days * Day);
            }
        }

        return anchor;
    }

    /// <summary><paramref name="anchor"/> moved by <paramref name="months"/> calendar months, its day of month kept where the month has it.</summary>
    private static long Boundary(long anchor, long months)
    {
        var days = FloorDiv(anchor, Day);
        var timeOfDay = anchor - (days * Day);
        var (year, month, day) = Civil(days);
        var index = (year * 12) + (month - 1) + months;
        var (toYear, toMonth) = (FloorDiv(index, 12), index - (FloorDiv(index, 12) * 12) + 1);
        return (Days(toYear, toMonth, Math.Min(day, DaysInMonth(toYear, toMonth))) * Day) + timeOfDay;
    }

    private static long DaysInMonth(long year, long month) => month switch
    {
        2 => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    // Proleptic Gregorian date <-> days since 1970-01-01 (H. Hinnant's algorithms), with no DateTime range limit.
    private static long Days(long year, long month, long day)
    {
        var y = month <= 2 ? year - 1 : year;
        var era = FloorDiv(y, 400);
        var yearOfEra = y - (era * 400);
        var dayOfYear = ((153 * (month > 2 ? month - 3 : month + 9)) + 2) / 5 + day - 1;
        var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146_097) + dayOfEra - 719_468;
    }

    private static (long Year, long Month, long Day) Civil(long days)
    {
        var z = days + 719_468;
        var era = FloorDiv(z, 146_097);
        var dayOfEra = z - (era * 146_097);
        var yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36_524) - (dayOfEra / 146_096)) / 365;
        var dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        var mp = ((5 * dayOfYear) + 2) / 153;
        var month = mp < 10 ? mp + 3 : mp - 9;
        return ((yearOfEra + (era * 400)) + (month <= 2 ? 1 : 0), month, dayOfYear - (((153 * mp) + 2) / 5) + 1);
    }

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}
