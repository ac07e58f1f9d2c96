using System.Globalization;
using System.Security.Cryptography;
using Harness.Storage;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// An order of any trade type as the sandbox keeps it; its id is the core payment's id, except for a 合单's sub-order,
/// which has no payment of its own (<see cref="CombineId"/>).
/// </summary>
public sealed class WeChatPayOrder : IDocument, IWeChatPayPayable
{
    /// <summary>The <c>trade_type</c> values a Transaction names: one per order route (H5 is <c>MWEB</c>).</summary>
    public const string Native = "NATIVE";
    public const string Jsapi = "JSAPI";
    public const string App = "APP";
    public const string H5 = "MWEB";

    /// <summary>A 委托代扣 deduction (<c>/v3/papay/pay/transactions/apply</c>), placed on a contract instead of by the buyer.</summary>
    public const string Pap = "PAP";

    private const string CodeCharacters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public string Id { get; set; } = "";

    public string Mchid { get; set; } = "";

    public string Appid { get; set; } = "";

    /// <summary>
    /// 服务商 mode: the sub-merchant the order is placed for (then <see cref="Mchid"/> and <see cref="Appid"/> are the
    /// 服务商's sp_mchid and sp_appid); null for the merchant's own orders. An out_trade_no is unique per sub-merchant.
    /// </summary>
    public string? SubMchid { get; set; }

    /// <summary>服务商 mode: the request's <c>sub_appid</c>, if any.</summary>
    public string? SubAppid { get; set; }

    /// <summary>Orders stored before JSAPI, APP and H5 existed have none: they are Native.</summary>
    public string TradeType { get; set; } = Native;

    public string OutTradeNo { get; set; } = "";

    public string Description { get; set; } = "";

    public string NotifyUrl { get; set; } = "";

    public string? Attach { get; set; }

    /// <summary>Fen.</summary>
    public long Total { get; set; }

    /// <summary>Native only; the other trade types have a <see cref="PrepayId"/> instead.</summary>
    public string CodeUrl { get; set; } = "";

    /// <summary>JSAPI, APP and H5: what the client step (<c>wx.requestPayment</c>, PayReq, the H5 cashier) pays.</summary>
    public string? PrepayId { get; set; }

    /// <summary>H5: the cashier URL answered as <c>h5_url</c>.</summary>
    public string? H5Url { get; set; }

    /// <summary>H5: where the cashier sends the buyer after paying or leaving (<c>redirect_url</c> on the h5_url), last one given.</summary>
    public string? RedirectUrl { get; set; }

    /// <summary>The request's <c>scene_info.device_id</c>, echoed in the Transaction's <c>scene_info</c> (§2.2).</summary>
    public string? DeviceId { get; set; }

    /// <summary>The order request as received, to tell a repeated request from a conflicting one.</summary>
    public string RequestJson { get; set; } = "";

    /// <summary>Set when paid: 28 digits.</summary>
    public string? TransactionId { get; set; }

    public DateTime? SuccessTime { get; set; }

    /// <summary>JSAPI: the request's <c>payer.openid</c> (服务商 mode: <c>payer.sp_openid</c>); the other types get the paying buyer's when paid.</summary>
    public string? OpenId { get; set; }

    /// <summary>服务商 mode: the buyer's openid under <see cref="SubAppid"/> (JSAPI's <c>payer.sub_openid</c>, or given when paid).</summary>
    public string? SubOpenId { get; set; }

    /// <summary>合单: the <see cref="WeChatPayCombine"/> this is a sub-order of, paid or closed with it; null for an order placed alone.</summary>
    public string? CombineId { get; set; }

    /// <summary>PAP: the contract_id deducted from.</summary>
    public string? ContractId { get; set; }

    /// <summary>Fen refunded so far.</summary>
    public long Refunded { get; set; }

    /// <summary>The request's <c>settle_info.profit_sharing</c>: paid, the money stays frozen for 分账 (WeChatPayProvider.ProfitSharing.cs).</summary>
    public bool ProfitSharing { get; set; }

    /// <summary>A Native <c>code_url</c> as WeChat hands them out: <c>weixin://wxpay/bizpayurl?pr=</c> and seven letters or digits.</summary>
    public static string NewCodeUrl() => "weixin://wxpay/bizpayurl?pr=" + RandomNumberGenerator.GetString(CodeCharacters, 7);

    /// <summary>A prepay_id as WeChat hands them out: <c>wx</c>, the China time to the second, 20 hex characters (36 in all).</summary>
    public static string NewPrepayId(DateTimeOffset now) =>
        "wx" + now.ToOffset(WeChatPayResources.ChinaOffset).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    /// <summary>The <c>package</c> number an h5_url carries beside the prepay_id: ten digits.</summary>
    public static string NewH5Package() => RandomNumberGenerator.GetString("0123456789", 10);
}

/// <summary>A refund of a paid order (<c>/v3/refund/domestic/refunds</c>).</summary>
public sealed class WeChatPayRefund : IDocument
{
    public const string Processing = "PROCESSING";

    /// <summary>The merchant's <c>out_refund_no</c>, unique per merchant.</summary>
    public string Id { get; set; } = "";

    public string RefundId { get; set; } = "";

    public string OrderId { get; set; } = "";

    public string? Reason { get; set; }

    public string? NotifyUrl { get; set; }

    /// <summary>Fen.</summary>
    public long Amount { get; set; }

    public string Status { get; set; } = Processing;

    /// <summary>How the bank ends it when <see cref="SettlesAt"/> comes: the <c>refund_outcome</c> set when it was applied for.</summary>
    public string? Outcome { get; set; }

    /// <summary>When a refund kept PROCESSING (<c>refund_processing_seconds</c>) ends, on the sandbox clock.</summary>
    public DateTime? SettlesAt { get; set; }

    /// <summary>The settling order while it waits at the bank: the time, then the id (indexed; none once it ended).</summary>
    public string? SettleOrder => Status == Processing && SettlesAt is { } at ? OrderKeys.Time(at, Id) : null;

    public DateTime CreateTime { get; set; }

    public DateTime? SuccessTime { get; set; }

    /// <summary><c>channel</c>: <c>ORIGINAL</c> until 发起异常退款 sends it elsewhere.</summary>
    public string Channel { get; set; } = "ORIGINAL";

    /// <summary><c>user_received_account</c>: the buyer's balance (零钱) until 发起异常退款 names a card or account.</summary>
    public string ReceivedAccount { get; set; } = "支付用户零钱";

    /// <summary>The refund request as received, so a repeated request answers the same refund.</summary>
    public string RequestJson { get; set; } = "";
}
