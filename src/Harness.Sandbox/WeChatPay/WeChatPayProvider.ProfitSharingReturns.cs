using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 请求分账回退 (<c>/v3/profitsharing/return-orders</c>): money shared to a merchant receiver comes back to the sharing
/// merchant's available balance (not to the order's frozen amount). WeChat processes a return synchronously; the
/// sandbox answers it SUCCESS at once, unless its out_return_no asks for one that stays PROCESSING or fails
/// (WeChatPayProvider.ProfitSharingReturnOutcomes.cs). A refund needs no return first (they are not coupled), so none is required. In
/// 服务商 mode (<c>sub_mchid</c>) the money returns to the sub-merchant that shared.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>A share can be returned for 180 days after it was requested.</summary>
    public static readonly TimeSpan ReturnPeriod = TimeSpan.FromDays(180);

    private void MapSharingReturns(WebApplication app)
    {
        app.MapPost("/v3/profitsharing/return-orders", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, ReturnShare));
        app.MapGet("/v3/profitsharing/return-orders/{outReturnNo}", (HttpContext http, string outReturnNo) =>
            AuthenticatedAsync(http, (mchid, _) => QueryReturn(http, mchid, outReturnNo)));
    }

    private IResult ReturnShare(string mchid, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var payer = new SharingPayer(mchid, fields.OptionalText("sub_mchid", 32));
        var orderId = fields.OptionalText("order_id", 64);
        var outOrderNo = fields.OptionalText("out_order_no", 64);
        var outReturnNo = fields.Text("out_return_no", 64);
        var returnMchid = fields.Text("return_mchid", 32);
        var description = fields.Text("description", 80);
        var amountRefusal = FenRefusal(request["amount"], "amount", out var amount);
        var refusal = fields.Refusal ?? RefusePayer(payer) ?? amountRefusal
            ?? (orderId is null && outOrderNo is null ? WeChatPayErrors.Missing("out_order_no") : null)
            ?? (!OutSharingNo().IsMatch(outReturnNo) ? WeChatPayErrors.Param("out_return_no", "格式错误：应为1-64位数字、大小写字母或_-|*@", outReturnNo) : null);
        if (refusal is not null)
        {
            return refusal;
        }

        return _context.Store.Atomically(() =>
        {
            var key = payer.Key + "/" + outReturnNo;
            if (_sharing.Returns.Get(key) is { } earlier)
            {
                return JsonNode.DeepEquals(JsonNode.Parse(earlier.RequestJson), request)
                    ? Json(WeChatPaySharingResources.Return(earlier, _sharing.Orders.Get(earlier.SharingOrder)!))
                    : WeChatPayErrors.InvalidRequest("商户回退单号已存在，且与原回退请求参数不一致");
            }

            var order = outOrderNo is not null
                ? _sharing.Orders.Get(payer.Key + "/" + outOrderNo)
                : _sharing.Orders.FindBy(nameof(WeChatPaySharingOrder.OrderId), orderId!).FirstOrDefault(o => o.Owner == payer.Key);
            if (order is null || (orderId is not null && order.OrderId != orderId))
            {
                return WeChatPayErrors.Of(404, "RESOURCE_NOT_EXISTS", "分账指令不存在，请检查是否有对应的分账单");
            }

            var line = order.Receivers.FirstOrDefault(l => l is { Type: MerchantId, Unfrozen: false, Result: WeChatPaySharingLine.Success } && l.Account == returnMchid);
            var now = _context.Clock.GetUtcNow().UtcDateTime;
            if (line is null)
            {
                return WeChatPayErrors.InvalidRequest("只能对原分账请求中成功分给商户接收方的金额进行回退");
            }

            if (now >= order.CreateTime + ReturnPeriod)
            {
                return WeChatPayErrors.InvalidRequest("分账回退的时限是180天，该分账单已超过时限");
            }

            if (amount > line.Amount - line.Returned - line.Reserved)
            {
                return WeChatPayErrors.InvalidRequest("剩余可回退的金额不足");
            }

            var returned = new WeChatPaySharingReturn
            {
                Id = key,
                ReturnId = "3008" + Digits(24),
                SharingOrder = order.Id,
                ReturnMchid = returnMchid,
                Amount = amount,
                Description = description,
                CreateTime = now,
                RequestJson = request.ToJsonString(),
            };
            StartReturn(returned, line, now);
            _sharing.Orders.Upsert(order);
            _sharing.Returns.Upsert(returned);
            return Json(WeChatPaySharingResources.Return(returned, order));
        });
    }

    private IResult QueryReturn(HttpContext http, string mchid, string outReturnNo)
    {
        var outOrderNo = http.Request.Query["out_order_no"].ToString();
        if (QueriedPayer(http, mchid, out var payer) is { } refusal)
        {
            return refusal;
        }

        if (outOrderNo.Length == 0)
        {
            return WeChatPayErrors.Missing("out_order_no", "query");
        }

        return _sharing.Returns.Get(payer.Key + "/" + outReturnNo) is { } returned && returned.SharingOrder == payer.Key + "/" + outOrderNo
            ? Json(WeChatPaySharingResources.Return(returned, _sharing.Orders.Get(returned.SharingOrder)!))
            : WeChatPayErrors.Of(404, "RESOURCE_NOT_EXISTS", "记录不存在");
    }

    /// <summary>A whole-fen field at the top of an object (a receiver's or a return's <c>amount</c>): 1 to 2³¹−1.</summary>
    private static IResult? FenRefusal(JsonNode? node, string name, out long fen)
    {
        fen = 0;
        return node is null ? WeChatPayErrors.Missing(name)
            : node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue(out fen) ? WeChatPayErrors.Param(name, "类型错误：应为整数（单位：分）", node.ToJsonString())
            : fen is < 1 or > WeChatPayFields.MaxFen ? WeChatPayErrors.Param(name, $"取值范围错误：应为1到{WeChatPayFields.MaxFen}的整数（单位：分）", fen.ToString(CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>The profit-sharing collections: receivers, 分账单 (by order_id and transaction_id) and return orders.</summary>
    private sealed class SharingRecords(IDocumentStore store)
    {
        public IDocumentCollection<WeChatPaySharingReceiver> Receivers { get; } = store.Collection<WeChatPaySharingReceiver>("wechatpay_sharing_receivers");

        public IDocumentCollection<WeChatPaySharingOrder> Orders { get; } =
            store.Collection<WeChatPaySharingOrder>("wechatpay_sharing_orders", nameof(WeChatPaySharingOrder.OrderId), nameof(WeChatPaySharingOrder.TransactionId));

        public IDocumentCollection<WeChatPaySharingReturn> Returns { get; } =
            store.Collection<WeChatPaySharingReturn>("wechatpay_sharing_returns", nameof(WeChatPaySharingReturn.SettleOrder));
    }
}
