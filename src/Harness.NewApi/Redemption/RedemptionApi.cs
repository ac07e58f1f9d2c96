using System.Globalization;
using System.Text.Json.Serialization;
using Harness.NewApi.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.NewApi.Redemption;

/// <summary>The redemption routes of seed 001 (new-api.md §4): admin management under <c>/api/redemption</c>, and the user's redeem.</summary>
public static class RedemptionApi
{
    public const string EmptyId = "id 为空！";
    public const string NotFound = "record not found";
    public const string NoKey = "未提供兑换码";
    public const int MaxBatch = 100;

    public static void MapRedemption(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/redemption").RequireAdmin().WithTags("Redemption codes");
        admin.MapGet("/", List).WithSummary("Every code not deleted, newest first; paged by p and page_size.");
        admin.MapGet("/search", Search).WithSummary("keyword: an integer matches the id or a name prefix, anything else a name prefix; empty matches all.");
        admin.MapGet("/{id}", Get).WithSummary("One code.");
        admin.MapPost("/", Create).WithSummary("Creates count (1–100) codes of 32 hex characters; data is their keys.");
        admin.MapPut("/", Update).WithSummary("With status_only (any value): only status is set. Otherwise name, quota and expired_time.");
        admin.MapDelete("/invalid", DeleteInvalid).WithSummary("Deletes every disabled, used, or expired code; data is how many.");
        admin.MapDelete("/{id}", Delete).WithSummary("Deletes one code.");

        api.MapPost("/user/topup", Redeem).RequireUser().RequireCriticalRateLimit().WithTags("Redemption codes")
            .WithSummary("Redeems a code: data is the quota credited. One redeem per user at a time; a failure does not say why (as upstream).");
    }

    private static Ok<NewApiResponse<Page<RedemptionCode>>> List(Redemptions codes, HttpRequest request) =>
        NewApiEnvelope.Ok(Paging.Of(request, codes.List()));

    private static Ok<NewApiResponse<Page<RedemptionCode>>> Search(Redemptions codes, HttpRequest request) =>
        NewApiEnvelope.Ok(Paging.Of(request, codes.Search(request.Query["keyword"].ToString())));

    private static Ok<NewApiResponse<object>> Get(string id, Redemptions codes)
    {
        if (!int.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return NewApiEnvelope.Fail(ParseError(id));
        }

        return number == 0 ? NewApiEnvelope.Fail(EmptyId)
            : codes.Get(number) is { } code ? TypedResults.Ok(new NewApiResponse<object>(true, "", code))
            : NewApiEnvelope.Fail(NotFound);
    }

    private static Ok<NewApiResponse<object>> Create(CreateCodesRequest request, Redemptions codes, TimeProvider clock, HttpContext http)
    {
        var name = request.Name ?? "";
        var runes = name.EnumerateRunes().Count();
        if (runes is < 1 or > 20)
        {
            return NewApiEnvelope.Fail(Messages.NameLength.In(http));
        }

        var count = request.Count ?? 0;
        if (count <= 0)
        {
            return NewApiEnvelope.Fail(Messages.CountPositive.In(http));
        }

        if (count > MaxBatch)
        {
            return NewApiEnvelope.Fail(Messages.CountMax.In(http));
        }

        var expires = request.ExpiredTime ?? 0;
        if (expires != 0 && expires < clock.GetUtcNow().ToUnixTimeSeconds())
        {
            return NewApiEnvelope.Fail(Messages.ExpiryPast.In(http));
        }

        return TypedResults.Ok(new NewApiResponse<object>(true, "", codes.Create(http.CurrentUser().NumericId, name, request.Quota ?? 0, count, expires)));
    }

    private static async Task<Ok<NewApiResponse<object>>> Update(UpdateCodeRequest request, Redemptions codes, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var number = request.Id ?? 0;
        if (number == 0)
        {
            return NewApiEnvelope.Fail(EmptyId);
        }

        var statusOnly = http.Request.Query["status_only"].ToString().Length > 0;
        var expires = request.ExpiredTime ?? 0;
        if (!statusOnly && codes.Get(number) is not null && expires != 0 && expires < clock.GetUtcNow().ToUnixTimeSeconds())
        {
            return NewApiEnvelope.Fail(Messages.ExpiryPast.In(http));
        }

        return await codes.UpdateAsync(number, statusOnly, request.Status ?? 0, request.Name ?? "", request.Quota ?? 0, expires, ct) is { } code
            ? TypedResults.Ok(new NewApiResponse<object>(true, "", code))
            : NewApiEnvelope.Fail(NotFound);
    }

    private static async Task<Ok<NewApiResponse<object>>> Delete(string id, Redemptions codes, CancellationToken ct)
    {
        if (!int.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number == 0)
        {
            return NewApiEnvelope.Fail(EmptyId);
        }

        return await codes.DeleteAsync(number, ct) ? NewApiEnvelope.Done() : NewApiEnvelope.Fail(NotFound);
    }

    /// <summary>The count is boxed: <c>NewApiResponse&lt;int&gt;</c> cannot be serialized (its <c>data</c> ignores nulls, and an int is never null).</summary>
    private static async Task<Ok<NewApiResponse<object>>> DeleteInvalid(Redemptions codes, CancellationToken ct) =>
        TypedResults.Ok(new NewApiResponse<object>(true, "", await codes.DeleteInvalidAsync(ct)));

    private static async Task<Ok<NewApiResponse<object>>> Redeem(RedeemRequest request, Redemptions codes, HttpContext http, CancellationToken ct)
    {
        var outcome = await codes.RedeemAsync(http.CurrentUser().NumericId, request.Key, ct);
        return outcome.Refusal switch
        {
            RedeemRefusal.None => TypedResults.Ok(new NewApiResponse<object>(true, "", outcome.Quota)),
            RedeemRefusal.Processing => NewApiEnvelope.Fail(Messages.TopUpProcessing.In(http)),
            RedeemRefusal.NoKey => NewApiEnvelope.Fail(NoKey),
            _ => NewApiEnvelope.Fail(Messages.RedeemFailed.In(http)),
        };
    }

    /// <summary>Go's <c>strconv.Atoi</c> error, which upstream answers as it is.</summary>
    private static string ParseError(string id) => $"strconv.Atoi: parsing \"{id}\": invalid syntax";
}

public sealed record CreateCodesRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("quota")] long? Quota,
    [property: JsonPropertyName("count")] int? Count,
    [property: JsonPropertyName("expired_time")] long? ExpiredTime);

public sealed record UpdateCodeRequest(
    [property: JsonPropertyName("id")] int? Id,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("quota")] long? Quota,
    [property: JsonPropertyName("expired_time")] long? ExpiredTime);

public sealed record RedeemRequest([property: JsonPropertyName("key")] string? Key);
