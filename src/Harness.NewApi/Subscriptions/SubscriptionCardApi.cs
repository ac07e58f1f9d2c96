using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.NewApi.Auth;
using Harness.NewApi.TopUp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Stripe;

namespace Harness.NewApi.Subscriptions;

/// <summary>
/// Subscription orders paid through Stripe (a <c>mode=subscription</c> Checkout Session, Stripe.net) and Creem (the
/// plan's Creem product), new-api.md §6.5. Their webhooks (<c>/api/stripe/webhook</c>, <c>/api/creem/webhook</c>)
/// complete them through <see cref="ISubscriptionOrders"/> before trying top-ups.
/// </summary>
public static class SubscriptionCardApi
{
    public const string NoStripePrice = "该套餐未配置 StripePriceId";
    public const string StripeNotConfigured = "Stripe 未配置或密钥无效";
    public const string StripeWebhookMissing = "Stripe Webhook 未配置";
    public const string NoCreemProduct = "该套餐未配置 CreemProductId";
    public const string CreemWebhookMissing = "Creem Webhook 未配置";
    public const string NoUser = "用户不存在";

    private const string Lowercase = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static void MapSubscriptionCards(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/subscription").WithTags("Subscriptions");
        group.MapPost("/stripe/pay", StripeAsync).RequireUser().RequireCriticalRateLimit()
            .WithSummary("Places a Stripe subscription order for {plan_id}: data.pay_link is a mode=subscription Checkout Session of the plan's StripePriceId.");
        group.MapPost("/creem/pay", CreemAsync).RequireUser().RequireCriticalRateLimit()
            .WithSummary("Places a Creem subscription order for {plan_id}: data.checkout_url and data.order_id.");
    }

    private static async Task<IResult> StripeAsync(
        SubscriptionPayRequest request, SubscriptionStore store, UserSubscriptions subscriptions, IOptions<TopUpSettings> options, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var s = options.Value;
        if (request?.PlanId is not > 0)
        {
            return NewApiEnvelope.Fail(SubscriptionApi.ParameterError);
        }

        if (store.Plan(request.PlanId.Value) is not { } plan)
        {
            return NewApiEnvelope.Fail(UserSubscriptions.NotFound);
        }

        string? refusal = !plan.Enabled ? SubscriptionEpayApi.PlanDisabled
            : plan.StripePriceId.Length == 0 ? NoStripePrice
            : !s.StripeApiSecret.StartsWith("sk_", StringComparison.Ordinal) && !s.StripeApiSecret.StartsWith("rk_", StringComparison.Ordinal) ? StripeNotConfigured
            : s.StripeWebhookSecret.Length == 0 ? StripeWebhookMissing
            : subscriptions.OrderLimitReached(http.CurrentUser().NumericId, plan) ? UserSubscriptions.LimitReached
            : null;
        if (refusal is not null)
        {
            return NewApiEnvelope.Fail(refusal);
        }

        var user = http.CurrentUser();
        var now = clock.GetUtcNow();
        var tradeNo = "sub_ref_" + StripeTopUp.Sha1Hex($"sub-stripe-ref-{user.Id}-{now.ToUnixTimeMilliseconds()}-{RandomNumberGenerator.GetString(Lowercase, 4)}");
        var back = TopUpApi.SiteOf(s, http) + SubscriptionEpayApi.ReturnPath;
        string url;
        try
        {
            url = (await StripeTopUp.CheckoutAsync(s, user, tradeNo, "subscription", plan.StripePriceId, 1, back, back, ct)).Url;
        }
        catch (StripeException)
        {
            return LegacyResponse.Error(StripeTopUp.PayFailed);
        }

        return await AddOrderAsync(store, subscriptions, user, plan, tradeNo, "stripe", now, ct) is null
            ? NewApiEnvelope.Fail(UserSubscriptions.LimitReached)
            : LegacyResponse.Success(new Dictionary<string, string> { ["pay_link"] = url });
    }

    private static async Task<IResult> CreemAsync(
        SubscriptionPayRequest request, SubscriptionStore store, UserSubscriptions subscriptions, IOptions<TopUpSettings> options,
        IHttpClientFactory httpClients, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var s = options.Value;
        if (request?.PlanId is not > 0)
        {
            return LegacyResponse.Error(SubscriptionApi.ParameterError);
        }

        if (store.Plan(request.PlanId.Value) is not { } plan)
        {
            return LegacyResponse.Error(UserSubscriptions.NotFound);
        }

        var user = http.CurrentUser();
        string? refusal = !plan.Enabled ? SubscriptionEpayApi.PlanDisabled
            : plan.CreemProductId.Length == 0 ? NoCreemProduct
            : s.CreemWebhookSecret.Length == 0 && !s.CreemTestMode ? CreemWebhookMissing
            : subscriptions.OrderLimitReached(user.NumericId, plan) ? UserSubscriptions.LimitReached
            : null;
        if (refusal is not null)
        {
            return LegacyResponse.Error(refusal);
        }

        // As upstream: the pending order first, then the checkout; a failed checkout leaves it pending.
        var now = clock.GetUtcNow();
        var tradeNo = "sub_ref_" + StripeTopUp.Sha1Hex($"sub-creem-ref-{RandomNumberGenerator.GetString(Lowercase, 6)}{now.ToString("O", CultureInfo.InvariantCulture)}{user.Username}");
        if (await AddOrderAsync(store, subscriptions, user, plan, tradeNo, "creem", now, ct) is null)
        {
            return LegacyResponse.Error(UserSubscriptions.LimitReached);
        }

        var metadata = new JsonObject
        {
            ["username"] = user.Username,
            ["reference_id"] = tradeNo,
            ["product_name"] = plan.Title,
            ["quota"] = "0",
        };
        return await CreemTopUp.CheckoutAsync(s, httpClients, plan.CreemProductId, tradeNo, user, metadata, ct) is { } url
            ? LegacyResponse.Success(new Dictionary<string, string> { ["checkout_url"] = url, ["order_id"] = tradeNo })
            : LegacyResponse.Error(StripeTopUp.PayFailed);
    }

    /// <summary>The pending order, the purchase limit checked again with it under the user's lock; null when it is reached.</summary>
    private static Task<SubscriptionOrder?> AddOrderAsync(
        SubscriptionStore store, UserSubscriptions subscriptions, NewApiUser user, SubscriptionPlan plan, string tradeNo, string provider, DateTimeOffset now, CancellationToken ct) =>
        subscriptions.UnderUserLockAsync(user.NumericId, () => subscriptions.OrderLimitReached(user.NumericId, plan)
            ? null
            : store.AddOrder(new SubscriptionOrder
            {
                UserId = user.NumericId,
                PlanId = plan.Number,
                Money = plan.PriceAmount,
                TradeNo = tradeNo,
                PaymentMethod = provider,
                PaymentProvider = provider,
                CreateTime = now.ToUnixTimeSeconds(),
            }), ct);
}
