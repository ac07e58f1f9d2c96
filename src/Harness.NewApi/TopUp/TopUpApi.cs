using System.Globalization;
using System.Text.Json.Serialization;
using Harness.NewApi.Auth;
using Harness.NewApi.Quota;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Harness.NewApi.TopUp;

/// <summary>
/// Upstream's payment answer (new-api.md §1.1): <c>{"message": "success", "data": …, "url": …}</c> or
/// <c>{"message": "error", "data": "&lt;why&gt;"}</c>, HTTP 200, no <c>success</c> key.
/// </summary>
public sealed record LegacyResponse(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("data")] object? Data,
    [property: JsonPropertyName("url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url = null)
{
    public static Ok<LegacyResponse> Error(string why) => TypedResults.Ok(new LegacyResponse("error", why));

    public static Ok<LegacyResponse> Success(object? data, string? url = null) => TypedResults.Ok(new LegacyResponse("success", data, url));
}

/// <summary>Top-up through Epay (new-api.md §5.4–5.9, 5.14): info, quote, order, the signed notify, lists and manual completion.</summary>
public static class TopUpApi
{
    public const string ParameterError = "参数错误";
    public const string AmountTooLow = "充值金额过低";
    public const string NoSuchMethod = "支付方式不存在";
    public const string NotConfigured = "当前管理员未配置支付信息";
    public const string NoSuchOrder = "充值订单不存在";
    public const string NotPending = "订单状态不是待支付，无法补单";
    public const string InvalidQuota = "无效的充值额度";


    public static void MapTopUp(this RouteGroupBuilder api)
    {
        var user = api.MapGroup("/user").WithTags("Top-up");
        user.MapGet("/topup/info", Info).RequireUser().WithSummary("Payment configuration: enabled gateways, methods, minimums, amount options and discounts.");
        user.MapGet("/topup/self", Self).RequireUser().WithSummary("The user's own top-up orders, newest first; keyword: part of the trade number.");
        user.MapPost("/amount", Quote).RequireUser().WithSummary("What an Epay top-up of amount costs (2 decimals, as a string).");
        user.MapPost("/pay", Pay).RequireUser().RequireCriticalRateLimit()
            .WithSummary("Places an Epay top-up: data is the signed form to post to url (the gateway's submit.php).");
        user.MapGet("/topup", All).RequireAdmin().WithSummary("Every top-up order, newest first; keyword: part of the trade number.");
        user.MapPost("/topup/complete", Complete).RequireAdmin()
            .WithSummary("Completes a pending order by hand and credits it once; an order already paid answers success without crediting again.");
        user.MapMethods("/epay/notify", ["GET", "POST"], Notify).AllowAnonymous()
            .WithSummary("Epay's signed notify (query or form). Answers success once the order is credited (or already was), fail otherwise.");
    }

    /// <summary>Upstream's info: Stripe is appended to the pay methods when it is enabled and not listed; Creem's products are the raw option string.</summary>
    private static Ok<NewApiResponse<object>> Info(IOptions<TopUpSettings> options)
    {
        var s = options.Value;
        var payMethods = s.StripeEnabled && !s.PayMethods.Any(m => m.Type == "stripe")
            ? [.. s.PayMethods, new PayMethod("Stripe", "stripe", "rgba(var(--semi-purple-5), 1)", s.StripeMinTopUp.ToString(CultureInfo.InvariantCulture))]
            : s.PayMethods;
        return TypedResults.Ok(new NewApiResponse<object>(true, "", new Dictionary<string, object?>
        {
            ["enable_online_topup"] = s.EpayEnabled,
            ["enable_stripe_topup"] = s.StripeEnabled,
            ["enable_creem_topup"] = s.CreemEnabled,
            ["enable_waffo_topup"] = false,
            ["waffo_pay_methods"] = null,
            ["creem_products"] = s.CreemProducts,
            ["pay_methods"] = payMethods,
            ["min_topup"] = s.MinTopUp,
            ["stripe_min_topup"] = s.StripeMinTopUp,
            ["waffo_min_topup"] = 1,
            ["amount_options"] = s.AmountOptions,
            ["discount"] = s.AmountDiscount,
            ["topup_link"] = s.TopUpLink,
        }));
    }

    private static Ok<NewApiResponse<Page<TopUpOrder>>> Self(TopUpOrders orders, HttpContext http) =>
        NewApiEnvelope.Ok(Paging.Of(http.Request, orders.List(http.CurrentUser().NumericId, http.Request.Query["keyword"].ToString())));

    private static Ok<NewApiResponse<Page<TopUpOrder>>> All(TopUpOrders orders, HttpContext http) =>
        NewApiEnvelope.Ok(Paging.Of(http.Request, orders.List(null, http.Request.Query["keyword"].ToString())));

    private static Ok<LegacyResponse> Quote(AmountRequest request, IOptions<TopUpSettings> options, QuotaAccounts quota, HttpContext http)
    {
        var s = options.Value;

        // Go binds a missing amount as 0, which the minimum then refuses.
        var amount = request.Amount ?? 0;
        if (AmountRefusal(s, quota, http.CurrentUser(), amount) is { } refusal)
        {
            return LegacyResponse.Error(refusal);
        }

        var money = s.PayMoney(amount, http.CurrentUser().Group);
        return money <= 0.01m ? LegacyResponse.Error(AmountTooLow) : LegacyResponse.Success(Money(money));
    }

    private static Ok<LegacyResponse> Pay(PayRequest request, IOptions<TopUpSettings> options, TopUpOrders orders, QuotaAccounts quota, TimeProvider clock, HttpContext http)
    {
        var s = options.Value;
        var user = http.CurrentUser();
        var amount = request.Amount ?? 0;
        if (AmountRefusal(s, quota, user, amount) is { } refusal)
        {
            return LegacyResponse.Error(refusal);
        }

        var money = s.PayMoney(amount, user.Group);
        if (money < 0.01m)
        {
            return LegacyResponse.Error(AmountTooLow);
        }

        if (!s.PayMethods.Any(m => m.Type == request.PaymentMethod))
        {
            return LegacyResponse.Error(NoSuchMethod);
        }

        if (!s.EpayEnabled)
        {
            return LegacyResponse.Error(NotConfigured);
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var tradeNo = EpayGateway.TradeNo("", user.Id, now);
        var site = SiteOf(s, http);
        var callback = s.CustomCallbackAddress.Length > 0 ? s.CustomCallbackAddress.TrimEnd('/') : site;
        var form = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["pid"] = s.EpayId,
            ["type"] = request.PaymentMethod,
            ["out_trade_no"] = tradeNo,
            ["notify_url"] = callback + "/api/user/epay/notify",
            ["return_url"] = site + "/console/log",
            ["name"] = "TUC" + amount.ToString(CultureInfo.InvariantCulture),
            ["money"] = Money(money),
            ["device"] = "pc",
        };
        EpayGateway.SignedForm(form, s.EpayKey);
        orders.Add(new TopUpOrder
        {
            UserId = user.NumericId,
            Amount = StoredUnits(s, amount),
            Money = decimal.Round(money, 2),
            TradeNo = tradeNo,
            PaymentMethod = request.PaymentMethod!,
            PaymentProvider = "epay",
            CreateTime = now,
        });
        return LegacyResponse.Success(form, s.PayAddress.TrimEnd('/') + "/submit.php");
    }

    /// <summary>
    /// The notify, hardened as later upstream builds are: the order is credited and marked in one step before
    /// <c>success</c> is answered; an unknown order, another provider or a paid amount that differs is <c>fail</c>.
    /// </summary>
    private static async Task<IResult> Notify(HttpRequest request, IOptions<TopUpSettings> options, TopUpCompletion completion, CancellationToken ct)
    {
        if (await EpayGateway.SignedCallbackAsync(request, options.Value) is not { } values)
        {
            return Results.Text("fail");
        }

        if (values.GetValueOrDefault("trade_status") != "TRADE_SUCCESS")
        {
            return Results.Text("success");
        }

        var result = await completion.CompleteAsync(
            values.GetValueOrDefault("out_trade_no") ?? "",
            "epay",
            values.GetValueOrDefault("type"),
            order => order.Amount * QuotaAccounts.PerUnit,
            order => Money(order.Money) == values.GetValueOrDefault("money") ? null : CompletionResult.Refused,
            ct);
        return Results.Text(result is CompletionResult.Completed or CompletionResult.AlreadyDone ? "success" : "fail");
    }

    private static async Task<Ok<NewApiResponse<object>>> Complete(CompleteRequest request, TopUpCompletion completion, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.TradeNo))
        {
            return NewApiEnvelope.Fail(ParameterError);
        }

        // Stripe orders hold the quota in money, Creem orders in amount as raw quota, the others in amount × 500,000
        // (upstream multiplies Creem's too: docs/new-api.md).
        var result = await completion.CompleteAsync(request.TradeNo, null, null, order => order.PaymentProvider switch
        {
            "stripe" => (long)(order.Money * QuotaAccounts.PerUnit),
            "creem" => order.Amount,
            _ => order.Amount * QuotaAccounts.PerUnit,
        }, null, ct);
        return result switch
        {
            CompletionResult.Completed or CompletionResult.AlreadyDone => NewApiEnvelope.OkNull(),
            CompletionResult.NotFound => NewApiEnvelope.Fail(NoSuchOrder),
            CompletionResult.NotPending => NewApiEnvelope.Fail(NotPending),
            CompletionResult.NoQuota => NewApiEnvelope.Fail(InvalidQuota),
            _ => NewApiEnvelope.Fail("充值失败，请稍后重试"),
        };
    }

    /// <summary>Upstream's amount checks before the price: the minimum, then (hardened) what a balance can hold.</summary>
    private static string? AmountRefusal(TopUpSettings s, QuotaAccounts quota, NewApiUser user, long amount)
    {
        if (amount < s.MinAmount)
        {
            return $"充值数量不能小于 {s.MinAmount}";
        }

        var max = s.TokensMode ? TopUpLimits.MaxEpayAmount * QuotaAccounts.PerUnit : TopUpLimits.MaxEpayAmount;
        return amount > max ? TopUpLimits.TooMany(max) : TopUpLimits.Capacity(quota, user.NumericId, StoredUnits(s, amount) * (decimal)QuotaAccounts.PerUnit);
    }

    /// <summary>What an Epay order stores as its amount: USD units, so ⌊tokens ÷ 500,000⌋ in TOKENS mode, as upstream.</summary>
    private static long StoredUnits(TopUpSettings s, long amount) => s.TokensMode ? amount / QuotaAccounts.PerUnit : amount;

    /// <summary>The site's address for return URLs: <c>ServerAddress</c>, else the address the request came to.</summary>
    internal static string SiteOf(TopUpSettings s, HttpContext http) =>
        s.ServerAddress.Length > 0 ? s.ServerAddress.TrimEnd('/') : $"{http.Request.Scheme}://{http.Request.Host}";

    internal static string Money(decimal money) => EpayGateway.Money(money);
}

public sealed record AmountRequest([property: JsonPropertyName("amount")] long? Amount);

public sealed record PayRequest(
    [property: JsonPropertyName("amount")] long? Amount,
    [property: JsonPropertyName("payment_method")] string? PaymentMethod);

public sealed record CompleteRequest([property: JsonPropertyName("trade_no")] string? TradeNo);
