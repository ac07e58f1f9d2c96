using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.NewApi.Auth;
using Harness.NewApi.TopUp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Harness.NewApi.Subscriptions;

/// <summary>Subscription orders paid through Epay (new-api.md §6.5–6.6): the order, the signed notify, the browser's return.</summary>
public static class SubscriptionEpayApi
{
    public const string PlanDisabled = "套餐未启用";
    public const string PriceTooLow = "套餐金额过低";
    public const string BadCallback = "回调地址配置错误";
    public const string ReturnPath = "/console/topup";

    public static void MapSubscriptionEpay(this RouteGroupBuilder api)
    {
        var epay = api.MapGroup("/subscription/epay").WithTags("Subscriptions");
        epay.MapPost("/pay", Pay).RequireUser().RequireCriticalRateLimit()
            .WithSummary("Places an Epay subscription order for {plan_id, payment_method}: data is the signed form to post to url (the gateway's submit.php).");
        epay.MapMethods("/notify", ["GET", "POST"], Notify).AllowAnonymous()
            .WithSummary("Epay's signed notify (query or form): success once the subscription is delivered (or already was), fail otherwise.");
        epay.MapMethods("/return", ["GET", "POST"], Return).AllowAnonymous()
            .WithSummary("The browser's return from Epay: completes a paid order like the notify, then 302 to /console/topup?pay=success|pending|fail.");
    }

    private static async Task<IResult> Pay(
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

        if (!plan.Enabled)
        {
            return NewApiEnvelope.Fail(PlanDisabled);
        }

        if (plan.PriceAmount < 0.01m)
        {
            return NewApiEnvelope.Fail(PriceTooLow);
        }

        if (!s.PayMethods.Any(m => m.Type == request.PaymentMethod))
        {
            return NewApiEnvelope.Fail(TopUpApi.NoSuchMethod);
        }

        var user = http.CurrentUser();
        if (subscriptions.OrderLimitReached(user.NumericId, plan))
        {
            return NewApiEnvelope.Fail(UserSubscriptions.LimitReached);
        }

        var site = TopUpApi.SiteOf(s, http);
        var callback = s.CustomCallbackAddress.Length > 0 ? s.CustomCallbackAddress.TrimEnd('/') : site;
        if (!Uri.TryCreate(callback, UriKind.Absolute, out _))
        {
            return NewApiEnvelope.Fail(BadCallback);
        }

        if (!s.EpayEnabled)
        {
            return NewApiEnvelope.Fail(TopUpApi.NotConfigured);
        }

        // The pending order is inserted first, as upstream; the limit is checked again with it under the user's lock,
        // so two orders at once cannot both pass it.
        var order = await subscriptions.UnderUserLockAsync(user.NumericId, () =>
        {
            if (subscriptions.OrderLimitReached(user.NumericId, plan))
            {
                return null;
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            return store.AddOrder(new SubscriptionOrder
            {
                UserId = user.NumericId,
                PlanId = plan.Number,
                Money = plan.PriceAmount,
                TradeNo = EpayGateway.TradeNo("SUB", user.Id, now),
                PaymentMethod = request.PaymentMethod!,
                PaymentProvider = "epay",
                CreateTime = now,
            });
        }, ct);
        if (order is null)
        {
            return NewApiEnvelope.Fail(UserSubscriptions.LimitReached);
        }

        var form = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["pid"] = s.EpayId,
            ["type"] = order.PaymentMethod,
            ["out_trade_no"] = order.TradeNo,
            ["notify_url"] = callback + "/api/subscription/epay/notify",
            ["return_url"] = callback + "/api/subscription/epay/return",
            ["name"] = "SUB:" + plan.Title,
            ["money"] = EpayGateway.Money(order.Money),
            ["device"] = "pc",
        };
        EpayGateway.SignedForm(form, s.EpayKey);
        return LegacyResponse.Success(form, s.PayAddress.TrimEnd('/') + "/submit.php");
    }

    /// <summary>
    /// The notify. As upstream it completes only subscription orders (a top-up's trade number is <c>fail</c>); as the
    /// top-up notify here, a paid amount that differs from the order's is <c>fail</c>.
    /// </summary>
    private static async Task<IResult> Notify(HttpRequest request, IOptions<TopUpSettings> options, SubscriptionStore store, ISubscriptionOrders orders, CancellationToken ct)
    {
        var values = await EpayGateway.SignedCallbackAsync(request, options.Value);
        if (values is null || values.GetValueOrDefault("trade_status") != "TRADE_SUCCESS")
        {
            return Results.Text("fail");
        }

        return Results.Text(await CompleteAsync(values, store, orders, ct) ? "success" : "fail");
    }

    private static async Task<IResult> Return(HttpRequest request, IOptions<TopUpSettings> options, SubscriptionStore store, ISubscriptionOrders orders, CancellationToken ct)
    {
        var target = options.Value.ServerAddress.TrimEnd('/') + ReturnPath + "?pay=";
        var values = await EpayGateway.SignedCallbackAsync(request, options.Value);
        if (values is null)
        {
            return Results.Redirect(target + "fail");
        }

        if (values.GetValueOrDefault("trade_status") != "TRADE_SUCCESS")
        {
            return Results.Redirect(target + "pending");
        }

        return Results.Redirect(target + (await CompleteAsync(values, store, orders, ct) ? "success" : "fail"));
    }

    private static async Task<bool> CompleteAsync(Dictionary<string, string?> values, SubscriptionStore store, ISubscriptionOrders orders, CancellationToken ct)
    {
        var tradeNo = values.GetValueOrDefault("out_trade_no") ?? "";
        if (store.Order(tradeNo) is { } order && EpayGateway.Money(order.Money) != values.GetValueOrDefault("money"))
        {
            return false;
        }

        var result = await orders.CompleteAsync(tradeNo, "epay", values.GetValueOrDefault("type"), JsonSerializer.Serialize(values), ct);
        return result is SubscriptionCompletion.Completed or SubscriptionCompletion.AlreadyDone;
    }
}

public sealed record SubscriptionPayRequest(
    [property: JsonPropertyName("plan_id")] int? PlanId,
    [property: JsonPropertyName("payment_method")] string? PaymentMethod);
