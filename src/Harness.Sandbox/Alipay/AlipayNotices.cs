using System.Text;
using Harness.Callbacks;
using Harness.Sandbox.Faults;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// What Alipay sends the merchant about a trade (providers.md §3.5): the async notify, a form POST of the non-empty
/// parameters signed RSA2 without <c>sign</c> and <c>sign_type</c>, and the signed return to the merchant's page.
/// </summary>
internal sealed class AlipayNotices(AlipayKeys keys, TimeProvider wallClock)
{
    /// <summary>The notify for the trade's current status (with the refund's fields after a refund), under the batch's faults.</summary>
    public CallbackDelivery Notify(AlipayTrade trade, AlipayRefund? refund, string url, string notifyId, DeliveryFaults faults)
    {
        var amount = AlipayTrade.FormatYuan(trade.AmountFen + (faults.WrongAmount ? 1 : 0));
        var paid = trade.GmtPayment is not null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["notify_time"] = AlipayTime.Format(wallClock.GetUtcNow() - faults.StaleBy),
            ["notify_type"] = "trade_status_sync",
            ["notify_id"] = notifyId,
            ["app_id"] = trade.AppId,
            ["auth_app_id"] = trade.AppId,
            ["charset"] = "utf-8",
            ["version"] = "1.0",
            ["trade_no"] = trade.Id,
            ["out_trade_no"] = trade.OutTradeNo,
            ["out_biz_no"] = refund?.OutRequestNo ?? "",
            ["buyer_id"] = trade.BuyerId,
            ["buyer_logon_id"] = trade.BuyerLogonId,
            ["seller_id"] = AlipayProvider.SellerId,
            ["seller_email"] = "sandbox_seller@sandbox.example",
            ["trade_status"] = trade.Status,
            ["total_amount"] = amount,
            ["receipt_amount"] = paid ? amount : "",
            ["invoice_amount"] = paid ? amount : "",
            ["buyer_pay_amount"] = paid ? amount : "",
            ["point_amount"] = paid ? "0.00" : "",
            ["refund_fee"] = refund is null ? "" : AlipayTrade.FormatYuan(trade.RefundedFen),
            ["subject"] = trade.Subject,
            ["body"] = trade.Body,
            ["gmt_create"] = trade.GmtCreate is { } created ? AlipayTime.Format(created) : "",
            ["gmt_payment"] = trade.GmtPayment is { } payment ? AlipayTime.Format(payment) : "",
            ["gmt_refund"] = refund is null ? "" : AlipayTime.Format(refund.At),
            ["gmt_close"] = trade.GmtClose is { } close ? AlipayTime.Format(close) : "",
            ["fund_bill_list"] = paid ? $"[{{\"amount\":\"{amount}\",\"fundChannel\":\"ALIPAYACCOUNT\"}}]" : "",
            ["passback_params"] = trade.PassbackParams,
        };

        // Only non-empty parameters are sent (alipay-sdk's checkNotifySign fails on an empty one).
        var sent = parameters.Where(p => p.Value.Length > 0).ToList();
        var content = AlipayKeys.Canonical(sent);
        sent.Add(new("sign_type", "RSA2"));
        sent.Add(new("sign", faults.TamperedSignature ? keys.TamperedSign(content) : keys.Sign(content)));
        return new CallbackDelivery
        {
            EventType = trade.Status,
            Method = "POST",
            Url = url,
            Headers = { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" },
            Body = Encoding.UTF8.GetBytes(string.Join('&', sent.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)))),
        };
    }

    /// <summary>The synchronous return to the merchant's page (page and wap pay), signed like a notify.</summary>
    public List<KeyValuePair<string, string>> Return(AlipayTrade trade)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("charset", "utf-8"),
            new("out_trade_no", trade.OutTradeNo),
            new("method", trade.Method + ".return"),
            new("total_amount", AlipayTrade.FormatYuan(trade.AmountFen)),
            new("trade_no", trade.Id),
            new("auth_app_id", trade.AppId),
            new("version", "1.0"),
            new("app_id", trade.AppId),
            new("seller_id", AlipayProvider.SellerId),
            new("timestamp", AlipayTime.Format(wallClock.GetUtcNow())),
        };
        var content = AlipayKeys.Canonical(parameters);
        parameters.Add(new("sign", keys.Sign(content)));
        parameters.Add(new("sign_type", "RSA2"));
        return parameters;
    }
}
