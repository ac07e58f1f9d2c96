using System.Globalization;
using Harness.Finance.Auth;
using Harness.Finance.Consumption;
using Harness.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Finance.Records;

/// <summary>Filters of records and summary. Times are ISO 8601; <c>endTime</c> is exclusive.</summary>
public sealed record RecordsRequest(
    int? Page,
    int? PageSize,
    string? ConsumeType,
    string? ServiceCode,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime);

public sealed record ConsumptionRecord(
    string RecordId,
    string IdempotencyKey,
    string ConsumeType,
    string ServiceCode,
    string? PlanId,
    long Coins,
    long? Tokens,
    long? DurationSeconds,
    long? Amount,
    long? Rate,
    long BalanceBefore,
    long BalanceAfter,
    string? BizId,
    string? Description,
    Dictionary<string, string>? Metadata,
    DateTime CreatedAt);

public sealed record PagedList<T>(IReadOnlyList<T> List, long Total, int Page, int PageSize);

public sealed record ConsumptionSummary(
    long TotalCoins,
    long Count,
    IReadOnlyList<ConsumeTypeTotal> ByConsumeType,
    IReadOnlyList<ServiceCodeTotal> ByServiceCode,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime);

public sealed record ConsumeTypeTotal(string ConsumeType, long Coins, long Count);

public sealed record ServiceCodeTotal(string ServiceCode, long Coins, long Count);

public static class RecordsApi
{
    public static void MapRecords(this RouteGroupBuilder finance, RouteGroupBuilder consumption)
    {
        finance.MapPost("/records", Records)
            .WithSummary("Consumption history, newest first, paginated")
            .Produces<FinanceResponse<PagedList<ConsumptionRecord>>>();
        consumption.MapPost("/records", Records)
            .WithSummary("Detailed consumption log, newest first, paginated")
            .Produces<FinanceResponse<PagedList<ConsumptionRecord>>>();
        consumption.MapPost("/summary", Summary)
            .WithSummary("Aggregated spending in a time range, by consumption type and by service")
            .Produces<FinanceResponse<ConsumptionSummary>>();
    }

    private static IResult Records(RecordsRequest? request, HttpContext context, ILedger ledger)
    {
        request ??= new RecordsRequest(null, null, null, null, null, null);
        var page = request.Page ?? 1;
        var pageSize = request.PageSize ?? 20;
        if (page < 1)
        {
            return FinanceEnvelope.Invalid("page must be 1 or greater");
        }

        if (pageSize is < 1 or > 100)
        {
            return FinanceEnvelope.Invalid("pageSize must be between 1 and 100");
        }

        var (filter, error) = FilterOf(context.CurrentUser(), request);
        if (filter is null)
        {
            return FinanceEnvelope.Invalid(error!);
        }

        var skip = (long)(page - 1) * pageSize;
        if (skip > int.MaxValue)
        {
            return FinanceEnvelope.Invalid("page is too large");
        }

        var found = ledger.Query(new LedgerQuery(filter, (int)skip, pageSize));
        return FinanceEnvelope.Ok(new PagedList<ConsumptionRecord>([.. found.Items.Select(ToRecord)], found.Total, page, pageSize));
    }

    private static IResult Summary(RecordsRequest? request, HttpContext context, ILedger ledger)
    {
        request ??= new RecordsRequest(null, null, null, null, null, null);
        var (filter, error) = FilterOf(context.CurrentUser(), request);
        if (filter is null)
        {
            return FinanceEnvelope.Invalid(error!);
        }

        var totals = ledger.Summarise(filter);
        return FinanceEnvelope.Ok(new ConsumptionSummary(
            -totals.Amount,
            totals.Count,
            [.. totals.ByCategory.Select(g => new ConsumeTypeTotal(g.Key, -g.Amount, g.Count))],
            [.. totals.BySubject.Select(g => new ServiceCodeTotal(g.Key, -g.Amount, g.Count))],
            request.StartTime,
            request.EndTime));
    }

    private static (LedgerFilter? Filter, string? Error) FilterOf(UserDocument user, RecordsRequest request)
    {
        var error = (request.ConsumeType is null ? null : ConsumeTypes.Validate(request.ConsumeType))
            ?? (request.ServiceCode is null ? null : FieldRules.Identifier(request.ServiceCode, "serviceCode"))
            ?? (request.StartTime > request.EndTime ? "startTime must not be after endTime" : null);
        return error is not null
            ? (null, error)
            : (new LedgerFilter(ConsumptionService.AccountOf(user.Id))
            {
                Kind = ConsumptionService.LedgerKind,
                Category = request.ConsumeType,
                Subject = request.ServiceCode,
                From = request.StartTime?.UtcDateTime,
                To = request.EndTime?.UtcDateTime,
            }, null);
    }

    private static ConsumptionRecord ToRecord(LedgerEntry entry)
    {
        long? Number(string key) =>
            entry.Details?.GetValueOrDefault(key) is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : null;

        return new ConsumptionRecord(
            entry.Id.ToString(CultureInfo.InvariantCulture),
            entry.IdempotencyKey ?? "",
            entry.Category ?? "",
            entry.Subject ?? "",
            entry.Details?.GetValueOrDefault(ConsumptionService.Detail.PlanId),
            -entry.Amount,
            Number(ConsumptionService.Detail.Tokens),
            Number(ConsumptionService.Detail.DurationSeconds),
            Number(ConsumptionService.Detail.Amount),
            Number(ConsumptionService.Detail.Rate),
            entry.BalanceBefore,
            entry.BalanceAfter,
            entry.Reference,
            entry.Details?.GetValueOrDefault(ConsumptionService.Detail.Description),
            entry.Metadata,
            entry.CreatedAt);
    }
}
