using Harness.Finance.ServicePlans;

namespace Harness.Finance.Consumption;

/// <summary>Why a consumption was not charged.</summary>
public enum ConsumeRefusal
{
    /// <summary>No enabled plan for the service and type, or the named plan does not exist.</summary>
    PlanNotFound,

    /// <summary>The plan does not bill this request (another service or type, disabled, no custom amount), or the charge is over the limit.</summary>
    NotPriceable,

    /// <summary>The idempotency key was used before with a different request.</summary>
    KeyReused,

    InsufficientBalance,
}

/// <summary>A consumption's outcome: its value, or why it was refused, in words for the client.</summary>
public readonly record struct ConsumeOutcome<T>(T? Value, ConsumeRefusal Refusal, string Problem)
    where T : class;

public static class ConsumeOutcome
{
    public static ConsumeOutcome<T> Done<T>(T value)
        where T : class => new(value, default, "");

    public static ConsumeOutcome<T> Refused<T>(ConsumeRefusal refusal, string problem)
        where T : class => new(null, refusal, problem);
}

/// <summary>
/// Prices a valid consume or preCheck request from its plan: TOKEN <c>ceil(tokens × rate / 1000)</c>,
/// DURATION <c>ceil(seconds / 60) × rate</c>, FIXED the rate (or the request's amount where the plan
/// allows it). The request's fields were checked by <see cref="ConsumeRequest.PreCheckRules"/>.
/// </summary>
public sealed class Pricing(ServicePlanCatalog plans)
{
    public ConsumeOutcome<PricedConsumption> Price(ConsumeRequest request)
    {
        var plan = request.PlanId is { } planId ? plans.Find(planId) : plans.DefaultFor(request.ServiceCode!, request.ConsumeType!);
        if (plan is null)
        {
            return ConsumeOutcome.Refused<PricedConsumption>(ConsumeRefusal.PlanNotFound, request.PlanId is null
                ? $"no enabled service plan for serviceCode '{request.ServiceCode}' and consumeType {request.ConsumeType}"
                : $"service plan '{request.PlanId}' not found");
        }

        if (PlanProblem(request, plan) is { } problem)
        {
            return ConsumeOutcome.Refused<PricedConsumption>(ConsumeRefusal.NotPriceable, problem);
        }

        Int128 coins = request.ConsumeType switch
        {
            ConsumeTypes.Token => ((Int128)request.Tokens!.Value * plan.Rate + 999) / 1000,
            ConsumeTypes.Duration => ((Int128)request.DurationSeconds!.Value + 59) / 60 * plan.Rate,
            _ => request.Amount ?? plan.Rate,
        };
        return coins > FieldRules.MaxCoins
            ? ConsumeOutcome.Refused<PricedConsumption>(ConsumeRefusal.NotPriceable, $"the charge of {coins} coins exceeds the maximum of {FieldRules.MaxCoins} coins per request")
            : ConsumeOutcome.Done(new PricedConsumption(request, plan, (long)coins));
    }

    private static string? PlanProblem(ConsumeRequest request, ServicePlanDocument plan)
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

/// <summary>A priced request: the plan it is billed on and the coins it costs.</summary>
public sealed record PricedConsumption(ConsumeRequest Request, ServicePlanDocument Plan, long Coins);
