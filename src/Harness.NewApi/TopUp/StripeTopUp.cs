using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Harness.NewApi.Auth;
using Harness.NewApi.Quota;
using Harness.NewApi.Subscriptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;

namespace Harness.NewApi.TopUp;

/// <summary>
/// Top-up through Stripe Checkout with Stripe.net (new-api.md §5.10–5.11): the quote, the order (a payment-mode
/// session of <c>StripePriceId</c> × amount) and the webhook, verified by <c>EventUtility</c>, that fulfils it once.
/// </summary>
public static class StripeTopUp
{
    public const string UnsupportedChannel = "不支持的支付渠道";
    public const string PayFailed = "拉起支付失败";
    public const int MaxAmount = 10_000;

    public static void MapStripeTopUp(this RouteGroupBuilder api)
    {
        api.MapPost("/user/stripe/amount", Quote).RequireUser().WithTags("Top-up")
            .WithSummary("What a Stripe top-up of amount costs: amount × StripeUnitPrice × group ratio × discount (2 decimals, a string).");
        api.MapPost("/user/stripe/pay", PayAsync).RequireUser().RequireCriticalRateLimit().WithTags("Top-up")
            .WithSummary("Places a Stripe top-up: data.pay_link is the Checkout Session's URL. payment_method must be \"stripe\".");
        api.MapPost("/stripe/webhook", WebhookAsync).AllowAnonymous().WithTags("Webhooks")
            .WithSummary("Stripe's webhook (Stripe-Signature, 300 s tolerance): completed or async-succeeded sessions fulfil their order once; 400 when the signature fails.");
    }

    private static Ok<LegacyResponse> Quote(StripePayRequest request, IOptions<TopUpSettings> options, HttpContext http)
    {
        var s = options.Value;

        // Go binds a missing amount as 0, which the minimum then refuses.
        var amount = request.Amount ?? 0;
        if (amount < s.StripeMinAmount)
        {
            return LegacyResponse.Error($"充值数量不能小于 {s.StripeMinAmount}");
        }

        var price = s.Units(amount) * s.StripeUnitPrice * s.GroupRatio(http.CurrentUser().Group) * s.Discount(amount);
        return price <= 0.01m ? LegacyResponse.Error(TopUpApi.AmountTooLow) : LegacyResponse.Success(TopUpApi.Money(price));
    }

    private static async Task<Ok<LegacyResponse>> PayAsync(
        StripePayRequest request, IOptions<TopUpSettings> options, TopUpOrders orders, QuotaAccounts quota, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var s = options.Value;
        var amount = request.Amount ?? 0;
        if (request.PaymentMethod != "stripe")
        {
            return LegacyResponse.Error(UnsupportedChannel);
        }

        // Upstream puts these two in message, with the number 10 as data.
        if (amount < s.StripeMinAmount)
        {
            return TypedResults.Ok(new LegacyResponse($"充值数量不能小于 {s.StripeMinAmount}", 10));
        }

        if (amount > MaxAmount)
        {
            return TypedResults.Ok(new LegacyResponse($"充值数量不能大于 {MaxAmount}", 10));
        }

        var user = http.CurrentUser();

        // The webhook credits money × 500,000, money being amount × the group ratio.
        if (TopUpLimits.Capacity(quota, user.NumericId, amount * s.GroupRatio(user.Group) * QuotaAccounts.PerUnit) is { } refusal)
        {
            return LegacyResponse.Error(refusal);
        }

        if (!s.StripeApiSecret.StartsWith("sk_", StringComparison.Ordinal) && !s.StripeApiSecret.StartsWith("rk_", StringComparison.Ordinal))
        {
            return LegacyResponse.Error(PayFailed);
        }

        var now = clock.GetUtcNow();
        var tradeNo = "ref_" + Sha1Hex($"new-api-ref-{user.Id}-{now.ToUnixTimeMilliseconds()}-{RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 4)}");
        var site = TopUpApi.SiteOf(s, http);
        Session session;
        try
        {
            session = await CheckoutAsync(s, user, tradeNo, "payment", s.StripePriceId, amount, site + "/console/log", site + "/console/topup", ct);
        }
        catch (StripeException)
        {
            return LegacyResponse.Error(PayFailed);
        }

        orders.Add(new TopUpOrder
        {
            UserId = user.NumericId,
            Amount = amount,
            Money = amount * s.GroupRatio(user.Group),
            TradeNo = tradeNo,
            PaymentMethod = "stripe",
            PaymentProvider = "stripe",
            CreateTime = now.ToUnixTimeSeconds(),
        });
        return LegacyResponse.Success(new Dictionary<string, string> { ["pay_link"] = session.Url });
    }

