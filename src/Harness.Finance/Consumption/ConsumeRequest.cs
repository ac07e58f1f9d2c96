namespace Harness.Finance.Consumption;

/// <summary>
/// Body of consume and preCheck (user and OpenAPI routes). The quantity field must match the type:
/// <c>tokens</c> for TOKEN, <c>durationSeconds</c> for DURATION, <c>amount</c> (optional) for FIXED.
/// </summary>
public sealed record ConsumeRequest
{
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
}

/// <summary>A priced request: the plan it is billed on and the coins it costs.</summary>
public sealed record PricedConsumption(ConsumeRequest Request, Finance.ServicePlans.ServicePlanDocument Plan, long Coins)
{
    /// <summary>The fields that change the charge; the same key with another fingerprint is a conflict.</summary>
    public string Fingerprint =>
        string.Join('|', Request.ConsumeType, Request.ServiceCode, Request.PlanId, Request.Tokens, Request.DurationSeconds, Request.Amount);
}
