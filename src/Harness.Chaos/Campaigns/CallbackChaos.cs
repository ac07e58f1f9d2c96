using System.Text.Json;
using Harness.Chaos.Reports;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Every channel the Finance surface takes payments on, played against it: a payment through the sandbox (its own
/// notification, then resent), validly signed notifications repeated, reordered, concurrent and late, and tampered,
/// stale and wrong-amount ones. Each paid order must credit its coins exactly once and nothing else may credit.
/// </summary>
public sealed class CallbackChaos(ChaosTarget target, HttpClient control)
{
    private static readonly (string Channel, string Provider)[] Channels = [("wechat", "wechatpay"), ("alipay", "alipay")];

    private static readonly Spoil[] Refusable = [Spoil.Signature, Spoil.BodyAfterSigning, Spoil.Stale];

    private readonly CallbackTally _tally = new("Finance", "coins");

    public async Task<(CallbackFigures Figures, IReadOnlyList<Finding> Findings)> RunAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var forge = new NotificationForge(await CallbackTally.CredentialsAsync(control, cancellationToken));
        var phone = 13955500100;
        foreach (var (channel, provider) in Channels)
        {
            var (token, _) = await target.SignInAsync((phone++).ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
            var plans = (await target.DataAsync(HttpMethod.Get, "/api/finance/recharge/plans", null, token, cancellationToken)).EnumerateArray().ToList();
            var before = await BalanceAsync(token, cancellationToken);
            var orders = new List<JsonElement>();
            for (var i = 0; i < 4; i++)
            {
                var plan = plans[i % plans.Count].GetProperty("id").GetString();
                orders.Add(await target.DataAsync(HttpMethod.Post, "/api/finance/recharge/create", new { planId = plan, channel }, token, cancellationToken));
            }

            var (viaSandbox, reordered1, reordered2, spoiled) = (orders[0], orders[1], orders[2], orders[3]);
            await _tally.PayThroughSandboxAsync(control, provider, OutTradeNo(viaSandbox), async () => await StatusAsync(viaSandbox, token, cancellationToken) == "PAID", cancellationToken);

            // Reordered, then concurrent repeats of both, then one late repeat each.
            await SendAsync(forge, channel, reordered2, Spoil.None, cancellationToken);
            await SendAsync(forge, channel, reordered1, Spoil.None, cancellationToken);
            await Task.WhenAll(Enumerable.Range(0, 16).Select(i => SendAsync(forge, channel, i % 2 == 0 ? reordered1 : reordered2, Spoil.None, cancellationToken)));
            await SendAsync(forge, channel, reordered1, Spoil.None, cancellationToken);
            await SendAsync(forge, channel, viaSandbox, Spoil.None, cancellationToken);

            foreach (var spoil in Refusable)
            {
                await SendAsync(forge, channel, spoiled, spoil, cancellationToken);
            }

            // Validly signed but for another amount: acknowledged (the channel must stop), never credited.
            using (var wrongAmount = forge.Paid(channel, OutTradeNo(spoiled), PayAmount(spoiled) + 1, Spoil.None))
            {
                await _tally.SendAsync(target.Http, wrongAmount, Spoil.None, (answer, body) => NotificationForge.Acknowledged(channel, answer, body), cancellationToken);
            }

            var expected = orders.Take(3).Sum(o => o.GetProperty("totalCoins").GetInt64());
            _tally.Credited(channel, await BalanceAsync(token, cancellationToken) - before, expected);
            if (await StatusAsync(spoiled, token, cancellationToken) == "PAID")
            {
                _tally.SpoiledOrderPaid(channel, OutTradeNo(spoiled));
            }
        }

        var figures = _tally.Figures(Channels.Length);
        log.WriteLine($"callback chaos (Finance): {figures.Channels} channels, {figures.Sent} notifications, {figures.SpoiledRefused} of {figures.Spoiled} tampered/stale refused, {figures.Excess} coins credited twice, {figures.Missing} paid coins not credited");
        return (figures, _tally.Findings);
    }

    private async Task SendAsync(NotificationForge forge, string channel, JsonElement order, Spoil spoil, CancellationToken cancellationToken)
    {
        using var request = forge.Paid(channel, OutTradeNo(order), PayAmount(order), spoil);
        await _tally.SendAsync(target.Http, request, spoil, (answer, body) => NotificationForge.Acknowledged(channel, answer, body), cancellationToken);
    }

    private async Task<string?> StatusAsync(JsonElement order, string token, CancellationToken cancellationToken) =>
        (await target.DataAsync(HttpMethod.Get, "/api/finance/recharge/status/" + order.GetProperty("orderNo").GetString(), null, token, cancellationToken)).GetProperty("status").GetString();

    private async Task<long> BalanceAsync(string token, CancellationToken cancellationToken) =>
        (await target.DataAsync(HttpMethod.Get, "/api/finance/balance", null, token, cancellationToken)).GetProperty("balance").GetInt64();

    private static string OutTradeNo(JsonElement order) => order.GetProperty("outTradeNo").GetString()!;

    private static long PayAmount(JsonElement order) => order.GetProperty("payAmount").GetInt64();
}
