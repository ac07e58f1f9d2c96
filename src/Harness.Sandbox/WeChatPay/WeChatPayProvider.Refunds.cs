using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Storage;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// Refunds (<c>/v3/refund/domestic/refunds</c>): applying, the outcome the <c>refund_outcome</c> setting gives them
/// (SUCCESS, or ABNORMAL / CLOSED to test a merchant's handling of those), and 发起异常退款, which sends an abnormal
/// refund to a bank card instead. How long they stay PROCESSING: WeChatPayProvider.RefundTiming.cs.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>Setting: how the next refunds end (<c>SUCCESS</c>, the default, <c>ABNORMAL</c> or <c>CLOSED</c>).</summary>
    public const string RefundOutcomeSetting = "refund_outcome";

    public const string RefundSuccess = "SUCCESS";

    public const string RefundAbnormal = "ABNORMAL";

    public const string RefundClosed = "CLOSED";

    private const string ToUserCard = "USER_BANK_CARD";

    private const string ToMerchantAccount = "MERCHANT_BANK_CARD";

    /// <summary>The debit cards 发起异常退款 can refund to, by WeChat's bank type, with the bank's name.</summary>
    private static readonly Dictionary<string, string> AbnormalRefundBanks = new(StringComparer.Ordinal)
    {
        ["CMB_DEBIT"] = "招商银行", ["COMM_DEBIT"] = "交通银行", ["ABC_DEBIT"] = "农业银行", ["CCB_DEBIT"] = "建设银行",
        ["ICBC_DEBIT"] = "工商银行", ["BOC_DEBIT"] = "中国银行", ["PAB_DEBIT"] = "平安银行", ["SPDB_DEBIT"] = "浦发银行",
        ["CITIC_DEBIT"] = "中信银行", ["CEB_DEBIT"] = "光大银行", ["CMBC_DEBIT"] = "民生银行", ["CIB_DEBIT"] = "兴业银行",
        ["GDB_DEBIT"] = "广发银行", ["PSBC_DEBIT"] = "邮储银行", ["NBCB_DEBIT"] = "宁波银行",
    };

    private static string? RefuseRefundOutcome(string value) => value is RefundSuccess or RefundAbnormal or RefundClosed
        ? null
        : $"refund_outcome must be '{RefundSuccess}', '{RefundAbnormal}' or '{RefundClosed}'";

    private IResult Refund(string mchid, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var subMchid = fields.OptionalText("sub_mchid", 32);
        var outRefundNo = fields.Text("out_refund_no", 64);
        var transactionId = fields.OptionalText("transaction_id", 32);
        var outTradeNo = fields.OptionalText("out_trade_no", 32);
        var reason = fields.OptionalText("reason", 80);
        var notifyUrl = fields.OptionalText("notify_url", 256);
        var refund = fields.Amount("refund");
        var total = fields.Fen("amount", "total", required: true);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (transactionId is null && outTradeNo is null)
        {
            return WeChatPayErrors.Missing("transaction_id");
        }

        if (subMchid is not null && RefuseSubMchid(subMchid) is { } unbound)
        {
            return unbound;
        }

        if (!OutRefundNo().IsMatch(outRefundNo))
        {
            return WeChatPayErrors.Param("out_refund_no", "格式错误：应为1-64位数字、大小写字母或_-|*@", outRefundNo);
        }

        if (notifyUrl is not null && !HttpUrl.IsValid(notifyUrl))
        {
            return WeChatPayErrors.Param("notify_url", "格式错误：应为http(s)地址", notifyUrl);
        }

        return _context.Store.Atomically<IResult>(() =>
        {
            var order = transactionId is not null
                ? FindByTransactionId(mchid, subMchid, transactionId)
                : FindByOutTradeNo(mchid, subMchid, outTradeNo!);
            if (order is null)
            {
                return WeChatPayErrors.Of(404, "RESOURCE_NOT_EXISTS", "订单不存在");
            }

            if (_refunds.Get(RefundKey(mchid, subMchid, outRefundNo)) is { } earlier)
            {
                return JsonNode.DeepEquals(JsonNode.Parse(earlier.RequestJson), request)
                    ? Json(WeChatPayResources.Refund(earlier, order))
                    : WeChatPayErrors.InvalidRequest("退款单号已存在，且与原退款请求参数不一致");
            }

            if (order.TransactionId is null)
            {
                return WeChatPayErrors.InvalidRequest("订单未支付，不能退款");
            }

            if (total != order.Total)
            {
                return WeChatPayErrors.InvalidRequest("订单金额total与原订单金额不一致");
            }

            if (refund > order.Total - order.Refunded)
            {
                return WeChatPayErrors.InvalidRequest("申请退款金额超过订单可退金额");
            }

            if (RefundBeyondUnsplit(order, refund) is { } frozen)
            {
                return frozen;
            }

            var now = _context.Clock.GetUtcNow().UtcDateTime;
            var created = new WeChatPayRefund
            {
                Id = RefundKey(mchid, subMchid, outRefundNo),
                RefundId = "5030" + Digits(25),
                OrderId = order.Id,
                Reason = reason,
                NotifyUrl = notifyUrl,
                Amount = refund,
                CreateTime = now,
                RequestJson = request.ToJsonString(),
            };
            order.Refunded += refund;

            // The answer shows the refund as accepted (PROCESSING); the sandbox's bank ends it the way the
            // refund_outcome setting says now, at once or after refund_processing_seconds.
            var answer = WeChatPayResources.Refund(created, order);
            Process(created, order, _context.Settings.Get(Name, RefundOutcomeSetting) ?? RefundSuccess, now);
            return Json(answer);
        });
    }

    /// <summary><c>GET /v3/refund/domestic/refunds/{out_refund_no}</c>, with <c>?sub_mchid=</c> for a 服务商's refund of a sub-merchant's order.</summary>
    private IResult QueryRefund(HttpContext http, string mchid, string outRefundNo)
    {
        var subMchid = http.Request.Query.ContainsKey("sub_mchid") ? http.Request.Query["sub_mchid"].ToString() : null;
        if (subMchid is { Length: 0 })
        {
            return WeChatPayErrors.Param("sub_mchid", "必填性规则校验失败，此字段不能为空", location: "query");
        }

        if (subMchid is not null && RefuseSubMchid(subMchid) is { } unbound)
        {
            return unbound;
        }

        return _refunds.Get(RefundKey(mchid, subMchid, outRefundNo)) is { } refund
            ? Json(WeChatPayResources.Refund(refund, _orders.Get(refund.OrderId)!))
            : WeChatPayErrors.Of(404, "RESOURCE_NOT_EXISTS", "退款单不存在");
    }

    /// <summary>
    /// <c>POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund</c>: an ABNORMAL refund goes to the
    /// buyer's debit card (bank, account and name, the last two encrypted for the <c>Wechatpay-Serial</c> key with
    /// RSA-OAEP) or to the merchant's bank account. Accepted as PROCESSING and succeeds (REFUND.SUCCESS) at once or,
    /// like any refund, after <c>refund_processing_seconds</c>.
    /// </summary>
    private IResult ApplyAbnormalRefund(HttpContext http, string mchid, string refundId, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var subMchid = fields.OptionalText("sub_mchid", 32);
        var outRefundNo = fields.Text("out_refund_no", 64);
        var type = fields.Text("type", 32);
        var bankType = fields.OptionalText("bank_type", 16);
        var bankAccount = fields.OptionalText("bank_account", 1024);
        var realName = fields.OptionalText("real_name", 1024);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (subMchid is not null && RefuseSubMchid(subMchid) is { } unbound)
        {
            return unbound;
        }

        string account;
        if (type == ToMerchantAccount)
        {
            account = "交易商户银行账户";
        }
        else if (type != ToUserCard)
        {
            return WeChatPayErrors.Param("type", $"枚举值校验失败：应为{ToUserCard}或{ToMerchantAccount}", type);
        }
        else if (ToUserCardAccount(http, bankType, bankAccount, realName, out var problem) is { } card)
        {
            account = card;
        }
        else
        {
            return problem!;
        }

        return _context.Store.Atomically<IResult>(() =>
        {
            if (_refunds.Get(RefundKey(mchid, subMchid, outRefundNo)) is not { } refund || refund.RefundId != refundId)
            {
                return WeChatPayErrors.Of(404, "RESOURCE_NOT_EXISTS", "退款单不存在");
            }

            if (refund.Status != RefundAbnormal)
            {
                return WeChatPayErrors.InvalidRequest($"退款单状态为{refund.Status}，只有退款异常（ABNORMAL）的退款单才能发起异常退款");
            }

            var order = _orders.Get(refund.OrderId)!;
            refund.Channel = "OTHER_BANKCARD";
            refund.ReceivedAccount = account;
            refund.Status = WeChatPayRefund.Processing;
            var answer = WeChatPayResources.Refund(refund, order);
            Process(refund, order, RefundSuccess, _context.Clock.GetUtcNow().UtcDateTime);
            return Json(answer);
        });
    }

    /// <summary>The buyer's card as <c>user_received_account</c> shows it, once its three fields check; else null and the refusal.</summary>
    private string? ToUserCardAccount(HttpContext http, string? bankType, string? bankAccount, string? realName, out IResult? problem)
    {
        problem = bankType is null ? WeChatPayErrors.Missing("bank_type")
            : bankAccount is null ? WeChatPayErrors.Missing("bank_account")
            : realName is null ? WeChatPayErrors.Missing("real_name")
            : !AbnormalRefundBanks.ContainsKey(bankType) ? WeChatPayErrors.Param("bank_type", "不支持的开户银行：仅支持十五家银行的借记卡", bankType)
            : null;
        if (problem is not null)
        {
            return null;
        }

        var serial = http.Request.Headers["Wechatpay-Serial"].ToString();
        if (serial.Length == 0)
        {
            problem = WeChatPayErrors.Missing("Wechatpay-Serial", "header");
            return null;
        }

        if (_keys.SensitiveFieldKey(serial) is not { } key)
        {
            problem = WeChatPayErrors.Param("Wechatpay-Serial", "无效：不是微信支付平台证书序列号或微信支付公钥ID", serial, "header");
            return null;
        }

        var number = Decrypt(key, bankAccount!);
        var name = Decrypt(key, realName!);
        problem = number is null ? WeChatPayErrors.Param("bank_account", "解密失败：应为用Wechatpay-Serial所指公钥以RSA-OAEP加密后的Base64")
            : name is null ? WeChatPayErrors.Param("real_name", "解密失败：应为用Wechatpay-Serial所指公钥以RSA-OAEP加密后的Base64")
            : number.Length is < 10 or > 30 || !number.All(char.IsAsciiDigit) ? WeChatPayErrors.Param("bank_account", "格式错误：应为10-30位数字的银行卡号")
            : name.Length == 0 ? WeChatPayErrors.Param("real_name", "格式错误：不能为空")
            : null;
        return problem is null ? $"{AbnormalRefundBanks[bankType!]}借记卡{number![^4..]}" : null;
    }

    /// <summary>A sensitive field as WeChat's SDKs encrypt it (RSA/ECB/OAEPWithSHA-1AndMGF1Padding, base64); null when it does not open.</summary>
    private static string? Decrypt(RSA key, string base64)
    {
        var cipher = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, cipher, out var length))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(key.Decrypt(cipher.AsSpan(0, length).ToArray(), RSAEncryptionPadding.OaepSHA1));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// Ends a refund as <paramref name="outcome"/> and tells the merchant when it gave a <c>notify_url</c>: SUCCESS
    /// (REFUND.SUCCESS), ABNORMAL (REFUND.ABNORMAL; the money stays out of the order until 发起异常退款) or CLOSED
    /// (REFUND.CLOSED; the amount can be refunded again).
    /// </summary>
    private void Settle(WeChatPayRefund refund, WeChatPayOrder order, string outcome, DateTime now)
    {
        refund.Status = outcome;
        refund.SuccessTime = outcome == RefundSuccess ? now : null;
        if (outcome == RefundClosed)
        {
            order.Refunded -= refund.Amount;
        }

        _orders.Upsert(order);
        _refunds.Upsert(refund);
        if (refund.NotifyUrl is not { } url)
        {
            return;
        }

        var (eventType, summary) = outcome switch
        {
            RefundAbnormal => ("REFUND.ABNORMAL", "退款异常"),
            RefundClosed => ("REFUND.CLOSED", "退款关闭"),
            _ => ("REFUND.SUCCESS", "退款成功"),
        };

        // A 合单 sub-order's refund is told under the 合单's payment, the one the merchant and the control API see.
        _context.Notifier.Send(Name, order.CombineId ?? order.Id, _policy, faults =>
        {
            var notice = WeChatPayResources.RefundNotice(refund, order);
            if (faults.WrongAmount)
            {
                notice["amount"]!["refund"] = refund.Amount + 1;
            }

            return [Notification(url, eventType, summary, "refund", notice, faults)];
        });
    }
}
