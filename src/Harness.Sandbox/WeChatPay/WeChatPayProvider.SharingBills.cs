using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 申请分账账单 (<c>GET /v3/profitsharing/bills?bill_date=&amp;sub_mchid=&amp;tar_type=</c>): the day's successful
/// 分账 lines and returns as a file behind the bill download link. <c>sub_mchid</c> narrows it to one sub-merchant's
/// sharing; without it the bill covers every 分账单 under the mchid, the merchant's own and its sub-merchants', as the
/// trade bill does. The 服务商 sub-merchant's encrypted fund-flow bill is in WeChatPayProvider.SubMerchantBills.cs.
/// </summary>
public sealed partial class WeChatPayProvider
{
    private void MapSharingBills(WebApplication app)
    {
        app.MapGet("/v3/profitsharing/bills", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, (mchid, _) => SharingBill(request.HttpContext, mchid)));
        app.MapGet("/v3/bill/sub-merchant-fundflowbill", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, (mchid, _) => SubMerchantFundFlowBill(request.HttpContext, mchid)));
    }

    private IResult SharingBill(HttpContext http, string mchid)
    {
        var query = http.Request.Query;
        var (day, refusal) = BillDay(query["bill_date"].ToString());
        var (gzip, tarRefusal) = TarType(query["tar_type"].ToString());
        var subMchid = query.ContainsKey("sub_mchid") ? query["sub_mchid"].ToString() : null;
        var scopeRefusal = subMchid switch
        {
            null => null,
            "" => WeChatPayErrors.Param("sub_mchid", "必填性规则校验失败，此字段不能为空", location: "query"),
            _ => RefuseSubMchid(subMchid),
        };
        if ((refusal ?? tarRefusal ?? scopeRefusal ?? Availability(day)) is { } refused)
        {
            return refused;
        }

        var rows = SharingRows(mchid, subMchid).Where(r => WeChatPayBills.ChinaDay(r.Finished) == day).ToList();
        return rows.Count == 0
            ? NoStatement()
            : BillLink(http, WeChatPayBills.SharingBill(rows), gzip, $"profitsharingbill_{day:yyyyMMdd}");
    }

    /// <summary>Every successful 分账 line and return of the mchid (of one sub-merchant when given), in time order.</summary>
    private List<SharingBillRow> SharingRows(string mchid, string? subMchid)
    {
        var orders = _sharing.Orders.All()
            .Where(o => (o.Owner == mchid || o.Owner.StartsWith(mchid + "/", StringComparison.Ordinal)) && (subMchid is null || o.SubMchid == subMchid))
            .ToDictionary(o => o.Id, StringComparer.Ordinal);
        var rows = new List<SharingBillRow>();
        foreach (var order in orders.Values)
        {
            var payer = order.SubMchid ?? mchid;
            rows.AddRange(order.Receivers
                .Where(l => l is { Result: WeChatPaySharingLine.Success, FinishTime: not null })
                .Select(l => new SharingBillRow(
                    order.CreateTime, l.FinishTime!.Value, payer, l.Type, l.Account, order.TransactionId, order.OrderId, l.DetailId, order.OutOrderNo,
                    l.Unfrozen ? WeChatPayBills.UnfreezeType : WeChatPayBills.ShareType, l.Amount, l.Description)));
        }

        foreach (var returned in _sharing.Returns.All().Where(r => r is { Result: WeChatPaySharingReturn.Success, FinishTime: not null }))
        {
            if (orders.TryGetValue(returned.SharingOrder, out var order))
            {
                rows.Add(new SharingBillRow(
                    returned.CreateTime, returned.FinishTime!.Value, order.SubMchid ?? mchid, MerchantId, returned.ReturnMchid, order.TransactionId,
                    returned.ReturnId, "", returned.OutReturnNo, WeChatPayBills.ReturnType, returned.Amount, returned.Description));
            }
        }

        // A stable sort: lines finished at one moment keep their 分账单's order, shares before returns.
        return [.. rows.OrderBy(r => r.Finished)];
    }
}
