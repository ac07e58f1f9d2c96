using System.Text.Json.Serialization;
using Harness.NewApi.TopUp;

namespace Harness.NewApi.Subscriptions;

/// <summary>A plan as admins send it, inside <c>{"plan": {…}}</c>; what is left out is Go's zero value.</summary>
public sealed record PlanInput(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("subtitle")] string? Subtitle,
    [property: JsonPropertyName("price_amount")] decimal? PriceAmount,
    [property: JsonPropertyName("currency")] string? Currency,
    [property: JsonPropertyName("duration_unit")] string? DurationUnit,
    [property: JsonPropertyName("duration_value")] int? DurationValue,
    [property: JsonPropertyName("custom_seconds")] long? CustomSeconds,
    [property: JsonPropertyName("enabled")] bool? Enabled,
    [property: JsonPropertyName("sort_order")] int? SortOrder,
    [property: JsonPropertyName("stripe_price_id")] string? StripePriceId,
    [property: JsonPropertyName("creem_product_id")] string? CreemProductId,
    [property: JsonPropertyName("max_purchase_per_user")] int? MaxPurchasePerUser,
    [property: JsonPropertyName("upgrade_group")] string? UpgradeGroup,
    [property: JsonPropertyName("total_amount")] long? TotalAmount,
    [property: JsonPropertyName("quota_reset_period")] string? QuotaResetPeriod,
    [property: JsonPropertyName("quota_reset_custom_seconds")] long? QuotaResetCustomSeconds)
{
    public static readonly PlanInput Empty = new(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
}

public sealed record PlanRequest([property: JsonPropertyName("plan")] PlanInput? Plan);

/// <summary>Upstream's plan checks on create and full update (new-api.md §6.4), in its order and with its messages.</summary>
public static class PlanRules
{
    public const string NoTitle = "套餐标题不能为空";
    public const string NegativePrice = "价格不能为负数";
    public const string PriceTooHigh = "价格不能超过9999";
    public const string NegativeLimit = "购买上限不能为负数";
    public const string NegativeTotal = "总额度不能为负数";
    public const string NoSuchGroup = "升级分组不存在";
    public const string ResetSeconds = "自定义重置周期需大于0秒";

    public const string DurationTooLong = "套餐时长不能超过100年";
    public const string ResetTooLong = "自定义重置周期不能超过100年";

    public const decimal MaxPrice = 9999;

    /// <summary>
    /// The reference's own bound (docs/new-api.md): a longer plan cannot be represented as an end time, and upstream
    /// would store it and fail only when a paid order is delivered.
    /// </summary>
    public const long MaxSeconds = 100L * 365 * 24 * 3600;

    private static readonly string[] ResetPeriods = ["never", "daily", "weekly", "monthly", "custom"];

    /// <summary>The first rule the plan breaks, or null.</summary>
    public static string? Check(PlanInput input, TopUpSettings settings)
    {
        if (string.IsNullOrWhiteSpace(input.Title))
        {
            return NoTitle;
        }

        var price = input.PriceAmount ?? 0;
        if (price < 0)
        {
            return NegativePrice;
        }

        if (price > MaxPrice)
        {
            return PriceTooHigh;
        }

        if (input.MaxPurchasePerUser < 0)
        {
            return NegativeLimit;
        }

        if (input.TotalAmount < 0)
        {
            return NegativeTotal;
        }

        var group = (input.UpgradeGroup ?? "").Trim();
        if (group.Length > 0 && !settings.TopupGroupRatio.ContainsKey(group))
        {
            return NoSuchGroup;
        }

        var customReset = ResetPeriod(input.QuotaResetPeriod) == "custom";
        if (customReset && (input.QuotaResetCustomSeconds ?? 0) <= 0)
        {
            return ResetSeconds;
        }

        // After upstream's rules, so whatever upstream refuses is refused with upstream's message first.
        if (TooLong(input))
        {
            return DurationTooLong;
        }

        return customReset && input.QuotaResetCustomSeconds > MaxSeconds ? ResetTooLong : null;
    }

    /// <summary>Writes every field but <c>enabled</c> (create and update treat it differently), normalised as upstream.</summary>
    public static void Apply(SubscriptionPlan plan, PlanInput input, long now)
    {
        var unit = string.IsNullOrEmpty(input.DurationUnit) ? "month" : input.DurationUnit;
        var value = input.DurationValue ?? 0;
        plan.Title = input.Title ?? "";
        plan.Subtitle = input.Subtitle ?? "";
        plan.PriceAmount = input.PriceAmount ?? 0;
        plan.Currency = "USD";
        plan.DurationUnit = unit;
        plan.DurationValue = value <= 0 && unit != "custom" ? 1 : value;
        plan.CustomSeconds = input.CustomSeconds ?? 0;
        plan.SortOrder = input.SortOrder ?? 0;
        plan.StripePriceId = input.StripePriceId ?? "";
        plan.CreemProductId = input.CreemProductId ?? "";
        plan.MaxPurchasePerUser = input.MaxPurchasePerUser ?? 0;
        plan.UpgradeGroup = (input.UpgradeGroup ?? "").Trim();
        plan.TotalAmount = input.TotalAmount ?? 0;
        plan.QuotaResetPeriod = ResetPeriod(input.QuotaResetPeriod);
        plan.QuotaResetCustomSeconds = input.QuotaResetCustomSeconds ?? 0;
        plan.UpdatedAt = now;
    }

    /// <summary>Upstream's <c>NormalizeResetPeriod</c>: anything unknown is <c>never</c>.</summary>
    public static string ResetPeriod(string? period) =>
        (period ?? "").Trim() is var value && ResetPeriods.Contains(value) ? value : "never";

    /// <summary>Whether the plan runs longer than 100 years in its own unit (as it will be stored: an empty unit is a month).</summary>
    private static bool TooLong(PlanInput input)
    {
        long value = input.DurationValue ?? 0;
        return (string.IsNullOrEmpty(input.DurationUnit) ? "month" : input.DurationUnit) switch
        {
            "year" => value > 100,
            "month" => value > 100 * 12,
            "day" => value > 100 * 365,
            "hour" => value > 100 * 365 * 24,
            "custom" => (input.CustomSeconds ?? 0) > MaxSeconds,
            _ => false,
        };
    }
}
