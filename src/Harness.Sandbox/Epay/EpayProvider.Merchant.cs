using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Epay;

/// <summary>V2's merchant APIs: <c>/api/merchant/info</c> and <c>/api/merchant/orders</c>, authenticated and signed as the pay APIs.</summary>
public sealed partial class EpayProvider
{
    /// <summary>The most orders one <c>/api/merchant/orders</c> page holds (最大不能超过50).</summary>
    public const int MaxOrdersPage = 50;

    /// <summary>
    /// The merchant's account: always enabled, paying and settling to a sandbox Alipay account. The balance is what
    /// was paid less what was refunded and transferred out (EpayProvider.Transfers.cs); today and yesterday are China days of the sandbox clock, counting the orders
    /// paid among those placed that day.
    /// </summary>
    private IResult MerchantInfo(Dictionary<string, string> p)
    {
        if (AuthenticateMerchant(p) is { } refused)
        {
            return EpayErrors.Json(refused);
        }

        var pid = p["pid"];
        var orders = _orders.All().Where(o => o.Pid == pid).ToList();
        var today = ChinaDay(_context.Clock.GetUtcNow().UtcDateTime);
        var paidToday = orders.Where(o => o.Status == 1 && ChinaDay(o.AddTime) == today).ToList();
        var paidYesterday = orders.Where(o => o.Status == 1 && ChinaDay(o.AddTime) == today.AddDays(-1)).ToList();
        return SignedAnswer(new JsonObject
        {
            ["code"] = 0,
            ["msg"] = "查询商户信息成功",
            ["pid"] = int.Parse(pid, CultureInfo.InvariantCulture),
            ["status"] = 1,
            ["pay_status"] = 1,
            ["settle_status"] = 1,
            ["money"] = EpayOrder.FormatYuan(BalanceFen(pid)),
            ["settle_type"] = 1,
            ["settle_account"] = "sandbox-merchant@example.com",
            ["settle_name"] = "沙箱商户",
            ["order_num"] = orders.Count,
            ["order_num_today"] = paidToday.Count,
            ["order_num_lastday"] = paidYesterday.Count,
            ["order_money_today"] = EpayOrder.FormatYuan(paidToday.Sum(o => o.AmountFen)),
            ["order_money_lastday"] = EpayOrder.FormatYuan(paidYesterday.Sum(o => o.AmountFen)),
        });
    }

    /// <summary>A page of the merchant's orders, newest first, optionally only the unpaid (0) or the paid (1).</summary>
    private IResult MerchantOrders(Dictionary<string, string> p)
    {
        if (AuthenticateMerchant(p) is { } refused)
        {
            return EpayErrors.Json(refused);
        }

        if (!int.TryParse(p.GetValueOrDefault("offset"), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return EpayErrors.Json("offset 不合法");
        }

        if (!int.TryParse(p.GetValueOrDefault("limit"), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxOrdersPage)
        {
            return EpayErrors.Json($"limit 须为1到{MaxOrdersPage}");
        }

        int? status = p.GetValueOrDefault("status") switch
        {
            null or "" => null,
            "0" => 0,
            "1" => 1,
            _ => -1,
        };
        if (status == -1)
        {
            return EpayErrors.Json("status 不合法");
        }

        var page = _orders.All()
            .Where(o => o.Pid == p["pid"] && (status is null || ShownStatus(o) == status))
            .OrderByDescending(o => o.AddTime).ThenByDescending(o => o.Id, StringComparer.Ordinal)
            .Skip(offset).Take(limit)
            .Select(o => (JsonNode)OrderFields(o, []));
        return SignedAnswer(new JsonObject { ["code"] = 0, ["msg"] = "查询订单列表成功", ["data"] = new JsonArray([.. page]) });
    }

    private static DateTime ChinaDay(DateTime utc) => utc.AddHours(8).Date;
}
