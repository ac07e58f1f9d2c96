using System.Globalization;
using System.Text.Json;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>
/// The Transaction object (providers.md §2.2), from a query answer or a decrypted notification, as a
/// <see cref="ChannelTrade"/>; anything missing or malformed is a problem named, never an exception.
/// </summary>
internal static class WeChatPayTransactions
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary>The trade, or why the object is not a usable transaction.</summary>
    public static (ChannelTrade? Trade, string? Problem) Read(JsonElement transaction)
    {
        if (transaction.ValueKind != JsonValueKind.Object)
        {
            return (null, "the transaction is not a JSON object");
        }

        if (WeChatPayJson.Text(transaction, "out_trade_no") is not { Length: > 0 } outTradeNo)
        {
            return (null, "the transaction has no out_trade_no");
        }

        var stateText = WeChatPayJson.Text(transaction, "trade_state");
        if (State(stateText) is not { } state)
        {
            return (null, $"the transaction's trade_state {WeChatPayJson.Shown(stateText)} is not one WeChat Pay defines");
        }

        var (amount, amountProblem) = Amount(transaction);
        if (amountProblem is not null)
        {
            return (null, amountProblem);
        }

        var transactionId = WeChatPayJson.Text(transaction, "transaction_id");
        if (WeChatPayJson.Has(transaction, "transaction_id") && transactionId is null)
        {
            return (null, "the transaction's transaction_id is not a string");
        }

        DateTimeOffset? paidAt = null;
        if (WeChatPayJson.Has(transaction, "success_time"))
        {
            if (!DateTimeOffset.TryParseExact(WeChatPayJson.Text(transaction, "success_time"), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var successTime))
            {
                return (null, "the transaction's success_time is not an RFC 3339 time");
            }

            paidAt = successTime;
        }

        if (state == ChannelTradeState.Paid && (amount is null || string.IsNullOrEmpty(transactionId)))
        {
            return (null, "a paid transaction must carry its amount and transaction_id");
        }

        return (new ChannelTrade(outTradeNo, state, amount, transactionId, paidAt), null);
    }

    /// <summary>What the buyer paid (<c>payer_total</c>), else the order total; either must be whole fen when present.</summary>
    private static (long? Fen, string? Problem) Amount(JsonElement transaction)
    {
        if (!WeChatPayJson.Has(transaction, "amount"))
        {
            return (null, null);
        }

        if (WeChatPayJson.Object(transaction, "amount") is not { } amount)
        {
            return (null, "the transaction's amount is not an object");
        }

        foreach (var field in (string[])["payer_total", "total"])
        {
            if (!WeChatPayJson.Has(amount, field))
            {
                continue;
            }

            return WeChatPayJson.Fen(amount, field) is { } fen
                ? (fen, null)
                : (null, $"the transaction's amount.{field} is not a whole number of fen");
        }

        return (null, null);
    }

    private static ChannelTradeState? State(string? tradeState) => tradeState switch
    {
        "SUCCESS" => ChannelTradeState.Paid,
        "NOTPAY" or "USERPAYING" or "ACCEPT" => ChannelTradeState.NotPaid,
        "CLOSED" or "REVOKED" => ChannelTradeState.Closed,
        "PAYERROR" => ChannelTradeState.PayError,
        "REFUND" => ChannelTradeState.Refunded,
        _ => null,
    };
}
