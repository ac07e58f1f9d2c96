using System.Globalization;
using System.Text.Json.Serialization;
using Harness.Finance.Auth;
using Harness.Finance.Consumption;
using Harness.Http;
using Harness.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Finance.Records;

/// <summary>
/// The filter of a summary (and of records). Times are ISO 8601; <c>endTime</c> is exclusive.
/// <c>page</c> and <c>pageSize</c> are taken, as on every Finance list, but a summary is one answer.
/// </summary>
public record SummaryRequest : IValidatable
{
    public int? Page { get; init; }

    public int? PageSize { get; init; }

    public string? ConsumeType { get; init; }

    public string? ServiceCode { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    public virtual void Validate(Validator validator)
    {
        if (ConsumeType is not null)
        {
            validator.ConsumeType(ConsumeType);
        }

        validator.OptionalIdentifier(ServiceCode, "serviceCode")
            .Require(!(StartTime > EndTime), "startTime must not be after endTime");
    }

    public LedgerFilter ToLedgerFilter(UserDocument user) => new(ConsumptionService.AccountOf(user.Id))
    {
        Kind = ConsumptionService.LedgerKind,
        Category = ConsumeType,
        Subject = ServiceCode,
        From = StartTime?.UtcDateTime,
        To = EndTime?.UtcDateTime,
    };
}

/// <summary>A page of records, filtered as a summary is.</summary>
public sealed record RecordsRequest : SummaryRequest
{
    public const int DefaultPageSize = 20;

    [JsonIgnore]
    public int PageNumber => Page ?? 1;

    [JsonIgnore]
    public int Size => PageSize ?? DefaultPageSize;

    /// <summary>The page first, then the filter, then how far the page reaches.</summary>
    public override void Validate(Validator validator)
    {
        validator.Require(PageNumber >= 1, "page must be 1 or greater")
            .Require(Size is >= 1 and <= 100, "pageSize must be between 1 and 100");
        base.Validate(validator);
        validator.Require((long)(PageNumber - 1) * Size <= int.MaxValue, "page is too large");
    }
}

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
            .WithSummary("Consumption history, newest first, paginated");
        consumption.MapPost("/records", Records)
            .WithSummary("Detailed consumption log, newest first, paginated");
        consumption.MapPost("/summary", Summary)
            .WithSummary("Aggregated spending in a time range, by consumption type and by service");
    }

    /// <summary>No body means the first page, unfiltered.</summary>
    private static Ok<FinanceResponse<PagedList<ConsumptionRecord>>> Records(RecordsRequest? request, HttpContext context, ILedger ledger)
    {
        request ??= new RecordsRequest();
        var found = ledger.Query(new LedgerQuery(request.ToLedgerFilter(context.CurrentUser()), (request.PageNumber - 1) * request.Size, request.Size));
        return FinanceEnvelope.Ok(new PagedList<ConsumptionRecord>([.. found.Items.Select(ToRecord)], found.Total, request.PageNumber, request.Size));
    }

    /// <summary>No body means everything.</summary>
    private static Ok<FinanceResponse<ConsumptionSummary>> Summary(SummaryRequest? request, HttpContext context, ILedger ledger)
    {
        request ??= new SummaryRequest();
        var totals = ledger.Summarise(request.ToLedgerFilter(context.CurrentUser()));
        return FinanceEnvelope.Ok(new ConsumptionSummary(
            -totals.Amount,
            totals.Count,
            [.. totals.ByCategory.Select(g => new ConsumeTypeTotal(g.Key, -g.Amount, g.Count))],
            [.. totals.BySubject.Select(g => new ServiceCodeTotal(g.Key, -g.Amount, g.Count))],
            request.StartTime,
            request.EndTime));
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
