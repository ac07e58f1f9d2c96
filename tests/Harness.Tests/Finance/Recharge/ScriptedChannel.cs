using System.Collections.Concurrent;
using System.Text.Json;
using Harness.Finance.Payments.Channels;
using Microsoft.AspNetCore.Http;

namespace Harness.Tests.Finance.Recharge;

/// <summary>
/// A channel whose side the test scripts: what a query answers, whether closing or placing fails, and notifications
/// as plain JSON (<c>{"outTradeNo", "amount", "state", "refuse"}</c>). It takes the real channels' name, so the
/// settlement above it is exercised exactly as with WeChat Pay; the wire itself is tested against the sandbox.
/// </summary>
public sealed class ScriptedChannel(string name = "wechat") : IPaymentChannel
{
    private readonly ConcurrentDictionary<string, ChannelTrade> _trades = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public ConcurrentBag<string> Closed { get; } = [];

    public string? PlaceFailure { get; set; }

    public string? QueryFailure { get; set; }

    /// <summary>Makes the channel's own record of an order say it was paid (as if its notification were lost).</summary>
    public void MarkPaid(string outTradeNo, long amount) =>
        _trades[outTradeNo] = new ChannelTrade(outTradeNo, ChannelTradeState.Paid, amount, "T" + outTradeNo, DateTimeOffset.UtcNow);

    /// <summary>When set, an order is placed only once this completes (a channel slow to answer).</summary>
    public Task? PlaceGate { get; set; }

    /// <summary>The orders placed, in order.</summary>
    public ConcurrentQueue<string> Placed { get; } = [];

    public async Task<ChannelOrder> PlaceAsync(ChannelOrderRequest request, CancellationToken cancellationToken)
    {
        if (PlaceGate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        if (PlaceFailure is { } failure)
        {
            throw new ChannelException(failure);
        }

        Placed.Enqueue(request.OutTradeNo);
        _trades[request.OutTradeNo] = new ChannelTrade(request.OutTradeNo, ChannelTradeState.NotPaid, request.Amount, null, null);
        return new ChannelOrder("weixin://wxpay/bizpayurl?pr=" + request.OutTradeNo, null);
    }

    public Task<ChannelTrade> QueryAsync(string outTradeNo, CancellationToken cancellationToken) =>
        QueryFailure is { } failure ? throw new ChannelException(failure)
        : Task.FromResult(_trades.GetValueOrDefault(outTradeNo) ?? new ChannelTrade(outTradeNo, ChannelTradeState.NotFound, null, null, null));

    public Task CloseAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        if (_trades.TryGetValue(outTradeNo, out var trade) && trade.State == ChannelTradeState.Paid)
        {
            throw new ChannelException("ORDERPAID: the order is paid");
        }

        Closed.Add(outTradeNo);
        _trades[outTradeNo] = new ChannelTrade(outTradeNo, ChannelTradeState.Closed, trade?.Amount, null, null);
        return Task.CompletedTask;
    }

    public async Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        var root = body.RootElement;
        if (root.TryGetProperty("refuse", out var refuse))
        {
            return ChannelNotification.Refused(refuse.GetString()!);
        }

        var outTradeNo = root.GetProperty("outTradeNo").GetString()!;
        var state = Enum.Parse<ChannelTradeState>(root.GetProperty("state").GetString() ?? nameof(ChannelTradeState.Paid));
        return ChannelNotification.Verified(
            new ChannelTrade(outTradeNo, state, root.GetProperty("amount").GetInt64(), "T" + outTradeNo, DateTimeOffset.UtcNow),
            "N" + Guid.NewGuid().ToString("N"));
    }

    public IResult Acknowledge() => Results.NoContent();

    public IResult Refuse(string reason) => Results.BadRequest(reason);
}
