using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 申请交易账单 in 服务商 mode: <c>GET /v3/bill/tradebill?sub_mchid=</c> is one sub-merchant's bill; without it the
/// bill covers every order under the mchid, the sub-merchants' (特约商户号 filled) as WeChat's 服务商 bill does, and
/// the sandbox merchant's own (特约商户号 <c>0</c>), since it plays the direct merchant as well. The fund-flow bill
/// stays the merchant's own basic account.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>The orders the trade bill lists, or the refusal of its <c>sub_mchid</c> (empty, or no sub-merchant of this 服务商).</summary>
    private IResult? TradeBillOrders(HttpContext http, string mchid, out IEnumerable<WeChatPayOrder> orders)
    {
        var query = http.Request.Query;
        var subMchid = query.ContainsKey("sub_mchid") ? query["sub_mchid"].ToString() : null;
        var merchants = _orders.All().Where(o => o.Mchid == mchid);
        orders = subMchid is null ? merchants : merchants.Where(o => o.SubMchid == subMchid);
        return subMchid switch
        {
            null => null,
            "" => WeChatPayErrors.Param("sub_mchid", "必填性规则校验失败，此字段不能为空", location: "query"),
            _ => RefuseSubMchid(subMchid),
        };
    }
}
