using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Security;
using Harness.Storage;

namespace Harness.Sandbox.TapPay;

/// <summary>
/// TapPay's trades as stored records: one JSON object per <c>rec_trade_id</c> holding what the Record API
/// answers, the card it charged and its trade history. Refunds and captures change the stored record under one lock.
/// </summary>
internal sealed class TapPayTrades(IDocumentStore store)
{
    /// <summary><c>record_status</c> values (§7.4): −1 error, 0 authorised, 1 captured, 2 partly refunded, 3 refunded, 4 pending.</summary>
    public const int RecordError = -1;
    public const int RecordAuthorised = 0;
    public const int RecordCaptured = 1;
    public const int RecordPartlyRefunded = 2;
    public const int RecordRefunded = 3;
    public const int RecordPending = 4;

    /// <summary>The stored trade's e-payment (the wallet's name), null for a card's: the hosted page and its outcomes name it.</summary>
    public const string EPaymentField = "e_payment";

    /// <summary>The instalment periods TapPay offers (months); 0 is a single payment.</summary>
    public static readonly long[] InstalmentPeriods = [0, 3, 6, 12, 18, 24, 30];

    /// <summary>Fields of a stored trade that are the sandbox's own and never answered.</summary>
    private static readonly string[] Internal = ["id", "object", "card_number", "expiry_date", "result_url", "trade_history", RefundsField, "status", "msg", "transaction_time_millis", EPaymentField];

    /// <summary>The trade's refunds {<c>refund_id</c>, <c>amount</c>, <c>millis</c>, <c>canceled</c>}, kept so Refund Cancel can name one.</summary>
    public const string RefundsField = "refunds";

    /// <summary>
    /// The acquirer sends the day's captures and refunds at the end of the day in Taiwan (UTC+8, no daylight saving);
    /// until then they can be canceled. TapPay leaves the time to each bank; this is the sandbox's.
    /// </summary>
    public static readonly TimeSpan BankDayOffset = TimeSpan.FromHours(8);

    public ProviderObjects Objects { get; } = new(store, "tappay_objects");

    public JsonObject? Get(string recTradeId) => Objects.Get(recTradeId, "trade");

    public IReadOnlyList<JsonObject> All() => Objects.List("trade");

