using Harness.Storage;

namespace Harness.Sandbox.WeChatPay;

/// <summary>What the buyer's client steps pay: an order placed alone or a 合单, found by its prepay_id or its payment.</summary>
public interface IWeChatPayPayable
{
    string Id { get; }

    string TradeType { get; }

    /// <summary>The appid the client runs in: the order's appid (sp_appid) or the 合单's combine_appid.</summary>
    string Appid { get; }

    /// <summary>服务商 mode: the sub-merchant's appid, which the client may run in instead.</summary>
    string? SubAppid { get; }

    /// <summary>APP's partnerid: the order's mchid (sp_mchid) or the 合单's combine_mchid.</summary>
    string Mchid { get; }

    string? H5Url { get; }

    string? RedirectUrl { get; set; }
}

/// <summary>
/// A 合单 (<c>/v3/combine-transactions/…</c>): several merchants' sub-orders paid at once. Its id is the core payment's
/// id, so the buyer pays the whole of it on one pay page; each sub-order is a <see cref="WeChatPayOrder"/> with
/// <see cref="WeChatPayOrder.CombineId"/> set, refunded, shared and billed as any order once paid.
/// </summary>
public sealed class WeChatPayCombine : IDocument, IWeChatPayPayable
{
    public string Id { get; set; } = "";

    /// <summary>combine_appid.</summary>
    public string Appid { get; set; } = "";

    /// <summary>combine_mchid: the merchant (or 服务商) that placed it and alone queries and closes it.</summary>
    public string Mchid { get; set; } = "";

    public string CombineOutTradeNo { get; set; } = "";

    /// <summary>A combine_out_trade_no is unique per combine_mchid (indexed).</summary>
    public string CombineKey => Mchid + "/" + CombineOutTradeNo;

    public string TradeType { get; set; } = WeChatPayOrder.Native;

    public string NotifyUrl { get; set; } = "";

    /// <summary>Native only.</summary>
    public string CodeUrl { get; set; } = "";

    /// <summary>JSAPI, APP and H5 (indexed).</summary>
    public string? PrepayId { get; set; }

    public string? H5Url { get; set; }

    public string? RedirectUrl { get; set; }

    /// <summary>scene_info.device_id, echoed back.</summary>
    public string? DeviceId { get; set; }

    /// <summary>combine_payer_info.openid: given by a JSAPI 合单, the paying buyer's for the others.</summary>
    public string? OpenId { get; set; }

    /// <summary>The sub-orders' ids, in the order the request listed them.</summary>
    public List<string> SubOrderIds { get; set; } = [];

    /// <summary>The request as received, to tell a repeated request from a conflicting one.</summary>
    public string RequestJson { get; set; } = "";

    /// <summary>A 合单 is the combine_mchid's own: the client runs in combine_appid.</summary>
    public string? SubAppid => null;
}
