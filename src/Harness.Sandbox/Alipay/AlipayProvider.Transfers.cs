using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// 单笔转账 to an Alipay account (<c>alipay.fund.trans.uni.transfer</c>, product TRANS_ACCOUNT_NO_PWD, scene
/// DIRECT_TRANSFER), its query (<c>alipay.fund.trans.common.query</c>) and the merchant's balance
/// (<c>alipay.fund.account.query</c>). Alipay serves these to certificate-mode apps only. The balance is the
/// <c>transfer_float</c> setting plus what paid trades brought in, less refunds and transfers (<see cref="AlipayAccount"/>);
/// each status a transfer reaches is sent as <c>alipay.fund.trans.order.changed</c>; documented test payees
/// refuse or keep a transfer DEALING until the control API ends it (docs/sandbox/alipay.md).
/// </summary>
public sealed partial class AlipayProvider
{
    public const string UniTransfer = "alipay.fund.trans.uni.transfer";
    public const string TransferQuery = "alipay.fund.trans.common.query";
    public const string AccountQuery = "alipay.fund.account.query";

    public const string TransferFloatSetting = "transfer_float";

    /// <summary>1,000,000.00 yuan in fen: enough for demos before any trade is paid.</summary>
    public const long DefaultTransferFloatFen = 100_000_000;

    /// <summary>A payee no Alipay account answers to: PAYEE_NOT_EXIST (as does <see cref="NoSuchLogonId"/>).</summary>
    public const string NoSuchUserId = "2088000000000404";

    public const string NoSuchLogonId = "nobody@example.com";

    /// <summary>A payee whose real name never matches the name sent: PAYEE_USER_INFO_ERROR (sent without a name, it is paid).</summary>
    public const string NameMismatchUserId = "2088000000000401";

    /// <summary>A payee whose transfer stays DEALING until <c>POST /control/alipay/transfers/{order_id}/outcome</c> ends it.</summary>
    public const string DealingUserId = "2088000000000202";

    internal const string TransferProduct = "TRANS_ACCOUNT_NO_PWD";
    internal const string TransferScene = "DIRECT_TRANSFER";

    /// <summary>Alipay's minimum for TRANS_ACCOUNT_NO_PWD: 0.1 yuan.</summary>
    private const long MinTransferFen = 10;

    /// <summary>The sandbox app's single-transfer limit (Alipay's is per contract): 100,000.00 yuan.</summary>
    private const long MaxTransferFen = 10_000_000;

    /// <summary>Alipay asks for a reason (remark) from 50,000 yuan on, as the regulator requires.</summary>
    private const long MemoRequiredFen = 5_000_000;

    private static string? RefuseTransferFloat(string value) => TransferFloat(value) is null
        ? $"{TransferFloatSetting} must be a whole number of fen from 0 to 10000000000 (100,000,000.00 yuan); remove it for {DefaultTransferFloatFen}"
        : null;

    private static long? TransferFloat(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var fen) && fen <= 10_000_000_000 ? fen : null;

    /// <summary>Transfers and the balance answer only a certificate-mode app; a public-key-mode one is refused as Alipay does.</summary>
    internal static AlipayFailure? RefuseWithoutCertificate(string method, bool certificateMode) =>
        !certificateMode && method is UniTransfer or TransferQuery or AccountQuery
            ? AlipayFailure.Invalid("isv.missing-app-cert-sn", "缺少应用公钥证书序列号参数 app_cert_sn：资金类接口须使用公钥证书模式调用")
            : null;