    public static JsonObject NewTrade(JsonObject body, string merchantId, string number, string expiry, JsonObject cardholder, DateTimeOffset now)
    {
        var id = "D" + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + Secrets.RandomHex(6).ToUpperInvariant()[..11];
        var amount = body["amount"]!.GetValue<long>();
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "trade",
            ["rec_trade_id"] = id,
            ["merchant_id"] = merchantId,
            ["merchant_name"] = TapPayProvider.MerchantName,
            ["time"] = now.ToUnixTimeMilliseconds(),
            ["transaction_time_millis"] = now.ToUnixTimeMilliseconds(),
            ["amount"] = amount,
            ["original_amount"] = amount,
            ["refunded_amount"] = 0L,
            ["currency"] = body.Text("currency") ?? "TWD",
            ["details"] = body.Text("details"),
            ["order_number"] = body["order_number"]?.GetValue<string>() ?? "",
            ["bank_transaction_id"] = body.Text("bank_transaction_id") ?? "TP" + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + Secrets.RandomHex(5).ToUpperInvariant(),
            ["bank_order_number"] = "",
            ["auth_code"] = "",
            ["acquirer"] = "TW_CTBC",
            ["is_captured"] = false,
            ["cap_millis"] = 0L,
            ["card_info"] = TapPayTestData.CardInfo(number, expiry),
            ["card_identifier"] = TapPayTestData.CardIdentifier(number),
            ["cardholder"] = cardholder,
            ["card_number"] = number,
            ["expiry_date"] = expiry,
            ["result_url"] = body["result_url"]?.DeepClone(),
            ["trade_history"] = new JsonArray(),
            [RefundsField] = new JsonArray(),
            ["pay_by_instalment"] = body["instalment"]?.GetValue<long>() > 0,
            ["instalment_info"] = body["instalment"]?.GetValue<long>() is > 0 and var count ? InstalmentInfo(amount, count) : null,
        };
    }

    /// <summary>
    /// The bank's split of the amount into <paramref name="count"/> monthly payments, in whole units: equal payments
    /// rounded down, the remainder in the first (TapPay does not publish its banks' rule; this is the sandbox's).
    /// </summary>
    private static JsonObject InstalmentInfo(long amount, long count)
    {
        var each = amount / count;
        return new JsonObject
        {
            ["number_of_instalments"] = count,
            ["first_payment"] = amount - (each * (count - 1)),
            ["each_payment"] = each,
        };
    }

    /// <summary>The bank approved: an auth code, and capture now unless the merchant delays it.</summary>
    public static void Authorise(JsonObject trade, bool delayCapture)
    {
        trade["auth_code"] = Random.Shared.Next(100_000, 1_000_000).ToString(CultureInfo.InvariantCulture);
        trade["bank_order_number"] = "BO" + trade.Str("rec_trade_id")![1..];
        trade["record_status"] = RecordAuthorised;
        AddHistory(trade, "auth", trade["amount"]!.GetValue<long>(), success: true);
        if (!delayCapture)
        {
            Capture(trade);
        }
    }

    /// <summary>Captures the trade at <paramref name="millis"/> (its own time when captured with the payment).</summary>
    public static void Capture(JsonObject trade, long? millis = null)
    {
        millis ??= trade["time"]!.GetValue<long>();
        trade["is_captured"] = true;
        trade["cap_millis"] = millis;
        trade["record_status"] = trade["refunded_amount"]!.GetValue<long>() > 0 ? trade["record_status"]!.GetValue<int>() : RecordCaptured;
        AddHistory(trade, "capture", trade["original_amount"]!.GetValue<long>(), success: true, millis);
    }

    /// <summary>
    /// The record status a trade has after its refunds change: refunded, partly refunded, or back to captured or
    /// authorised when nothing is refunded any more.
    /// </summary>
    public static int RefundedStatus(JsonObject trade)
    {
        var refunded = trade["refunded_amount"]!.GetValue<long>();
        return refunded == 0 ? (trade["is_captured"]!.GetValue<bool>() ? RecordCaptured : RecordAuthorised)
            : refunded == trade["original_amount"]!.GetValue<long>() ? RecordRefunded : RecordPartlyRefunded;
    }

    /// <summary>Whether something done at <paramref name="millis"/> is still in the bank's day at <paramref name="now"/>, so not yet sent.</summary>
    public static bool BeforeBankBatch(long millis, DateTimeOffset now) =>
        DateTimeOffset.FromUnixTimeMilliseconds(millis).ToOffset(BankDayOffset).Date == now.ToOffset(BankDayOffset).Date;

    /// <summary>The trade's refunds (trades stored before refunds were kept have none).</summary>
    public static JsonArray Refunds(JsonObject trade)
    {
        if (trade[RefundsField] is not JsonArray refunds)
        {
            refunds = [];
            trade[RefundsField] = refunds;
        }

        return refunds;
    }

    public static void AddHistory(JsonObject trade, string action, long amount, bool success, long? millis = null) =>
        ((JsonArray)trade["trade_history"]!).Add(new JsonObject
        {
            ["action"] = action,
            ["amount"] = amount,
            ["millis"] = millis ?? trade["time"]!.GetValue<long>(),
            ["success"] = success,
            ["bank_result_code"] = success ? "" : trade.Str("bank_result_code") ?? "",
            ["bank_result_msg"] = success ? "" : trade.Str("bank_result_msg") ?? "",
        });

    /// <summary>The answer of Pay by Prime / Pay by Card Token (§7.2).</summary>
    public static JsonObject PaymentAnswer(JsonObject trade)
    {
        var time = trade["transaction_time_millis"]!.GetValue<long>();
        var answer = new JsonObject
        {
            ["status"] = trade["status"]!.DeepClone(),
            ["msg"] = trade["msg"]!.DeepClone(),
            ["rec_trade_id"] = trade.Str("rec_trade_id"),
            ["bank_transaction_id"] = trade.Str("bank_transaction_id"),
            ["bank_order_number"] = trade.Str("bank_order_number"),
            ["auth_code"] = trade.Str("auth_code"),
            ["amount"] = trade["original_amount"]!.DeepClone(),
            ["currency"] = trade.Str("currency"),
            ["order_number"] = trade.Str("order_number"),
            ["acquirer"] = trade.Str("acquirer"),
            ["card_info"] = trade["card_info"]!.DeepClone(),
            ["card_identifier"] = trade.Str("card_identifier"),
            ["transaction_time_millis"] = time,
            ["bank_transaction_time"] = new JsonObject { ["start_time_millis"] = time, ["end_time_millis"] = time },
            ["bank_result_code"] = trade.Str("bank_result_code"),
            ["bank_result_msg"] = trade.Str("bank_result_msg"),
            ["merchant_reference_info"] = new JsonObject { ["affiliate_codes"] = new JsonArray() },
        };
        if (trade["instalment_info"] is JsonObject instalment)
        {
            answer["instalment_info"] = instalment.DeepClone();
        }

        return answer;
    }

    /// <summary>
    /// An e-payment's <c>pay_info</c> (§7.5): the wallet paid with its saved card, the sandbox's test card, and no
    /// points. TapPay names the fields but not the wallets' values; these are the sandbox's.
    /// </summary>
    public static JsonObject PayInfo(JsonObject trade) => new()
    {
        ["method"] = "CREDIT_CARD",
        ["masked_credit_card_number"] = new string('*', trade.Str("card_number")!.Length - 4) + trade.Str("card_number")![^4..],
        ["point"] = 0,
    };

    /// <summary>A record as the Record API lists it (§7.4): <c>amount</c> is what remains after refunds.</summary>
    public static JsonObject Record(JsonObject trade)
    {
        var record = (JsonObject)trade.DeepClone();
        foreach (var field in Internal)
        {
            record.Remove(field);
        }

        record["amount"] = trade["original_amount"]!.GetValue<long>() - trade["refunded_amount"]!.GetValue<long>();
        record["pay_by_instalment"] = trade["pay_by_instalment"]?.GetValue<bool>() ?? false;
        if (record["instalment_info"] is null)
        {
            record.Remove("instalment_info");
        }

        return record;
    }

    public static JsonArray History(JsonObject trade) => (JsonArray)trade["trade_history"]!.DeepClone();
}
