using System.Text.Json;
using Harness.Chaos.Reports;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// New-API's top-up channels played against it (docs/new-api.md, top-ups): Epay (one order paid through the
/// sandbox, its notify resent), Stripe and Creem; validly signed callbacks repeated, reordered, concurrent and late,
/// and tampered, stale (Stripe) and wrong-amount (Epay) ones. Each paid order must credit its quota exactly once —
/// Epay <c>amount × 500,000</c>, Stripe <c>money × 500,000</c>, Creem the product's raw quota — and spoiled ones nothing.
/// </summary>
public sealed class NewApiCallbackChaos(NewApiClient newApi, HttpClient control)
{
    private const long QuotaPerUnit = 500_000;

    private readonly CallbackTally _tally = new("New-API", "quota");

    /// <summary>A placed top-up: its trade number and the quota it is worth once paid.</summary>
    private sealed record TopUp(string TradeNo, long Worth, JsonElement Order);

    public async Task<(CallbackFigures Figures, IReadOnlyList<Finding> Findings)> RunAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var credentials = await CallbackTally.CredentialsAsync(control, cancellationToken);
        var forge = new NotificationForge(credentials);
        await EpayAsync(forge, cancellationToken);
        await StripeAsync(forge, cancellationToken);
        await CreemAsync(forge, credentials["creem"]["one_time_product"], cancellationToken);