    private Outcome Transfer(JsonObject biz)
    {
        if (Text(biz, "out_biz_no") is not { } outBizNo || !IsBizNumber(outBizNo))
        {
            return AlipayFailure.Business("INVALID_PARAMETER", "参数有误：out_biz_no 不能为空，最长64位，只能是字母、数字、- 和 _");
        }

        if (AlipayTrade.ParseYuan(Text(biz, "trans_amount")) is not { } fen)
        {
            return AlipayFailure.Business("INVALID_PARAMETER", "参数有误：trans_amount 须为最多两位小数的金额（元）");
        }

        if (Text(biz, "biz_scene") is { } scene && scene != TransferScene)
        {
            return AlipayFailure.Business("INVALID_PARAMETER", $"参数有误：biz_scene 不支持 {scene}，单笔转账到支付宝账户使用 {TransferScene}");
        }

        if (Text(biz, "order_title") is { Length: > 128 } || Text(biz, "remark") is { Length: > 200 })
        {
            return AlipayFailure.Business("INVALID_PARAMETER", "参数有误：order_title 最长128个字符，remark 最长200个字符");
        }

        var (payee, refused) = Payee(biz);
        if (refused is not null)
        {
            return refused;
        }

        if (_transfers.FindBy(nameof(AlipayTransfer.OutBizNo), outBizNo) is [var earlier, ..])
        {
            return earlier.AmountFen == fen && earlier.IdentityType == payee!.IdentityType && earlier.Identity == payee.Identity && earlier.PayeeName == payee.PayeeName
                ? new Outcome(TransferFields(earlier), null)
                : AlipayFailure.Business("PAYMENT_INFO_INCONSISTENCY", "两次请求商户单号一样，但是参数不一致");
        }

        if (Text(biz, "product_code") is not { } product)
        {
            return AlipayFailure.Business("INVALID_PARAMETER", "参数有误：product_code 不能为空");
        }

        if (product != TransferProduct)
        {
            return AlipayFailure.Business("PRODUCT_NOT_SIGN", $"产品未签约：本应用只签约了 {TransferProduct}（单笔无密转账到支付宝账户）");
        }

        if (fen < MinTransferFen)
        {
            return AlipayFailure.Business("EXCEED_LIMIT_SM_MIN_AMOUNT", "单笔最低转账金额0.1元");
        }

        if (fen > MaxTransferFen)
        {
            return AlipayFailure.Business("EXCEED_LIMIT_SM_AMOUNT", "单笔额度超限");
        }

        var remark = Text(biz, "remark") ?? "";
        if (fen >= MemoRequiredFen && remark.Length == 0)
        {
            return AlipayFailure.Business("MEMO_REQUIRED_IN_TRANSFER_ERROR", "根据监管部门的要求，单笔转账金额达到50000元时，需要填写付款理由");
        }

        if (PayeeRefusal(payee!) is { } payeeRefusal)
        {
            return payeeRefusal;
        }

        if (Balance().AvailableFen < fen)
        {
            return AlipayFailure.Business("BALANCE_IS_NOT_ENOUGH", "付款方余额不足");
        }

        var now = _context.Clock.GetUtcNow();
        var date = now.ToOffset(AlipayTime.China).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        payee!.Id = date + "110070000" + Digits(15);
        payee.PayFundOrderId = date + "110070001" + Digits(15);
        payee.OutBizNo = outBizNo;
        payee.AmountFen = fen;
        payee.OrderTitle = Text(biz, "order_title") ?? "";
        payee.Remark = remark;
        payee.CreatedAt = now.UtcDateTime;
        payee.Status = payee.Identity == DealingUserId ? AlipayTransfer.Dealing : AlipayTransfer.Success;
        payee.PaidAt = payee.Status == AlipayTransfer.Success ? now.UtcDateTime : null;
        _transfers.Upsert(payee);
        MoveBalance(-fen, payee.Status == AlipayTransfer.Dealing ? fen : 0);
        if (payee.Status == AlipayTransfer.Success)
        {
            SendTransferNotify(payee);
        }

        return new Outcome(TransferFields(payee), null);
    }

    /// <summary>payee_info as a transfer to be (its payee fields only), or why it is refused.</summary>
    private static (AlipayTransfer? Payee, AlipayFailure? Failure) Payee(JsonObject biz)
    {
        if (biz["payee_info"] is not JsonObject info || Text(info, "identity") is not { Length: > 0 } identity || Text(info, "identity_type") is not { } type)
        {
            return (null, AlipayFailure.Business("INVALID_PARAMETER", "参数有误：payee_info 须为对象，且 identity 与 identity_type 不能为空"));
        }

        var name = Text(info, "name") ?? "";
        var valid = type switch
        {
            "ALIPAY_USER_ID" => UserId().IsMatch(identity),
            "ALIPAY_LOGON_ID" => LogonId().IsMatch(identity) && name.Length > 0,
            "ALIPAY_OPEN_ID" => OpenId().IsMatch(identity),
            _ => false,
        };
        return valid && name.Length <= 64
            ? (new AlipayTransfer { IdentityType = type, Identity = identity, PayeeName = name }, null)
            : (null, AlipayFailure.Business("INVALID_PARAMETER",
                "参数有误：payee_info.identity_type 为 ALIPAY_USER_ID（2088开头的16位数字）、ALIPAY_LOGON_ID（邮箱或手机号，name 必填）或 ALIPAY_OPEN_ID"));
    }

    /// <summary>What the documented test payees answer; every other well-formed payee receives.</summary>
    private static AlipayFailure? PayeeRefusal(AlipayTransfer payee) => payee.Identity switch
    {
        NoSuchUserId or NoSuchLogonId => AlipayFailure.Business("PAYEE_NOT_EXIST", "收款用户不存在"),
        NameMismatchUserId when payee.PayeeName.Length > 0 => AlipayFailure.Business("PAYEE_USER_INFO_ERROR", "支付宝账号和姓名不匹配，请确认姓名是否正确"),
        SellerId => AlipayFailure.Business("PAYER_PAYEE_CANNOT_SAME", "收付款方不能相同"),
        _ => null,
    };

