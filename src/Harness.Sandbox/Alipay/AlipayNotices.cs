using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Faults;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// What Alipay sends the merchant about a trade (providers.md §3.5): the async notify, a form POST of the non-empty
/// parameters signed without <c>sign</c> and <c>sign_type</c> (RSA2, or RSA for an app set so), and the signed return
/// to the merchant's page. Both stay plain when the app encrypts its content, as Alipay's do.
/// </summary>
internal sealed class AlipayNotices(AlipayKeys keys, TimeProvider wallClock)
{
    /// <summary>The 消息服务 method of a transfer's status change; a form carrying <c>msg_method</c> is stamped with <c>utc_timestamp</c>.</summary>
    public const string TransferChanged = "alipay.fund.trans.order.changed";

    /// <summary>The 消息服务 method of an asynchronous settle's result.</summary>
    public const string SettleNotified = "alipay.trade.order.settle.notify";

    private readonly NotifySigner _signer = new(keys, wallClock);

    /// <summary>Stamps each attempt of a notify (retries and resends too) with its sending time and signs it afresh.</summary>
    public ICallbackSigner Signer => _signer;

    /// <summary>The notify for the trade's current status (with the refund's fields after a refund), under the batch's faults.</summary>
    public CallbackDelivery Notify(AlipayTrade trade, AlipayRefund? refund, string url, string notifyId, DeliveryFaults faults)
    {
        var amount = AlipayTrade.FormatYuan(trade.AmountFen + (faults.WrongAmount ? 1 : 0));
        var paid = trade.GmtPayment is not null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
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
            ["buyer_open_id"] = trade.BuyerOpenId,
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

        return FormDelivery(trade.Status, url, parameters, faults);
    }

