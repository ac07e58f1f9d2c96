using System.Text.Json.Serialization;
using Harness.Storage;

namespace Harness.NewApi.Subscriptions;

/// <summary>A subscription plan (upstream's <c>subscription_plans</c> row, new-api.md §6.1), as stored and as answered.</summary>
public sealed class SubscriptionPlan : IDocument
{
    /// <summary>The numeric id as a string, the document's key.</summary>
    [JsonIgnore]
    public string Id { get; set; } = "";

    [JsonPropertyName("id")]
    public int Number { get; set; }

    [JsonPropertyName("title")]
    public string Title { get; set; } = "";

    [JsonPropertyName("subtitle")]
    public string Subtitle { get; set; } = "";

    [JsonPropertyName("price_amount")]
    public decimal PriceAmount { get; set; }

    [JsonPropertyName("currency")]
    public string Currency { get; set; } = "USD";

    /// <summary><c>year</c>, <c>month</c>, <c>day</c>, <c>hour</c> or <c>custom</c>.</summary>
    [JsonPropertyName("duration_unit")]
    public string DurationUnit { get; set; } = "month";

    [JsonPropertyName("duration_value")]
    public int DurationValue { get; set; } = 1;

    /// <summary>The duration when the unit is <c>custom</c>.</summary>
    [JsonPropertyName("custom_seconds")]
    public long CustomSeconds { get; set; }

    [JsonPropertyName("enabled")]
    public bool Enabled { get; set; } = true;

    [JsonPropertyName("sort_order")]
    public int SortOrder { get; set; }

    [JsonPropertyName("stripe_price_id")]
    public string StripePriceId { get; set; } = "";

    [JsonPropertyName("creem_product_id")]
    public string CreemProductId { get; set; } = "";

    /// <summary>0 is unlimited; counts every subscription the user ever had of this plan.</summary>
    [JsonPropertyName("max_purchase_per_user")]
    public int MaxPurchasePerUser { get; set; }

    /// <summary>The group a subscriber is moved to while subscribed; empty: no change.</summary>
    [JsonPropertyName("upgrade_group")]
    public string UpgradeGroup { get; set; } = "";

    /// <summary>Quota units; 0 is unlimited.</summary>
    [JsonPropertyName("total_amount")]
    public long TotalAmount { get; set; }

    /// <summary><c>never</c>, <c>daily</c>, <c>weekly</c>, <c>monthly</c> or <c>custom</c>.</summary>
    [JsonPropertyName("quota_reset_period")]
    public string QuotaResetPeriod { get; set; } = "never";

    [JsonPropertyName("quota_reset_custom_seconds")]
    public long QuotaResetCustomSeconds { get; set; }

    [JsonPropertyName("created_at")]
    public long CreatedAt { get; set; }

    [JsonPropertyName("updated_at")]
    public long UpdatedAt { get; set; }
}

/// <summary>A paid subscription order (upstream's <c>subscription_orders</c> row, new-api.md §6.2).</summary>
public sealed class SubscriptionOrder : IDocument
{
    /// <summary>The trade number, the document's key.</summary>
    [JsonIgnore]
    public string Id { get; set; } = "";

    [JsonPropertyName("id")]
    public int Number { get; set; }

    [JsonPropertyName("user_id")]
    public int UserId { get; set; }

    [JsonPropertyName("plan_id")]
    public int PlanId { get; set; }

    /// <summary>The plan's price when the order was placed.</summary>
    [JsonPropertyName("money")]
    public decimal Money { get; set; }

    [JsonPropertyName("trade_no")]
    public string TradeNo { get; set; } = "";

    [JsonPropertyName("payment_method")]
    public string PaymentMethod { get; set; } = "";

    [JsonPropertyName("payment_provider")]
    public string PaymentProvider { get; set; } = "";

    /// <summary><c>pending</c>, <c>success</c> or <c>expired</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; set; } = "pending";

    [JsonPropertyName("create_time")]
    public long CreateTime { get; set; }

    [JsonPropertyName("complete_time")]
    public long CompleteTime { get; set; }

    /// <summary>The verified callback, as JSON.</summary>
    [JsonPropertyName("provider_payload")]
    public string ProviderPayload { get; set; } = "";

    /// <summary>Set before the subscription is created: after a crash the subscription carrying this trade number is found again.</summary>
    [JsonIgnore]
    public bool DeliveryStarted { get; set; }
}

/// <summary>A user's subscription (upstream's <c>user_subscriptions</c> row, new-api.md §6.2).</summary>
public sealed class UserSubscription : IDocument
{
    [JsonIgnore]
    public string Id { get; set; } = "";

    [JsonPropertyName("id")]
    public int Number { get; set; }

    [JsonPropertyName("user_id")]
    public int UserId { get; set; }

    [JsonPropertyName("plan_id")]
    public int PlanId { get; set; }

    /// <summary>The plan's <c>total_amount</c> when granted; 0 is unlimited.</summary>
    [JsonPropertyName("amount_total")]
    public long AmountTotal { get; set; }

    [JsonPropertyName("amount_used")]
    public long AmountUsed { get; set; }

    [JsonPropertyName("start_time")]
    public long StartTime { get; set; }

    [JsonPropertyName("end_time")]
    public long EndTime { get; set; }

    /// <summary><c>active</c>, <c>expired</c> or <c>cancelled</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; set; } = "active";

    /// <summary><c>order</c> or <c>admin</c>.</summary>
    [JsonPropertyName("source")]
    public string Source { get; set; } = "order";

    [JsonPropertyName("last_reset_time")]
    public long LastResetTime { get; set; }

    [JsonPropertyName("next_reset_time")]
    public long NextResetTime { get; set; }

    [JsonPropertyName("upgrade_group")]
    public string UpgradeGroup { get; set; } = "";

    [JsonPropertyName("prev_user_group")]
    public string PrevUserGroup { get; set; } = "";

    [JsonPropertyName("created_at")]
    public long CreatedAt { get; set; }

    [JsonPropertyName("updated_at")]
    public long UpdatedAt { get; set; }

    /// <summary>The order that paid for it; empty for an admin grant (crash repair looks it up).</summary>
    [JsonIgnore]
    public string TradeNo { get; set; } = "";

    /// <summary>The provider's recurring subscription behind it (Stripe <c>sub_…</c>), whose renewals extend it.</summary>
    [JsonIgnore]
    public string ProviderSubscriptionId { get; set; } = "";

    /// <summary>The provider invoices that already extended it, so a repeated <c>invoice.paid</c> extends it once.</summary>
    [JsonIgnore]
    public List<string> RenewedBy { get; set; } = [];
}