        var figures = _tally.Figures(3);
        log.WriteLine($"callback chaos (New-API): {figures.Channels} channels, {figures.Sent} notifications, {figures.SpoiledRefused} of {figures.Spoiled} tampered/stale refused, {figures.Excess} quota credited twice, {figures.Missing} paid quota not credited");
        return (figures, _tally.Findings);
    }

    /// <summary>Four orders: the first paid on the sandbox's Epay cashier, two by forged notifies, the last only spoiled.</summary>
    private async Task EpayAsync(NotificationForge forge, CancellationToken cancellationToken)
    {
        var user = await newApi.NewUserAsync(cancellationToken);
        var before = await newApi.QuotaAsync(user, cancellationToken);
        var orders = new List<TopUp>();
        foreach (var amount in new[] { 2, 3, 5, 7 })
        {
            var answer = await newApi.AnswerAsync(HttpMethod.Post, "/api/user/pay", new { amount, payment_method = "alipay" }, user, cancellationToken);
            var form = answer.GetProperty("data");
            orders.Add(new TopUp(form.GetProperty("out_trade_no").GetString()!, amount * QuotaPerUnit, form));
            if (orders.Count == 1)
            {
                // The buyer's browser posts the signed form to the gateway: that opens the sandbox's payment.
                var fields = form.EnumerateObject().ToDictionary(f => f.Name, f => f.Value.GetString() ?? "");
                using var submitted = await control.PostAsync(new Uri(answer.GetProperty("url").GetString()!), new FormUrlEncodedContent(fields), cancellationToken);
            }
        }

        var viaSandbox = orders[0];
        await _tally.PayThroughSandboxAsync(control, "epay", viaSandbox.TradeNo, async () => await StatusAsync(user, viaSandbox, cancellationToken) == "success", cancellationToken);

        static string Money(TopUp order) => order.Order.GetProperty("money").GetString()!;
        var spoiled = orders[^1];
        using (var wrongAmount = forge.EpayPaid(spoiled.TradeNo, "1" + Money(spoiled), "alipay", Spoil.None))
        {
            // Validly signed but for another amount: never credited (the reference refuses it; upstream acknowledges it).
            await _tally.SendAsync(newApi.Http, wrongAmount, Spoil.None, EpayAcknowledged, cancellationToken);
        }

        await PlayAsync("epay", user, before, orders, (order, spoil) => forge.EpayPaid(order.TradeNo, Money(order), "alipay", spoil), EpayAcknowledged, [Spoil.Signature, Spoil.BodyAfterSigning], cancellationToken);
    }

    private async Task StripeAsync(NotificationForge forge, CancellationToken cancellationToken)
    {
        var user = await newApi.NewUserAsync(cancellationToken);
        var before = await newApi.QuotaAsync(user, cancellationToken);
        foreach (var amount in new[] { 2, 3, 4 })
        {
            await newApi.DataAsync(HttpMethod.Post, "/api/user/stripe/pay", new { amount, payment_method = "stripe" }, user, cancellationToken);
        }

        // The session's client_reference_id is the order's trade number, which only the user's order list shows.
        var orders = (await OrdersAsync(user, "", cancellationToken))
            .Select(o => new TopUp(o.GetProperty("trade_no").GetString()!, (long)(o.GetProperty("money").GetDecimal() * QuotaPerUnit), o))
            .Reverse().ToList();
        await PlayAsync("stripe", user, before, orders, (order, spoil) => forge.StripePaid(order.TradeNo, (long)(order.Order.GetProperty("money").GetDecimal() * 100), spoil), WebhookAcknowledged, [Spoil.Signature, Spoil.BodyAfterSigning, Spoil.Stale], cancellationToken);
    }

    private async Task CreemAsync(NotificationForge forge, string product, CancellationToken cancellationToken)
    {
        var user = await newApi.NewUserAsync(cancellationToken);
        var before = await newApi.QuotaAsync(user, cancellationToken);
        var orders = new List<TopUp>();
        for (var i = 0; i < 3; i++)
        {
            var tradeNo = (await newApi.DataAsync(HttpMethod.Post, "/api/user/creem/pay", new { product_id = product, payment_method = "creem" }, user, cancellationToken)).GetProperty("order_id").GetString()!;
            var order = (await OrdersAsync(user, tradeNo, cancellationToken)).Single();
            orders.Add(new TopUp(tradeNo, order.GetProperty("amount").GetInt64(), order));
        }

        // Creem signs no timestamp: a stale webhook cannot be told from a resend, so only tampering is refusable.
        await PlayAsync("creem", user, before, orders, (order, spoil) => forge.CreemPaid(order.TradeNo, spoil), WebhookAcknowledged, [Spoil.Signature, Spoil.BodyAfterSigning], cancellationToken);
    }

    /// <summary>
    /// The paid orders (all but the last, which gets only spoiled callbacks): reordered, then concurrent repeats, then a
    /// late repeat each; then what the user was credited and whether the spoiled order was paid.
    /// </summary>
    private async Task PlayAsync(string channel, NewApiAccount user, long before, IReadOnlyList<TopUp> orders, Func<TopUp, Spoil, HttpRequestMessage> paid, Func<HttpResponseMessage, string, bool> acknowledged, Spoil[] refusable, CancellationToken cancellationToken)
    {
        async Task SendAsync(TopUp order, Spoil spoil)
        {
            using var request = paid(order, spoil);
            await _tally.SendAsync(newApi.Http, request, spoil, acknowledged, cancellationToken);
        }

        var paidOrders = orders.Take(orders.Count - 1).ToList();
        foreach (var order in Enumerable.Reverse(paidOrders))
        {
            await SendAsync(order, Spoil.None);
        }

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => SendAsync(paidOrders[i % paidOrders.Count], Spoil.None)));
        foreach (var order in paidOrders)
        {
            await SendAsync(order, Spoil.None);
        }

        var spoiled = orders[^1];
        foreach (var spoil in refusable)
        {
            await SendAsync(spoiled, spoil);
        }

        _tally.Credited(channel, await newApi.QuotaAsync(user, cancellationToken) - before, paidOrders.Sum(o => o.Worth));
        if (await StatusAsync(user, spoiled, cancellationToken) == "success")
        {
            _tally.SpoiledOrderPaid(channel, spoiled.TradeNo);
        }
    }

    private async Task<string?> StatusAsync(NewApiAccount user, TopUp order, CancellationToken cancellationToken) =>
        (await OrdersAsync(user, order.TradeNo, cancellationToken)).Single().GetProperty("status").GetString();

    /// <summary>The user's orders whose trade number contains <paramref name="keyword"/>, newest first.</summary>
    private async Task<List<JsonElement>> OrdersAsync(NewApiAccount user, string keyword, CancellationToken cancellationToken) =>
        (await newApi.DataAsync(HttpMethod.Get, "/api/user/topup/self?page_size=100&keyword=" + Uri.EscapeDataString(keyword), null, user, cancellationToken))
            .GetProperty("items").EnumerateArray().ToList();

    private static bool EpayAcknowledged(HttpResponseMessage answer, string body) => answer.IsSuccessStatusCode && body == "success";

    private static bool WebhookAcknowledged(HttpResponseMessage answer, string body) => answer.IsSuccessStatusCode;
}
