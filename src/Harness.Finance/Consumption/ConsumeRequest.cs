using Harness.Http;

namespace Harness.Finance.Consumption;

/// <summary>
/// Body of consume and preCheck (user and OpenAPI routes). The quantity field must match the type:
/// <c>tokens</c> for TOKEN, <c>durationSeconds</c> for DURATION, <c>amount</c> (optional) for FIXED.
/// </summary>
public sealed record ConsumeRequest
{
    private const long MaxTokens = 1_000_000_000_000;
    private const long MaxDurationSeconds = 10L * 365 * 24 * 3600;

    /// <summary>Required on consume: the same key never charges twice.</summary>
    public string? IdempotencyKey { get; init; }

    public string? ServiceCode { get; init; }

    /// <summary>TOKEN, DURATION or FIXED.</summary>
    public string? ConsumeType { get; init; }

    public long? Tokens { get; init; }

    public long? DurationSeconds { get; init; }

    /// <summary>FIXED only, and only on plans that allow a custom amount: the coins to charge.</summary>
    public long? Amount { get; init; }

    /// <summary>Bill on this plan instead of the service's default plan for the type.</summary>
    public string? PlanId { get; init; }

    public string? BizId { get; init; }

    public string? Description { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>OpenAPI routes: the user being billed. User routes take the user from the token.</summary>
    public string? UserId { get; init; }

    /// <summary>The fields that change the charge; the same key with another fingerprint is a conflict.</summary>
    public string ChargeFingerprint() => string.Join('|', ConsumeType, ServiceCode, PlanId, Tokens, DurationSeconds, Amount);

    /// <summary>preCheck: the fields that price a consumption, in the order they are checked.</summary>
    public static void PreCheckRules(ConsumeRequest request, Validator validator)
    {
        validator.Identifier(request.ServiceCode, "serviceCode").ConsumeType(request.ConsumeType);
        QuantityRules(request, validator);
        validator.OptionalIdentifier(request.PlanId, "planId")
            .Text(request.BizId, "bizId", 128, required: false)
            .Text(request.Description, "description", 500, required: false)
            .Metadata(request.Metadata);
    }

    /// <summary>consume: an idempotency key, then what preCheck checks.</summary>
    public static void ConsumeRules(ConsumeRequest request, Validator validator) =>
        PreCheckRules(request, validator.IdempotencyKey(request.IdempotencyKey));

    /// <summary>The OpenAPI routes name the user first.</summary>
    public static Action<ConsumeRequest, Validator> OnBehalf(Action<ConsumeRequest, Validator> rules) => (request, validator) =>
        rules(request, validator.Check(string.IsNullOrEmpty(request.UserId) ? "userId is required" : null));

    // The quantity field must match the type; a field of another type is refused, not ignored.
    private static void QuantityRules(ConsumeRequest r, Validator v)
    {
        switch (r.ConsumeType)
        {
            case ConsumeTypes.Token:
                v.Positive(r.Tokens, "tokens", MaxTokens).Absent(r.DurationSeconds, "durationSeconds", r.ConsumeType).Absent(r.Amount, "amount", r.ConsumeType);
                break;
            case ConsumeTypes.Duration:
                v.Positive(r.DurationSeconds, "durationSeconds", MaxDurationSeconds).Absent(r.Tokens, "tokens", r.ConsumeType).Absent(r.Amount, "amount", r.ConsumeType);
                break;
            default:
                (r.Amount is null ? v : v.Positive(r.Amount, "amount", FieldRules.MaxCoins))
                    .Absent(r.Tokens, "tokens", r.ConsumeType!).Absent(r.DurationSeconds, "durationSeconds", r.ConsumeType!);
                break;
        }
    }
}
