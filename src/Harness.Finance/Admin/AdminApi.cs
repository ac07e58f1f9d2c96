using Harness.Finance.Auth;
using Harness.Finance.Consumption;
using Harness.Http;
using Harness.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Finance.Admin;

public sealed record CreateApiKeyRequest(string? Name, string? OwnerUserId, bool? AllUsers, List<string>? AllowedUserIds);

public sealed record ApiKeyView(string Id, string Name, string OwnerUserId, bool AllUsers, IReadOnlyList<string> AllowedUserIds, DateTime CreatedAt, DateTime? RevokedAt)
{
    public static ApiKeyView From(ApiKeyDocument k) => new(k.Id, k.Name, k.OwnerUserId, k.AllUsers, k.AllowedUserIds, k.CreatedAt, k.RevokedAt);
}

/// <summary>The key is in the response of its creation only.</summary>
public sealed record CreatedApiKey(string Key, ApiKeyView ApiKey);

public sealed record CreditRequest(string? UserId, long? Amount, string? IdempotencyKey, string? Reason);

public sealed record CreditResult(string RecordId, string UserId, long Amount, long BalanceBefore, long BalanceAfter, DateTime CreatedAt, bool Replayed);

/// <summary>Operator routes: API keys, coin credits, users and the ledger audit. Admin role required.</summary>
public static class AdminApi
{
    public const string CreditKind = "adjust";

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
    }

    private static IResult CreateKey(CreateApiKeyRequest request, HttpContext context, ApiKeyRegistry keys, UserDirectory users)
    {
        var owner = request.OwnerUserId ?? context.CurrentUser().Id;
        var allowed = request.AllowedUserIds ?? [];
        var error = FieldRules.Text(request.Name, "name", 100, required: true)
            ?? (users.Find(owner) is null ? $"ownerUserId '{owner}' is not a user" : null)
            ?? (request.AllUsers != true && allowed.Count == 0 ? "give allUsers: true or at least one allowedUserIds entry" : null)
            ?? (allowed.Count > 1000 ? "allowedUserIds may hold at most 1000 users" : null)
            ?? allowed.Where(id => users.Find(id) is null).Select(id => $"allowedUserIds: user '{id}' not found").FirstOrDefault();
        if (error is not null)
        {
            return FinanceEnvelope.Invalid(error);
        }

        var (key, plain) = keys.Create(request.Name!, owner, request.AllUsers == true, allowed);
        return FinanceEnvelope.Ok(new CreatedApiKey(plain, ApiKeyView.From(key)));
    }

    private static IResult RevokeKey(string id, ApiKeyRegistry keys) =>
        keys.Revoke(id) is { } key
            ? FinanceEnvelope.Ok(ApiKeyView.From(key))
            : FinanceEnvelope.Fail(ApiErrorKind.NotFound, $"API key '{id}' not found");

    private static async Task<IResult> Credit(CreditRequest request, UserDirectory users, ILedger ledger, CancellationToken cancellationToken)
    {
        var error = FieldRules.IdempotencyKey(request.IdempotencyKey)
            ?? FieldRules.Positive(request.Amount, "amount", FieldRules.MaxCoins)
            ?? FieldRules.Text(request.Reason, "reason", 200, required: false)
            ?? (string.IsNullOrEmpty(request.UserId) ? "userId is required" : null);
        if (error is not null)
        {
            return FinanceEnvelope.Invalid(error);
        }

        if (users.Find(request.UserId!) is null)
        {
            return FinanceEnvelope.Fail(ApiErrorKind.NotFound, $"user '{request.UserId}' not found");
        }

        var outcome = await ledger.PostAsync(
            new LedgerPosting(ConsumptionService.AccountOf(request.UserId!), request.Amount!.Value, CreditKind)
            {
                Idempotency = new IdempotencyClaim("finance:credit:" + request.UserId, request.IdempotencyKey!, request.Amount.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Reference = request.Reason,
            },
            cancellationToken);
        return outcome.Status switch
        {
            LedgerStatus.Applied or LedgerStatus.Replayed => FinanceEnvelope.Ok(new CreditResult(
                outcome.Entry!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                request.UserId!,
                outcome.Entry.Amount,
                outcome.Entry.BalanceBefore,
                outcome.Entry.BalanceAfter,
                outcome.Entry.CreatedAt,
                outcome.Status == LedgerStatus.Replayed)),
            LedgerStatus.IdempotencyConflict => FinanceEnvelope.Fail(ApiErrorKind.Conflict, $"idempotencyKey '{request.IdempotencyKey}' was already used with a different amount"),
            _ => FinanceEnvelope.Invalid("the credit would take the balance above its limit"),
        };
    }
}