    /// <summary>
    /// <c>dut_user_sign</c> or <c>dut_user_unsign</c> about an agreement, a form POST signed like a trade notify (as
    /// alipay-sdk's checkNotifySign verifies both).
    /// </summary>
    public CallbackDelivery AgreementNotify(AlipayAgreement agreement, string notifyType, string url, string notifyId, DeliveryFaults faults)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["notify_type"] = notifyType,
            ["notify_id"] = notifyId,
            ["app_id"] = keys.AppId,
            ["auth_app_id"] = keys.AppId,
            ["charset"] = "utf-8",
            ["version"] = "1.0",
            ["agreement_no"] = agreement.Id,
            ["external_agreement_no"] = agreement.ExternalAgreementNo ?? "",
            ["personal_product_code"] = agreement.PersonalProductCode,
            ["sign_scene"] = agreement.SignScene,
            ["status"] = agreement.Status,
            ["alipay_user_id"] = agreement.AlipayUserId,
            ["alipay_logon_id"] = agreement.AlipayLogonId,
            ["sign_time"] = agreement.SignedAt is { } signed ? AlipayTime.Format(signed) : "",
            ["valid_time"] = agreement.SignedAt is { } valid ? AlipayTime.Format(valid) : "",
            ["invalid_time"] = agreement.UnsignedAt is { } ended ? AlipayTime.Format(ended) : AlipayProvider.AgreementInvalidTime,
        };
        return FormDelivery(notifyType, url, parameters, faults);
    }

    /// <summary>
    /// <c>alipay.fund.trans.order.changed</c> (资金单据状态变更通知), a 消息服务 message to the app's gateway: the transfer's
    /// fields as <c>biz_content</c> JSON under <c>msg_method</c>, <c>utc_timestamp</c> (stamped on each attempt),
    /// <c>version</c> 1.1, signed like a trade notify (as alipay-sdk's checkNotifySign and rsaCheckV1 verify it).
    /// </summary>
    public CallbackDelivery TransferNotify(AlipayTransfer transfer, string url, string notifyId, DeliveryFaults faults)
    {
        // As the query answers: no pay_fund_order_id or pay_date once failed, error fields only for FAIL and REFUND.
        var failed = transfer.Status == AlipayTransfer.Fail;
        var biz = new JsonObject
        {
            ["out_biz_no"] = transfer.OutBizNo,
            ["order_id"] = transfer.Id,
            ["pay_fund_order_id"] = failed ? null : transfer.PayFundOrderId,
            ["status"] = transfer.Status,
            ["action_type"] = "FINISH",
            ["trans_amount"] = AlipayTrade.FormatYuan(transfer.AmountFen + (faults.WrongAmount ? 1 : 0)),
            ["pay_date"] = transfer.PaidAt is { } paid && !failed ? AlipayTime.Format(paid) : null,
            ["product_code"] = AlipayProvider.TransferProduct,
            ["biz_scene"] = AlipayProvider.TransferScene,
            ["origin_interface"] = AlipayProvider.UniTransfer,
            ["error_code"] = transfer.Status is AlipayTransfer.Fail or AlipayTransfer.Refund ? transfer.ErrorCode : null,
            ["fail_reason"] = transfer.Status is AlipayTransfer.Fail or AlipayTransfer.Refund ? transfer.FailReason : null,
        };
        foreach (var absent in biz.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            biz.Remove(absent);
        }

        return MessageDelivery(TransferChanged, biz, url, notifyId, faults);
    }

    /// <summary>
    /// <c>alipay.trade.order.settle.notify</c> (交易分账结果通知), the 消息服务 message of an asynchronous settle: the trade,
    /// the request and settle numbers and each royalty_detail as <c>alipay.trade.order.settle.query</c> answers it.
    /// </summary>
    public CallbackDelivery SettleNotify(AlipaySettle settle, string url, string notifyId, DeliveryFaults faults)
    {
        var details = new JsonArray();
        foreach (var detail in settle.Details)
        {
            details.Add(AlipayProvider.DetailFields(detail, detail.AmountFen + (faults.WrongAmount ? 1 : 0)));
        }

        var biz = new JsonObject
        {
            ["trade_no"] = settle.TradeNo,
            ["out_request_no"] = settle.OutRequestNo,
            ["settle_no"] = settle.Id,
            ["operation_dt"] = AlipayTime.Format(settle.At),
            ["royalty_detail_list"] = details,
        };
        return MessageDelivery(SettleNotified, biz, url, notifyId, faults);
    }

    /// <summary>A 消息服务 message: its fields as <c>biz_content</c> JSON under <c>msg_method</c>, <c>version</c> 1.1.</summary>
    private CallbackDelivery MessageDelivery(string method, JsonObject biz, string url, string notifyId, DeliveryFaults faults)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["msg_method"] = method,
            ["notify_id"] = notifyId,
            ["app_id"] = keys.AppId,
            ["charset"] = "utf-8",
            ["version"] = "1.1",
            ["biz_content"] = biz.ToJsonString(AlipayReplies.Compact),
        };
        return FormDelivery(method, url, parameters, faults);
    }

    /// <summary>
    /// A notify as Alipay posts it: a signed form of the parameters that are not empty (alipay-sdk's checkNotifySign
    /// fails on an empty one).
    /// </summary>
    private CallbackDelivery FormDelivery(string eventType, string url, Dictionary<string, string> parameters, DeliveryFaults faults)
    {
        var delivery = new CallbackDelivery
        {
            EventType = eventType,
            Method = "POST",
            Url = url,
            Headers = { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" },
            Body = _signer.Render(parameters.Where(p => p.Value.Length > 0), faults.StaleBy, faults.TamperedSignature),
            Signer = _signer.Name,
        };
        SignatureFaults.Attach(delivery, faults);
        return delivery;
    }

    /// <summary>The synchronous return to the merchant's page (page and wap pay), signed (and, in certificate mode, named) like a notify.</summary>
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
        var certificateMode = keys.NotifiesInCertificateMode;
        if (certificateMode)
        {
            parameters.Add(new("alipay_cert_sn", keys.Certificates.AlipayCertSn));
        }

        var content = AlipayKeys.Canonical(parameters);
        parameters.Add(new("sign", keys.Sign(content, certificateMode)));
        parameters.Add(new("sign_type", keys.SignType));
        return parameters;
    }

    /// <summary>
    /// Alipay's notify_time is the sending time and is signed with the rest, so every attempt is rendered anew from the
    /// stored notify (keeping its scripted stale and tampered faults) rather than replaying the first attempt's bytes.
    /// </summary>
    private sealed class NotifySigner(AlipayKeys keys, TimeProvider wallClock) : ICallbackSigner
    {
        public string Name => "alipay-notify";

        /// <summary>The signature travels in the form, not in headers.</summary>
        public void Sign(CallbackDelivery delivery, IDictionary<string, string> headers)
        {
        }

        public byte[] Body(CallbackDelivery delivery) =>
            Render(
                QueryHelpers.ParseQuery(Encoding.UTF8.GetString(delivery.Body)).Select(p => new KeyValuePair<string, string>(p.Key, p.Value.ToString())),
                SignatureFaults.StaleBy(delivery),
                SignatureFaults.IsTampered(delivery));

        /// <summary>
        /// The form with <c>notify_time</c> (a 消息服务 message: <c>utc_timestamp</c>, milliseconds) set to now (less the stale fault) and a fresh <c>sign</c> of the app's sign
        /// type; for a certificate-mode app, with the current Alipay certificate's SN in <c>alipay_cert_sn</c> and signed
        /// with its key, so an attempt after a rotation names the new certificate.
        /// </summary>
        public byte[] Render(IEnumerable<KeyValuePair<string, string>> parameters, TimeSpan staleBy, bool tampered)
        {
            var certificateMode = keys.NotifiesInCertificateMode;
            var sent = parameters.Where(p => p.Key is not ("notify_time" or "utc_timestamp" or "sign" or "sign_type" or "alipay_cert_sn")).ToList();
            var at = wallClock.GetUtcNow() - staleBy;
            sent.Insert(0, sent.Any(p => p.Key == "msg_method")
                ? new("utc_timestamp", at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))
                : new("notify_time", AlipayTime.Format(at)));
            if (certificateMode)
            {
                sent.Add(new("alipay_cert_sn", keys.Certificates.AlipayCertSn));
            }

            var content = AlipayKeys.Canonical(sent);
            sent.Add(new("sign_type", keys.SignType));
            sent.Add(new("sign", tampered ? keys.TamperedSign(content, certificateMode) : keys.Sign(content, certificateMode)));
            return Encoding.UTF8.GetBytes(string.Join('&', sent.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))));
        }
    }
}