    /// <summary>A Checkout Session for the user: the customer of an earlier payment again, else their email and a new customer.</summary>
    internal static Task<Session> CheckoutAsync(
        TopUpSettings s, NewApiUser user, string tradeNo, string mode, string priceId, long quantity, string successUrl, string cancelUrl, CancellationToken ct)
    {
        var client = new StripeClient(s.StripeApiSecret, apiBase: s.StripeApiBase.TrimEnd('/'));
        var create = new SessionCreateOptions
        {
            ClientReferenceId = tradeNo,
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            Mode = mode,
            LineItems = [new SessionLineItemOptions { Price = priceId, Quantity = quantity }],
            AllowPromotionCodes = s.StripePromotionCodesEnabled,
        };
        if (user.StripeCustomer.Length > 0)
        {
            create.Customer = user.StripeCustomer;
        }
        else
        {
            create.CustomerEmail = user.Email.Length > 0 ? user.Email : null;
            create.CustomerCreation = mode == "payment" ? "always" : null;
        }

        return client.V1.Checkout.Sessions.CreateAsync(create, cancellationToken: ct);
    }

    /// <summary>
    /// Upstream's webhook: once the signature holds, 200 whatever the processing did (a failure is only logged there,
    /// and the order stays pending for a resend or the admin). The subscription order is tried first.
    /// </summary>
    private static async Task<IResult> WebhookAsync(
        HttpRequest request, IOptions<TopUpSettings> options, ISubscriptionOrders subscriptions, ProviderRenewals renewals,
        TopUpCompletion completion, TopUpOrders orders, NewApiUsers users, CancellationToken ct)
    {
        var s = options.Value;
        if (!s.StripeEnabled)
        {
            return NewApiEnvelope.Bare(StatusCodes.Status403Forbidden);
        }

        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(ct);
        }

        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(body, request.Headers["Stripe-Signature"].ToString(), s.StripeWebhookSecret, throwOnApiVersionMismatch: false);
        }
        catch (StripeException)
        {
            return NewApiEnvelope.Bare(StatusCodes.Status400BadRequest);
        }

        switch (stripeEvent.Data.Object)
        {
            case Session { ClientReferenceId: { Length: > 0 } tradeNo } session:
                await SessionEventAsync(stripeEvent.Type, session, tradeNo, body, subscriptions, renewals, completion, orders, users, ct);
                break;
            case Invoice { BillingReason: "subscription_cycle", Status: "paid" } invoice when stripeEvent.Type == "invoice.paid"
                && invoice.Parent?.SubscriptionDetails?.SubscriptionId is { } renewed:
                await renewals.RenewAsync(renewed, invoice.Id, ct);
                break;
            case Subscription ended when stripeEvent.Type == "customer.subscription.deleted":
                await renewals.EndAsync(ended.Id, ct);
                break;
        }

        return Results.Ok();
    }

    private static async Task SessionEventAsync(
        string type, Session session, string tradeNo, string body, ISubscriptionOrders subscriptions, ProviderRenewals renewals,
        TopUpCompletion completion, TopUpOrders orders, NewApiUsers users, CancellationToken ct)
    {
        switch (type)
        {
            case "checkout.session.completed" when session.Status == "complete" && session.PaymentStatus == "paid":
            case "checkout.session.async_payment_succeeded":
                var delivered = await subscriptions.CompleteAsync(tradeNo, "stripe", "stripe", body, ct);
                if (delivered is SubscriptionCompletion.Completed or SubscriptionCompletion.AlreadyDone && session.SubscriptionId is { Length: > 0 } stripeSubscription)
                {
                    await renewals.LinkAsync(tradeNo, stripeSubscription, ct);
                }

                if (delivered == SubscriptionCompletion.NotASubscriptionOrder
                    && await completion.CompleteAsync(tradeNo, "stripe", null, order => (long)(order.Money * QuotaAccounts.PerUnit), null, ct) == CompletionResult.Completed
                    && session.CustomerId is { Length: > 0 } customer && orders.Find(tradeNo) is { } paid && users.Find(paid.UserId) is { } payer)
                {
                    payer.StripeCustomer = customer;
                    users.Save(payer);
                }

                break;
            case "checkout.session.async_payment_failed":
                await completion.EndAsync(tradeNo, "stripe", "failed", ct);
                break;
            case "checkout.session.expired" when session.Status == "expired":
                if (!await subscriptions.ExpireAsync(tradeNo, ct))
                {
                    await completion.EndAsync(tradeNo, "stripe", "expired", ct);
                }

                break;
        }
    }

    /// <summary>Upstream's trade-number format (<c>ref_</c> + SHA-1 hex of a unique text): an identifier, not a security measure.</summary>
#pragma warning disable CA5350 // SHA-1 only shapes the identifier as upstream does; nothing is protected by it.
    internal static string Sha1Hex(string text) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5350
}

public sealed record StripePayRequest(
    [property: JsonPropertyName("amount")] long? Amount,
    [property: JsonPropertyName("payment_method")] string? PaymentMethod);
