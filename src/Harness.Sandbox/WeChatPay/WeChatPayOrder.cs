using System.Security.Cryptography;
using Harness.Storage;

namespace Harness.Sandbox.WeChatPay;

/// <summary>A Native order as the sandbox keeps it; its id is the core payment's id.</summary>
public sealed class WeChatPayOrder : IDocument
{
    private const string CodeCharacters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public string Id { get; set; } = "";

    public string Mchid { get; set; } = "";

    public string Appid { get; set; } = "";

    public string OutTradeNo { get; set; } = "";

    public string Description { get; set; } = "";

    public string NotifyUrl { get; set; } = "";

    public string? Attach { get; set; }

    /// <summary>Fen.</summary>
    public long Total { get; set; }

    public string CodeUrl { get; set; } = "";

    /// <summary>The request's <c>scene_info.device_id</c>, echoed in the Transaction's <c>scene_info</c> (§2.2).</summary>
    public string? DeviceId { get; set; }

    /// <summary>The order request as received, to tell a repeated request from a conflicting one.</summary>
    public string RequestJson { get; set; } = "";

    /// <summary>Set when paid: 28 digits.</summary>
    public string? TransactionId { get; set; }

    public DateTime? SuccessTime { get; set; }

    public string? OpenId { get; set; }

    /// <summary>Fen refunded so far.</summary>
    public long Refunded { get; set; }

    /// <summary>A Native <c>code_url</c> as WeChat hands them out: <c>weixin://wxpay/bizpayurl?pr=</c> and seven letters or digits.</summary>
    public static string NewCodeUrl() => "weixin://wxpay/bizpayurl?pr=" + RandomNumberGenerator.GetString(CodeCharacters, 7);
}

/// <summary>A refund of a paid Native order (<c>/v3/refund/domestic/refunds</c>).</summary>
public sealed class WeChatPayRefund : IDocument
{
    /// <summary>The merchant's <c>out_refund_no</c>, unique per merchant.</summary>
    public string Id { get; set; } = "";

    public string RefundId { get; set; } = "";

    public string OrderId { get; set; } = "";

    public string? Reason { get; set; }

    public string? NotifyUrl { get; set; }

    /// <summary>Fen.</summary>
    public long Amount { get; set; }

    public string Status { get; set; } = "PROCESSING";

    public DateTime CreateTime { get; set; }

    public DateTime? SuccessTime { get; set; }

    /// <summary>The refund request as received, so a repeated request answers the same refund.</summary>
    public string RequestJson { get; set; } = "";
}