    private static JsonObject TransferFields(AlipayTransfer transfer) => new()
    {
        ["out_biz_no"] = transfer.OutBizNo,
        ["order_id"] = transfer.Id,
        ["pay_fund_order_id"] = transfer.PayFundOrderId,
        ["status"] = transfer.Status,
        ["trans_date"] = AlipayTime.Format(transfer.CreatedAt),
    };

    private Outcome QueryTransfer(JsonObject biz)
    {
        var orderId = Text(biz, "order_id");
        var payFundOrderId = Text(biz, "pay_fund_order_id");
        var outBizNo = Text(biz, "out_biz_no");
        if (new[] { orderId, payFundOrderId, outBizNo }.Any(n => n is { Length: > 0 } && !IsBizNumber(n)))
        {
            return AlipayFailure.Business("INVALID_PARAMETER", "参数有误：order_id、pay_fund_order_id 与 out_biz_no 最长64位，只能是字母、数字、- 和 _");
        }

        AlipayTransfer? transfer;
        if (orderId is { Length: > 0 })
        {
            transfer = _transfers.Get(orderId);
        }
        else if (payFundOrderId is { Length: > 0 })
        {
            transfer = _transfers.FindBy(nameof(AlipayTransfer.PayFundOrderId), payFundOrderId) is [var byFund, ..] ? byFund : null;
        }
        else if (outBizNo is { Length: > 0 })
        {
            if (Text(biz, "product_code") is not { Length: > 0 } product || Text(biz, "biz_scene") is not { Length: > 0 } scene)
            {
                return AlipayFailure.Business("INVALID_PARAMETER", "参数有误：按 out_biz_no 查询时 product_code 与 biz_scene 必填");
            }

            transfer = product == TransferProduct && scene == TransferScene && _transfers.FindBy(nameof(AlipayTransfer.OutBizNo), outBizNo) is [var byOut, ..] ? byOut : null;
        }
        else
        {
            return AlipayFailure.Business("INVALID_PARAMETER", "参数有误：order_id、pay_fund_order_id 与 out_biz_no 不能同时为空");
        }

        if (transfer is null || (outBizNo is { Length: > 0 } && transfer.OutBizNo != outBizNo))
        {
            return AlipayFailure.Business("ORDER_NOT_EXIST", "转账订单不存在");
        }

        // Alipay leaves pay_fund_order_id and pay_date out for a failed transfer, and error fields out for one that is not.
        var fields = new JsonObject { ["order_id"] = transfer.Id, ["out_biz_no"] = transfer.OutBizNo };
        if (transfer.Status != AlipayTransfer.Fail)
        {
            fields["pay_fund_order_id"] = transfer.PayFundOrderId;
        }

        fields["status"] = transfer.Status;
        fields["trans_amount"] = AlipayTrade.FormatYuan(transfer.AmountFen);
        if (transfer.PaidAt is { } paidAt && transfer.Status != AlipayTransfer.Fail)
        {
            fields["pay_date"] = AlipayTime.Format(paidAt);
        }

        if (transfer.Status is AlipayTransfer.Fail or AlipayTransfer.Refund)
        {
            fields["error_code"] = transfer.ErrorCode;
            fields["fail_reason"] = transfer.FailReason;
        }

        return new Outcome(fields, null);
    }

    private Outcome QueryAccount(JsonObject biz)
    {
        if (Text(biz, "alipay_user_id") is not { Length: > 0 } userId)
        {
            return AlipayFailure.Business("INVALID_PARAMETER", "参数有误：alipay_user_id 不能为空");
        }

        if (Text(biz, "account_type") is { } accountType && accountType != "ACCTRANS_ACCOUNT")
        {
            return AlipayFailure.Business("INVALID_PARAMETER", "参数有误：account_type 只支持 ACCTRANS_ACCOUNT（余额账户）");
        }

        if (userId != SellerId)
        {
            return AlipayFailure.Business("NO_PERMISSION_ACCOUNT", "无权限操作当前账号：只能查询本应用商户的余额");
        }

        var (available, frozen) = Balance();
        return new Outcome(new JsonObject { ["available_amount"] = AlipayTrade.FormatYuan(available), ["freeze_amount"] = AlipayTrade.FormatYuan(frozen) }, null);
    }

    /// <summary>Alipay's rule for <c>out_biz_no</c>, also what the sandbox's own order numbers pass (and what the store can index).</summary>
    internal static bool IsBizNumber(string text) => text.Length <= 64 && BizNumber().IsMatch(text);

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex BizNumber();

    [GeneratedRegex("^2088[0-9]{12}$")]
    private static partial Regex UserId();

    /// <summary>An email or an 11-digit mainland mobile number.</summary>
    [GeneratedRegex(@"^([^@\s]{1,64}@[^@\s]{1,255}\.[A-Za-z]{2,}|1[0-9]{10})$")]
    private static partial Regex LogonId();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex OpenId();
}
