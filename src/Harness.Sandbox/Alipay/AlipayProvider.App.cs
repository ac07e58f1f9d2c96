using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// App payments and cancels. <c>alipay.trade.app.pay</c> never reaches the gateway from the merchant's server: the
/// server signs the order string (alipay-sdk's <c>sdkExecute</c>) and the merchant's app hands it to the Alipay app,
/// which checks it and shows the pay sheet. <c>POST /sandbox/app-pay</c> plays that Alipay app. <c>alipay.trade.cancel</c>
/// makes sure a trade whose outcome the merchant does not know is not paid: closed if unpaid, refunded if paid.
/// </summary>
public sealed partial class AlipayProvider
{
    public const string AppPay = "alipay.trade.app.pay";
    public const string Cancel = "alipay.trade.cancel";

    /// <summary>The sandbox's stand-in for the Alipay app's <c>payOrder(orderStr)</c>.</summary>
    public const string AppPayPath = "/sandbox/app-pay";

    /// <summary>What <c>payOrder</c> hands the merchant's app when the buyer leaves the pay sheet: its synchronous result.</summary>
    public const string AppPayResultPath = "/sandbox/app-pay/result";

    /// <summary>
    /// The Alipay app given the order string: its parameters checked as the gateway checks a request, the trade
    /// created and shown to the buyer (it exists from now on), and the pay sheet's URL answered. A refusal is what the
    /// app SDK hands the merchant's app, <c>resultStatus</c> 4000 (order payment failed), with Alipay's codes beside it.
    /// </summary>
    private async Task<IResult> AppPayAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var orderString = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        var parameters = QueryHelpers.ParseQuery(orderString.Trim()).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        if (parameters.GetValueOrDefault("method") != AppPay)
        {
            return AppRefusal(AlipayFailure.Invalid("isv.invalid-method", $"订单串的 method 必须是 {AppPay}"));
        }

        var (content, _, refused) = AlipayGatewayCheck.Check(parameters, Keys, Encryption);
        var (biz, failure) = refused is not null ? (null, refused) : ParseBiz(content);
        var outcome = failure is not null ? Outcome.FromFailure(failure) : Run(AppPay, biz!, parameters.GetValueOrDefault("notify_url") ?? "", "", $"{request.Scheme}://{request.Host}");
        if (outcome.Failure is { } refusal)
        {
            return AppRefusal(refusal);
        }

