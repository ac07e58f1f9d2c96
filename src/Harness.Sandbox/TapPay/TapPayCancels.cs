using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.TapPay;

/// <summary>
/// Refund Cancel and Cap Cancel (TapPay's advanced APIs): a refund or a capture the acquirer has not sent yet — the
/// bank's day, <see cref="TapPayTrades.BeforeBankBatch"/>, has not ended — is undone on the stored trade under the
/// same lock as refunds and captures, so the amount it moved is moved back exactly once.
/// </summary>
internal sealed class TapPayCancels(SandboxContext context, TapPayTrades trades)
{
    /// <summary>
    /// <c>/tpc/transaction/refund/cancel</c> {<c>rec_trade_id</c>, <c>refund_id</c>}: the refund's amount can be
    /// refunded again, the record's amounts and status and the trade history say so. Without <c>refund_id</c> the
    /// trade's latest refund is meant (the sandbox's reading of the optional field).
    /// </summary>
    public JsonObject RefundCancel(JsonObject body)
    {
        if (body.Text("rec_trade_id") is not { } id)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : rec_trade_id");
        }

        if (body["refund_id"] is not null && body.Text("refund_id") is null)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : refund_id");
        }

        return trades.Objects.Atomically(() =>
        {
            if (trades.Get(id) is not { } trade)
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : rec_trade_id");
            }

            var refunds = TapPayTrades.Refunds(trade);
            var refund = body.Text("refund_id") is { } refundId
                ? refunds.OfType<JsonObject>().FirstOrDefault(r => r.Str("refund_id") == refundId)
                : refunds.OfType<JsonObject>().LastOrDefault();
            if (refund is null)
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : refund_id names no refund of this trade");
            }

            if (refund["canceled"]!.GetValue<bool>())
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : the refund is already canceled");
            }

            var now = context.Clock.GetUtcNow();
            if (!TapPayTrades.BeforeBankBatch(refund["millis"]!.GetValue<long>(), now))
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : the refund has been sent to the bank and cannot be canceled");
            }

            var amount = refund["amount"]!.GetValue<long>();
            refund["canceled"] = true;
            trade["refunded_amount"] = trade["refunded_amount"]!.GetValue<long>() - amount;
            trade["record_status"] = TapPayTrades.RefundedStatus(trade);
            TapPayTrades.AddHistory(trade, "refund_cancel", amount, success: true, now.ToUnixTimeMilliseconds());
            trades.Objects.Put(trade);
            return new JsonObject
            {
                ["status"] = TapPayStatus.Success,
                ["msg"] = "Success",
                ["rec_trade_id"] = id,
                ["currency"] = trade.Str("currency"),
                ["result"] = new JsonObject
                {
                    ["success"] = true,
                    ["refund_id"] = refund.Str("refund_id"),
                    ["amount"] = amount,
                    ["bank_result_code"] = "",
                    ["bank_result_msg"] = "",
                },
            };
        });
    }

    /// <summary>
    /// <c>/tpc/transaction/cap/cancel</c> {<c>rec_trade_id</c>}: a capture not yet sent leaves the trade authorised
    /// and uncaptured (record 0, <c>is_captured</c> false, <c>cap_millis</c> 0), to be captured again with Cap Today
    /// or released with a refund. A trade with refunds keeps its capture: the refunds are of the captured money.
    /// </summary>
    public JsonObject CapCancel(JsonObject body) => trades.Objects.Atomically(() =>
    {
        if (body.Text("rec_trade_id") is not { } id || trades.Get(id) is not { } trade)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : rec_trade_id");
        }

        if (!trade["is_captured"]!.GetValue<bool>() || trade["record_status"]!.GetValue<int>() != TapPayTrades.RecordCaptured)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : the trade has no capture to cancel (not captured, or refunded)");
        }

        var now = context.Clock.GetUtcNow();
        if (!TapPayTrades.BeforeBankBatch(trade["cap_millis"]!.GetValue<long>(), now))
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : the capture has been sent to the bank and cannot be canceled");
        }

        trade["is_captured"] = false;
        trade["cap_millis"] = 0L;
        trade["record_status"] = TapPayTrades.RecordAuthorised;
        TapPayTrades.AddHistory(trade, "cap_cancel", trade["original_amount"]!.GetValue<long>(), success: true, now.ToUnixTimeMilliseconds());
        trades.Objects.Put(trade);
        return new JsonObject
        {
            ["status"] = TapPayStatus.Success,
            ["msg"] = "Success",
            ["rec_trade_id"] = id,
            ["currency"] = trade.Str("currency"),
        };
    });
}
