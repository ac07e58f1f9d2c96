using Harness.Finance.ServicePlans;

namespace Harness.Finance.Consumption;

/// <summary>
/// Validates a consume or preCheck request and prices it from its plan:
/// TOKEN <c>ceil(tokens × rate / 1000)</c>, DURATION <c>ceil(seconds / 60) × rate</c>, FIXED the rate
/// (or the request's amount where the plan allows it).
/// </summary>
public sealed class Pricing(ServicePlanCatalog plans)
{
    private const long MaxTokens = 1_000_000_000_000;
    private const long MaxDurationSeconds = 10L * 365 * 24 * 3600;

    /// <returns>The priced request, or a message naming the field that is wrong.</returns>
    public (PricedConsumption? Priced, string? Error, bool PlanMissing) Price(ConsumeRequest request)
    {
        var error = FieldRules.Identifier(request.ServiceCode, "serviceCode")
            ?? ConsumeTypes.Validate(request.ConsumeType)
            ?? QuantityError(request)
            ?? (request.PlanId is null ? null : FieldRules.Identifier(request.PlanId, "planId"))
            ?? FieldRules.Text(request.BizId, "bizId", 128, required: false)
            ?? FieldRules.Text(request.Description, "description", 500, required: false)
            ?? FieldRules.Metadata(request.Metadata);
        if (error is not null)
        {
            return (null, error, false);
        }

        var plan = request.PlanId is { } planId ? plans.Find(planId) : plans.DefaultFor(request.ServiceCode!, request.ConsumeType!);
        if (plan is null)
        {
            return (null, request.PlanId is null
                ? $"no enabled service plan for serviceCode '{request.ServiceCode}' and consumeType {request.ConsumeType}"
                : $"service plan '{request.PlanId}' not found", true);
        }

        error = PlanError(request, plan);
        if (error is not null)
        {
            return (null, error, false);
        }

        Int128 coins = request.ConsumeType switch
        {
            ConsumeTypes.Token => ((Int128)request.Tokens!.Value * plan.Rate + 999) / 1000,
            ConsumeTypes.Duration => ((Int128)request.DurationSeconds!.Value + 59) / 60 * plan.Rate,
            _ => request.Amount ?? plan.Rate,
        };
        return coins > FieldRules.MaxCoins
            ? (null, $"the charge of {coins} coins exceeds the maximum of {FieldRules.MaxCoins} coins per request", false)
            : (new PricedConsumption(request, plan, (long)coins), null, false);
    }

    private static string? QuantityError(ConsumeRequest r)
    {
        string? Forbid(object? value, string field) => value is null ? null : $"{field} is not allowed for consumeType {r.ConsumeType}";

        return r.ConsumeType switch
        {
            ConsumeTypes.Token => FieldRules.Positive(r.Tokens, "tokens", MaxTokens)
                ?? Forbid(r.DurationSeconds, "durationSeconds") ?? Forbid(r.Amount, "amount"),
            ConsumeTypes.Duration => FieldRules.Positive(r.DurationSeconds, "durationSeconds", MaxDurationSeconds)
                ?? Forbid(r.Tokens, "tokens") ?? Forbid(r.Amount, "amount"),
            _ => (r.Amount is null ? null : FieldRules.Positive(r.Amount, "amount", FieldRules.MaxCoins))
                ?? Forbid(r.Tokens, "tokens") ?? Forbid(r.DurationSeconds, "durationSeconds"),
        };
    }

    private static string? PlanError(ConsumeRequest request, ServicePlanDocument plan)
    {
        if (plan.ServiceCode != request.ServiceCode)
        {
            return $"service plan '{plan.Id}' belongs to serviceCode '{plan.ServiceCode}', not '{request.ServiceCode}'";
        }

        if (plan.ConsumeType != request.ConsumeType)
        {
            return $"service plan '{plan.Id}' bills {plan.ConsumeType}, not {request.ConsumeType}";
        }

        if (!plan.Enabled)
        {
            return $"service plan '{plan.Id}' is disabled";
        }

        return request.Amount is not null && !plan.AllowCustomAmount
            ? $"amount is not allowed: service plan '{plan.Id}' charges a fixed {plan.Rate} coins"
            : null;
    }
}
