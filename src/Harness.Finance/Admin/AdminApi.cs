using Harness.Finance.Auth;
using Harness.Http;
using Harness.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Finance.Admin;

public sealed record CreateApiKeyRequest(string? Name, string? OwnerUserId, bool? AllUsers, List<string>? AllowedUserIds) : IValidatable
{
    public void Validate(Validator validator) => validator
        .Text(Name, "name", 100, required: true)
        .Require(AllUsers == true || AllowedUserIds is { Count: > 0 }, "give allUsers: true or at least one allowedUserIds entry")
        .Require(AllowedUserIds is not { Count: > 1000 }, "allowedUserIds may hold at most 1000 users");
}

public sealed record ApiKeyView(string Id, string Name, string OwnerUserId, bool AllUsers, IReadOnlyList<string> AllowedUserIds, DateTime CreatedAt, DateTime? RevokedAt)
{
    public static ApiKeyView From(ApiKeyDocument k) => new(k.Id, k.Name, k.OwnerUserId, k.AllUsers, k.AllowedUserIds, k.CreatedAt, k.RevokedAt);
}

/// <summary>The key is in the response of its creation only.</summary>
public sealed record CreatedApiKey(string Key, ApiKeyView ApiKey);

public sealed record CreditRequest(string? UserId, long? Amount, string? IdempotencyKey, string? Reason) : IValidatable
{
    public void Validate(Validator validator) => validator
        .IdempotencyKey(IdempotencyKey)
        .Positive(Amount, "amount", FieldRules.MaxCoins)
        .Text(Reason, "reason", 200, required: false)
        .Require(!string.IsNullOrEmpty(UserId), "userId is required");
}

public sealed record CreditResult(string RecordId, string UserId, long Amount, long BalanceBefore, long BalanceAfter, DateTime CreatedAt, bool Replayed);

/// <summary>The ledger's size, for a soak run watching memory against it.</summary>
public sealed record LedgerStatsView(long Entries);

/// <summary>Operator routes: API keys, coin credits, users and the ledger audit. Admin role required.</summary>
public static class AdminApi
{
    public static void MapAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/users", (UserDirectory users) => FinanceEnvelope.Ok(users.All().Select(UserView.From).ToList()))
            .WithSummary("List users");
        admin.MapGet("/apiKeys", (ApiKeyRegistry keys) => FinanceEnvelope.Ok(keys.All().Select(ApiKeyView.From).ToList()))
            .WithSummary("List OpenAPI keys (never the keys themselves)");
        admin.MapPost("/apiKeys", CreateKey).WithSummary("Create an OpenAPI key; the key is shown once");
        admin.MapPost("/apiKeys/{id}/revoke", RevokeKey).WithSummary("Revoke an OpenAPI key");
        admin.MapPost("/finance/credit", Credit).WithSummary("Credit coins to a user (idempotent per idempotencyKey)");
        admin.MapGet("/ledger/audit", (ILedger ledger) => FinanceEnvelope.Ok(ledger.Audit()))
            .WithSummary("Check every balance equals the sum of its ledger entries and none is negative");
        admin.MapGet("/ledger/stats", (ILedger ledger) => FinanceEnvelope.Ok(new LedgerStatsView(ledger.EntryCount)))
            .WithSummary("How many entries the ledger holds (a counter, no scan: cheap enough to poll during a soak)");
    }

    private static Results<Ok<FinanceResponse<CreatedApiKey>>, Refusal<Refused.Validation>> CreateKey(CreateApiKeyRequest request, HttpContext context, ApiKeyRegistry keys, UserDirectory users)
    {
        var owner = request.OwnerUserId ?? context.CurrentUser().Id;
        var allowed = request.AllowedUserIds ?? [];
        var unknown = users.Find(owner) is null ? $"ownerUserId '{owner}' is not a user"
            : allowed.Where(id => users.Find(id) is null).Select(id => $"allowedUserIds: user '{id}' not found").FirstOrDefault();
        if (unknown is not null)
        {
            return new Refusal<Refused.Validation>(unknown);
        }

        var (key, plain) = keys.Create(request.Name!, owner, request.AllUsers == true, allowed);
        return FinanceEnvelope.Ok(new CreatedApiKey(plain, ApiKeyView.From(key)));
    }

    private static Results<Ok<FinanceResponse<ApiKeyView>>, Refusal<Refused.NotFound>> RevokeKey(string id, ApiKeyRegistry keys) =>
        keys.Revoke(id) is { } key
            ? FinanceEnvelope.Ok(ApiKeyView.From(key))
            : new Refusal<Refused.NotFound>($"API key '{id}' not found");

    private static async Task<Results<Ok<FinanceResponse<CreditResult>>, Refusal<Refused.Validation>, Refusal<Refused.NotFound>, Refusal<Refused.Conflict>>> Credit(
        CreditRequest request, CoinCredits credits, CancellationToken cancellationToken)
    {
        var outcome = await credits.CreditAsync(request, cancellationToken);
        return outcome.Refusal switch
        {
            CreditRefusal.None => FinanceEnvelope.Ok(outcome.Result!),
            CreditRefusal.UnknownUser => new Refusal<Refused.NotFound>(outcome.Problem),
            CreditRefusal.KeyReused => new Refusal<Refused.Conflict>(outcome.Problem),
            _ => new Refusal<Refused.Validation>(outcome.Problem),
        };
    }
}