        var trade = outcome.Trade!;
        return Results.Json(new JsonObject
        {
            ["trade_no"] = trade.Id,
            ["out_trade_no"] = trade.OutTradeNo,
            ["total_amount"] = AlipayTrade.FormatYuan(trade.AmountFen),
            ["pay_url"] = _context.PayPageUrl(trade.Id),
        });
    }

    /// <summary>
    /// The app SDK's result for the trade as the buyer leaves the pay sheet now: paid, <c>resultStatus</c> 9000 with
    /// <c>result</c> the signed <c>alipay_trade_app_pay_response</c> (signed as a gateway answer, so the merchant's
    /// server verifies it the same way); otherwise 6001, the buyer left without paying.
    /// </summary>
    private IResult AppPayResult(HttpRequest request)
    {
        var tradeNo = request.Query["trade_no"].ToString();
        if (tradeNo.Length == 0)
        {
            return AppRefusal(AlipayFailure.InvalidParameter("trade_no 不能为空：给出 /sandbox/app-pay 答复的 trade_no"));
        }

        if (_trades.Get(tradeNo) is not { Method: AppPay, Exists: true } trade)
        {
            return AppRefusal(AlipayFailure.Business("ACQ.TRADE_NOT_EXIST", "交易不存在：不是经 /sandbox/app-pay 调起的 App 支付"));
        }

        if (trade.GmtPayment is not { } paidAt)
        {
            return Results.Json(new JsonObject { ["resultStatus"] = "6001", ["memo"] = "用户中途取消", ["result"] = "" });
        }

        var response = new JsonObject
        {
            ["code"] = "10000",
            ["msg"] = "Success",
            ["app_id"] = trade.AppId,
            ["auth_app_id"] = trade.AppId,
            ["charset"] = "utf-8",
            ["timestamp"] = AlipayTime.Format(paidAt),
            ["out_trade_no"] = trade.OutTradeNo,
            ["total_amount"] = AlipayTrade.FormatYuan(trade.AmountFen),
            ["trade_no"] = trade.Id,
            ["seller_id"] = SellerId,
        };
        return Results.Json(new JsonObject
        {
            ["resultStatus"] = "9000",
            ["memo"] = "",
            ["result"] = Replies.SignedText("alipay_trade_app_pay_response", response, Keys.NotifiesInCertificateMode, withSignType: true),
        });
    }

    private static IResult AppRefusal(AlipayFailure failure) => Results.Json(
        new JsonObject
        {
            ["resultStatus"] = "4000",
            ["memo"] = failure.SubMsg,
            ["code"] = failure.Code,
            ["sub_code"] = failure.SubCode,
            ["sub_msg"] = failure.SubMsg,
        },
        statusCode: StatusCodes.Status400BadRequest);

    /// <summary>
    /// <c>alipay.trade.cancel</c>: an unpaid trade (or a code nobody scanned yet) is closed, <c>action: close</c>; a paid
    /// one is refunded in full of what remains and closed, <c>action: refund</c>, on the day it was paid only.
    /// Cancelling again answers the same.
    /// </summary>
    private Outcome CancelTrade(JsonObject biz)
    {
        var (trade, failure) = Find(biz, unscannedToo: true);
        if (failure is not null)
        {
            return failure;
        }

        if (trade!.Status is "" or AlipayTrade.WaitBuyerPay)
        {
            // The buyer may have paid a moment ago, the core settling it before this provider heard: the merchant is
            // asked to cancel again, and that cancel finds the trade paid and refunds it.
            if (_context.Payments.TryClose(trade.Id, PaymentStatus.Canceled) || _context.Payments.Get(trade.Id)?.Status != PaymentStatus.Paid)
            {
                var scanned = trade.Status == AlipayTrade.WaitBuyerPay;
                CloseTrade(trade);
                if (scanned)
                {
                    SendNotify(trade, refund: null);
                }

                return Cancelled(trade, "close");
            }

            return AlipayFailure.Business("ACQ.SYSTEM_ERROR", "系统繁忙：支付结果处理中，请稍后重试撤销");
        }

        switch (trade.Status)
        {
            case AlipayTrade.TradeClosed:
                return Cancelled(trade, trade.RefundedFen > 0 ? "refund" : "close");
            case AlipayTrade.TradeFinished:
                return AlipayFailure.Business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
        }

        // Alipay cancels a paid trade only on the day it was paid (China time); later the merchant refunds it.
        var now = _context.Clock.GetUtcNow();
        if (trade.GmtPayment is { } paidAt && AlipayTime.Format(paidAt)[..10] != AlipayTime.Format(now)[..10])
        {
            return AlipayFailure.Business("ACQ.TRADE_CANCEL_TIME_OUT", "超过撤销时间范围，请使用退款接口");
        }

        // Money already settled to receivers is not the merchant's to hand back by a cancel.
        if (trade.SettledFen > 0)
        {
            return AlipayFailure.Business("ACQ.CANCEL_NOT_ALLOWED", "交易已分账，不允许撤销，请使用退款接口");
        }

        var refund = new AlipayRefund { OutRequestNo = "CANCEL_" + trade.Id, AmountFen = trade.AmountFen - trade.RefundedFen, At = now.UtcDateTime };
        trade.Refunds.Add(refund);
        trade.RefundedFen = trade.AmountFen;
        MoveTradeMoney(trade, -refund.AmountFen);
        CloseTrade(trade);
        SendNotify(trade, refund);
        return Cancelled(trade, "refund");
    }

    private static Outcome Cancelled(AlipayTrade trade, string action) => new(
        new JsonObject { ["trade_no"] = trade.Id, ["out_trade_no"] = trade.OutTradeNo, ["retry_flag"] = "N", ["action"] = action },
        null,
        trade);
}
