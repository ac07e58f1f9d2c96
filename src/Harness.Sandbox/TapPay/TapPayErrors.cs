using System.Text.Json.Nodes;
using Harness.Http;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.TapPay;

/// <summary>The status codes of providers.md §7.6 the sandbox answers with, and its choices where TapPay documents none.</summary>
public static class TapPayStatus
{
    public const int Success = 0;

    /// <summary>Record query: the page asked for holds no records.</summary>
    public const int EndOfList = 2;

    public const int WrongJsonFormat = 5;
    public const int WrongCardFormat = 41;
    public const int MerchantNotFound = 61;
    public const int InvalidApiKey = 80;
    public const int PartnerNotFound = 81;
    public const int CurrencyUnsupported = 89;
    public const int ExpiredPrime = 91;
    public const int InvalidArguments = 121;
    public const int GatewayTimeout = 421;
    public const int MissingCardholder = 501;
    public const int MissingMerchantId = 502;
    public const int MissingPrime = 503;
    public const int MissingCurrency = 504;
    public const int MissingDetails = 505;
    public const int MissingPartnerKey = 506;
    public const int MissingPhoneNumber = 507;
    public const int MissingName = 508;
    public const int MissingEmail = 509;
    public const int InvalidAmount = 510;
    public const int DetailsOutOfRange = 515;

    /// <summary>A bank decline; real traffic uses the 10000 range (§7.6), the sandbox uses this one code with the bank's reason.</summary>
    public const int BankDeclined = 10003;
}

/// <summary>
/// TapPay's answer shape, <c>{"status":…,"msg":"…"}</c>. The API itself answers every request with HTTP 200 and
/// the outcome in <c>status</c> (§7.1, §8.6.7: tappay-nodejs resolves HTTP errors instead of rejecting them), so
/// handlers use <see cref="Answer"/>; refusals no handler reached (unknown route, oversized or undecodable body,
/// injected faults) keep their HTTP status and carry the same body.
/// </summary>
public sealed class TapPayErrors : IErrorEnvelope
{
    public static readonly TapPayErrors Instance = new();

    public IResult Error(ApiErrorKind kind, string message)
    {
        var status = kind switch
        {
            ApiErrorKind.Validation or ApiErrorKind.UnsupportedMediaType or ApiErrorKind.PayloadTooLarge => TapPayStatus.WrongJsonFormat,
            ApiErrorKind.Unauthenticated or ApiErrorKind.Forbidden => TapPayStatus.InvalidApiKey,
            ApiErrorKind.Internal or ApiErrorKind.Unavailable => TapPayStatus.GatewayTimeout,
            _ => ApiErrorStatus.Default(kind),
        };
        return Results.Json(new JsonObject { ["status"] = status, ["msg"] = message }, statusCode: ApiErrorStatus.Default(kind));
    }

    /// <summary>A refusal as the API gives it: HTTP 200 with the status code and message.</summary>
    public static JsonObject Answer(int status, string msg) => new() { ["status"] = status, ["msg"] = msg };
}
