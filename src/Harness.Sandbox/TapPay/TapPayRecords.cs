using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Security;

namespace Harness.Sandbox.TapPay;

/// <summary>Record query, trade history, refund and capture (providers.md §7.4).</summary>
internal sealed class TapPayRecords(SandboxContext context, TapPayTrades trades)
{
    public const int MaxRecordsPerPage = 200;
    public const int DefaultRecordsPerPage = 50;

    /// <summary><c>/tpc/transaction/query</c>: filters, ordering and 0-based pages; a page with no records is status 2.</summary>
    public JsonObject Query(JsonObject body)
    {
        if (!body.TryInteger("records_per_page", out var perPage) || perPage is < 1 or > MaxRecordsPerPage)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, $"Invalid arguments : records_per_page (1 to {MaxRecordsPerPage})");
        }

        if (!body.TryInteger("page", out var page) || page is < 0 or > int.MaxValue)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : page");
        }

        if (body["filters"] is not (null or JsonObject) || body["order_by"] is not (null or JsonObject))
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : filters and order_by are objects");
        }

        if (Filter(body["filters"] as JsonObject) is not { } matches)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : filters");
        }

        var orderBy = body["order_by"] as JsonObject;
        Func<JsonObject, long>? key = orderBy.Text("attribute") switch
        {
            null or "time" => t => t["time"]!.GetValue<long>(),
            "amount" => t => t["original_amount"]!.GetValue<long>() - t["refunded_amount"]!.GetValue<long>(),
            "record_status" => t => t["record_status"]!.GetValue<int>(),
            _ => null,
        };
        if (key is null)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : order_by.attribute (time, amount or record_status)");
        }

        // Newest first by default, as the Record API lists; ties keep insertion order.
        var descending = orderBy?["is_descending"] is not JsonValue d || d.GetValueKind() != JsonValueKind.False;
        var ordered = descending ? matches.OrderByDescending(key).ToList() : matches.OrderBy(key).ToList();
        var size = (int)(perPage ?? DefaultRecordsPerPage);
        var index = (int)(page ?? 0);
        var records = ordered.Skip((int)Math.Min((long)index * size, int.MaxValue)).Take(size).Select(TapPayTrades.Record).ToList();
        return new JsonObject
        {
            ["status"] = records.Count == 0 ? TapPayStatus.EndOfList : TapPayStatus.Success,
            ["msg"] = records.Count == 0 ? "No more records" : "Success",
            ["records_per_page"] = size,
            ["page"] = index,
            ["total_page_count"] = (ordered.Count + size - 1) / size,
            ["number_of_transactions"] = ordered.Count,
            ["trade_records"] = new JsonArray([.. records]),
        };
    }

    public JsonObject TradeHistory(JsonObject body)
    {
        if (body.Text("rec_trade_id") is not { } id || trades.Get(id) is not { } trade)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : rec_trade_id");
        }

        return new JsonObject
        {
            ["status"] = TapPayStatus.Success,
            ["msg"] = "Success",
            ["rec_trade_id"] = id,
            ["trade_history"] = TapPayTrades.History(trade),
        };
    }

    /// <summary>Full refund without <c>amount</c>, partial with one; the total refunded never exceeds what was paid.</summary>
    public JsonObject Refund(JsonObject body)
    {
        if (body.Text("rec_trade_id") is not { } id)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : rec_trade_id");
        }

        if (!body.TryInteger("amount", out var requested) || requested is <= 0)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidAmount, "Invalid amount");
        }

        return trades.Objects.Atomically(() =>
        {
            if (trades.Get(id) is not { } trade)
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : rec_trade_id");
            }

            var status = trade["record_status"]!.GetValue<int>();
            if (status is not (TapPayTrades.RecordAuthorised or TapPayTrades.RecordCaptured or TapPayTrades.RecordPartlyRefunded))
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : the trade cannot be refunded in its record_status");
            }

            var remaining = trade["original_amount"]!.GetValue<long>() - trade["refunded_amount"]!.GetValue<long>();
            var amount = requested ?? remaining;
            if (amount > remaining)
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidAmount, "Invalid amount: more than the refundable amount");
            }

            var now = context.Clock.GetUtcNow().ToUnixTimeMilliseconds();
            var refundId = "R" + id[1..9] + Secrets.RandomHex(6).ToUpperInvariant()[..11];
            trade["refunded_amount"] = trade["refunded_amount"]!.GetValue<long>() + amount;
            trade["record_status"] = TapPayTrades.RefundedStatus(trade);
            TapPayTrades.Refunds(trade).Add(new JsonObject { ["refund_id"] = refundId, ["amount"] = amount, ["millis"] = now, ["canceled"] = false });
            TapPayTrades.AddHistory(trade, "refund", amount, success: true, now);
            trades.Objects.Put(trade);
            return new JsonObject
            {
                ["status"] = TapPayStatus.Success,
                ["msg"] = "Success",
                ["refund_id"] = refundId,
                ["refund_amount"] = amount,
                ["is_captured"] = trade["is_captured"]!.DeepClone(),
                ["bank_result_code"] = "",
                ["bank_result_msg"] = "",
                ["currency"] = trade.Str("currency"),
            };
        });
    }

    /// <summary><c>/tpc/transaction/cap</c>: captures an authorised (delayed-capture) trade today.</summary>
    public JsonObject Capture(JsonObject body)
    {
        return trades.Objects.Atomically(() =>
        {
            if (body.Text("rec_trade_id") is not { } id || trades.Get(id) is not { } trade)
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : rec_trade_id");
            }

            if (trade["is_captured"]!.GetValue<bool>() || trade["record_status"]!.GetValue<int>() is not (TapPayTrades.RecordAuthorised or TapPayTrades.RecordPartlyRefunded))
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : the trade is not waiting for capture");
            }

            TapPayTrades.Capture(trade, context.Clock.GetUtcNow().ToUnixTimeMilliseconds());
            trades.Objects.Put(trade);
            return new JsonObject { ["status"] = TapPayStatus.Success, ["msg"] = "Success", ["cap_millis"] = trade["cap_millis"]!.DeepClone(), ["currency"] = trade.Str("currency") };
        });
    }

    /// <summary>The trades matching <paramref name="filters"/>, or null when a filter is malformed.</summary>
    private List<JsonObject>? Filter(JsonObject? filters)
    {
        var matches = trades.All().AsEnumerable();
        if (filters is null)
        {
            return [.. matches];
        }

        if (filters["time"] is JsonObject time)
        {
            if (!time.TryInteger("start_time", out var start) || !time.TryInteger("end_time", out var end))
            {
                return null;
            }

            matches = matches.Where(t => t["time"]!.GetValue<long>() >= (start ?? long.MinValue) && t["time"]!.GetValue<long>() <= (end ?? long.MaxValue));
        }

        if (filters["amount"] is JsonObject amount)
        {
            if (!amount.TryInteger("lower_limit", out var lower) || !amount.TryInteger("upper_limit", out var upper))
            {
                return null;
            }

            matches = matches.Where(t => t["original_amount"]!.GetValue<long>() >= (lower ?? long.MinValue) && t["original_amount"]!.GetValue<long>() <= (upper ?? long.MaxValue));
        }

        if (filters["cardholder"] is JsonObject cardholder)
        {
            foreach (var field in new[] { "phone_number", "name", "email" })
            {
                if (cardholder.Text(field) is { } wanted)
                {
                    matches = matches.Where(t => t["cardholder"].Text(field) == wanted);
                }
            }
        }

        if (filters["merchant_id"] is JsonArray merchants)
        {
            var ids = merchants.Select(m => m is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).ToHashSet();
            matches = matches.Where(t => ids.Contains(t.Str("merchant_id")));
        }

        if (!filters.TryInteger("record_status", out var recordStatus))
        {
            return null;
        }

        if (recordStatus is { } wantedStatus)
        {
            matches = matches.Where(t => t["record_status"]!.GetValue<int>() == wantedStatus);
        }

        foreach (var field in new[] { "rec_trade_id", "order_number", "bank_transaction_id", "currency" })
        {
            if (filters.Text(field) is { } wanted)
            {
                matches = matches.Where(t => t.Str(field) == wanted);
            }
        }

        return [.. matches];
    }
}
