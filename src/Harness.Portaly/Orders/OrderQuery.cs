using System.Globalization;
using System.Text.RegularExpressions;

namespace Harness.Portaly.Orders;

/// <summary>
/// The filters of <c>GET /orders</c>: a comma-separated <c>status</c> list and a <c>createdAt</c> window. A bare date
/// is a Taipei (UTC+8) calendar day, a time without an offset is Taipei time, and <c>Z</c> or <c>±HH:MM</c> is taken
/// as given.
/// </summary>
public sealed partial record OrderQuery(IReadOnlySet<string>? Statuses, DateTimeOffset? From, DateTimeOffset? To, string? PlanId)
{
    public static readonly TimeSpan Taipei = TimeSpan.FromHours(8);

    /// <summary>The query, or the problem with it (unknown status, unreadable date, a start after the end).</summary>
    public static (OrderQuery? Query, string? Problem) Parse(string? status, string? startDate, string? endDate, string? planId)
    {
        HashSet<string>? statuses = null;
        if (status is not null)
        {
            statuses = [.. status.Split(',').Select(s => s.Trim())];
            if (statuses.FirstOrDefault(s => !OrderStatus.All.Contains(s, StringComparer.Ordinal)) is { } unknown)
            {
                return (null, $"status '{unknown}' is not one of: {string.Join(", ", OrderStatus.All)}");
            }
        }

        if (!TryPoint(startDate, endOfDay: false, out var from))
        {
            return (null, "startDate must be YYYY-MM-DD or an ISO 8601 date-time");
        }

        if (!TryPoint(endDate, endOfDay: true, out var to))
        {
            return (null, "endDate must be YYYY-MM-DD or an ISO 8601 date-time");
        }

        return from > to
            ? (null, "startDate must not be later than endDate")
            : (new OrderQuery(statuses, from, to, string.IsNullOrEmpty(planId) ? null : planId), null);
    }

    public bool Matches(Order order) =>
        (Statuses is null || Statuses.Contains(order.Status))
        && (From is null || order.CreatedAt >= From)
        && (To is null || order.CreatedAt <= To)
        && (PlanId is null || order.CreatorSubscriptionPlanId == PlanId);

    /// <summary>A bound: absent is none; a date is its Taipei day's first or last millisecond.</summary>
    private static bool TryPoint(string? text, bool endOfDay, out DateTimeOffset? point)
    {
        point = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            // The Taipei days at the very ends of the calendar fall outside what a DateTimeOffset holds.
            if (day.Year is < 2 or > 9998)
            {
                return false;
            }

            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), Taipei);
            point = endOfDay ? start.AddDays(1).AddMilliseconds(-1) : start;
            return true;
        }

        var match = DateTimePattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var local = match.Groups["local"].Value.Replace(' ', 'T');
        if (!DateTime.TryParse(local, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return false;
        }

        var zone = match.Groups["offset"].Value;
        var offset = Taipei;
        if (zone is "Z" or "z")
        {
            offset = TimeSpan.Zero;
        }
        else if (zone != "")
        {
            if (!TimeSpan.TryParseExact(zone[1..].Replace(":", "", StringComparison.Ordinal), "hhmm", CultureInfo.InvariantCulture, out offset) || offset > TimeSpan.FromHours(14))
            {
                return false;
            }

            // A space stands for a '+' that the client left unencoded in the query string.
            offset = zone[0] == '-' ? -offset : offset;
        }

        if (!Representable(time.Ticks - offset.Ticks))
        {
            return false;
        }

        point = new DateTimeOffset(time, offset);
        return true;
    }

    /// <summary>Whether a UTC time in ticks is one a DateTimeOffset can hold (the year 1 or 9999 with an offset may not be).</summary>
    private static bool Representable(long utcTicks) => utcTicks >= DateTime.MinValue.Ticks && utcTicks <= DateTime.MaxValue.Ticks;

    [GeneratedRegex(@"^(?<local>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)(?<offset>[Zz]|[+ -]\d{2}:?\d{2})?$")]
    private static partial Regex DateTimePattern();
}
