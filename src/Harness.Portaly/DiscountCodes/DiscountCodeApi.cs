using Harness.Http;
using Harness.Portaly.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.DiscountCodes;

public static class DiscountCodeApi
{
    public const string NotFound = "Discount code not found.";
    public const string Duplicate = "A discount code with this code already exists for this profile.";
    public const string Immutable = "code cannot be changed after the discount code is created.";

    public static void MapDiscountCodes(this RouteGroupBuilder api)
    {
        var codes = api.MapGroup("/discount-codes").RequireApiKey().ValidateRequests().WithTags("Discount codes");
        codes.MapPost("", Create);
        codes.MapGet("", List);
        codes.MapGet("/lookup", Lookup);
        codes.MapGet("/{codeId}", Get);
        codes.MapPut("/{codeId}", Update);
        codes.MapDelete("/{codeId}", Delete);
    }

    /// <summary>Creates a code for the key's profile (201); the code string is unique per profile (409 <c>DUPLICATE_CODE</c>).</summary>
    private static Results<Created<PortalyResponse<DiscountCode>>, PortalyFailure> Create(CreateDiscountCodeRequest request, HttpContext context, DiscountCodeStore codes)
    {
        var outcome = codes.Create(context.CurrentKey().ProfileId, request);
        return outcome.Code is { } code ? PortalyEnvelope.Created($"/api/creator-subscription/discount-codes/{code.Id}", code) : Refusal(outcome);
    }

    /// <summary>The profile's codes, newest first: <c>status</c> active (the default) or disabled, cursor paged.</summary>
    private static Results<Ok<PortalyList<DiscountCode>>, PortalyFailure> List(HttpContext context, DiscountCodeStore codes, string? status, string? limit, string? startAfter)
    {
        if (status is not null && !CodeValues.Statuses.Contains(status, StringComparer.Ordinal))
        {
            return PortalyFailure.Invalid("status must be one of: active, disabled");
        }

        var (page, failure) = CursorPaging.Page(codes.Of(context.CurrentKey().ProfileId, status ?? CodeValues.Active), limit, startAfter, c => c);
        return page is null ? failure! : TypedResults.Ok(page);
    }

    /// <summary>The profile's code by its string, in any case (disabled codes too: <c>status</c> tells).</summary>
    private static Results<Ok<PortalyResponse<DiscountCode>>, PortalyFailure> Lookup(HttpContext context, DiscountCodeStore codes, string? code) =>
        string.IsNullOrWhiteSpace(code) ? PortalyFailure.Invalid("code is required")
        : codes.Lookup(context.CurrentKey().ProfileId, code.Trim()) is { } found ? PortalyEnvelope.Ok(found)
        : PortalyFailure.NotFound(NotFound);

    /// <summary>One code of the key's profile.</summary>
    private static Results<Ok<PortalyResponse<DiscountCode>>, PortalyFailure> Get(string codeId, HttpContext context, DiscountCodeStore codes) =>
        codes.Find(context.CurrentKey().ProfileId, codeId) is { } code ? PortalyEnvelope.Ok(code) : PortalyFailure.NotFound(NotFound);

    /// <summary>Updates the fields sent; sending <c>code</c> is refused with 400 <c>CODE_IMMUTABLE</c>.</summary>
    private static async Task<Results<Ok<PortalyResponse<DiscountCode>>, PortalyFailure>> Update(string codeId, UpdateDiscountCodeRequest request, HttpContext context, DiscountCodeStore codes)
    {
        if (request.Code is not null)
        {
            return new PortalyFailure(StatusCodes.Status400BadRequest, "CODE_IMMUTABLE", Immutable);
        }

        var outcome = await codes.UpdateAsync(context.CurrentKey().ProfileId, codeId, request);
        return outcome.Code is { } code ? PortalyEnvelope.Ok(code) : Refusal(outcome);
    }

    /// <summary>Soft delete: the code becomes disabled and leaves the default listing.</summary>
    private static async Task<Results<Ok<PortalyResponse<DiscountCode>>, PortalyFailure>> Delete(string codeId, HttpContext context, DiscountCodeStore codes)
    {
        var outcome = await codes.DisableAsync(context.CurrentKey().ProfileId, codeId);
        return outcome.Code is { } code ? PortalyEnvelope.Ok(code) : Refusal(outcome);
    }

    private static PortalyFailure Refusal(CodeOutcome outcome) => outcome.Refusal switch
    {
        CodeRefusal.NotFound => PortalyFailure.NotFound(NotFound),
        CodeRefusal.Duplicate => new PortalyFailure(StatusCodes.Status409Conflict, "DUPLICATE_CODE", Duplicate),
        _ => PortalyFailure.Invalid(outcome.Problem ?? PortalyEnvelope.ValidationFailed),
    };
}
