using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Harness.Security;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 合单支付 (<c>/v3/combine-transactions/…</c>): one buyer pays several merchants' sub-orders at once. A 合单 is one
/// payment (one pay page, one unit paying every sub-order, one notification to its notify_url); each sub-order is an
/// order of its merchant (direct mode: a merchant bound to combine_appid; 服务商 mode: the 服务商 with a bound
/// sub_mchid), refunded, shared (分账) and billed as any order once paid, but queried and closed only as part of the 合单.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>The most sub-orders a 合单 takes (合单下单, 2025: 1 to 50).</summary>
    public const int MaxSubOrders = 50;

    /// <summary>combine_out_trade_no and a sub-order's out_trade_no: 2 to 32 of these characters (合单下单).</summary>
    private const string OutTradeNoIssue = "格式错误：应为2-32位数字、大小写字母或_-|*@";

    private readonly IDocumentCollection<WeChatPayCombine> _combines;

    private void MapCombine(WebApplication app)
    {
        foreach (var (path, tradeType) in OrderRoutes)
        {
            app.MapPost("/v3/combine-transactions/" + path, (HttpRequest request) =>
                AuthenticatedAsync(request.HttpContext, (mchid, body) => PlaceCombine(tradeType, $"{request.Scheme}://{request.Host}", mchid, body)));
        }

        app.MapGet("/v3/combine-transactions/out-trade-no/{combineOutTradeNo}", (HttpContext http, string combineOutTradeNo) =>
            AuthenticatedAsync(http, (mchid, _) => _combines.FindBy(nameof(WeChatPayCombine.CombineKey), mchid + "/" + combineOutTradeNo) is [var combine, ..]
                ? Json(WeChatPayResources.Combine(combine, SubOrdersOf(combine), _context.Payments.Get(combine.Id)!.Status))
                : WeChatPayErrors.OrderNotExist()));
        app.MapPost("/v3/combine-transactions/out-trade-no/{combineOutTradeNo}/close", (HttpContext http, string combineOutTradeNo) =>
            AuthenticatedAsync(http, (mchid, body) => CloseCombine(mchid, combineOutTradeNo, body)));
    }

    private List<WeChatPayOrder> SubOrdersOf(WeChatPayCombine combine) => [.. combine.SubOrderIds.Select(id => _orders.Get(id)!)];

    private IResult PlaceCombine(string tradeType, string listenerUrl, string mchid, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var combineAppid = fields.Text("combine_appid", 32);
        var combineMchid = fields.Text("combine_mchid", 32);
        var combineOutTradeNo = fields.Text("combine_out_trade_no", 32);
        var notifyUrl = fields.Text("notify_url", 255);
        var timeStart = fields.OptionalText("time_start", 64);
        var timeExpire = fields.OptionalText("time_expire", 64);
        var scene = Scene.Read(fields, tradeType, clientIpRequired: tradeType == WeChatPayOrder.H5 || request["scene_info"] is not null);
        fields.OptionalKind("combine_payer_info", JsonValueKind.Object, "类型错误：应为对象");
        var openId = fields.PathText("combine_payer_info.openid", 128, required: tradeType == WeChatPayOrder.Jsapi);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (ReadSubOrders(request, out var subs) is { } wrongSub)
        {
            return wrongSub;
        }

        var now = _context.Clock.GetUtcNow();
        var expiryRefusal = RefuseExpiry(timeExpire, now, out var expiresAt);
        var refused = combineMchid != mchid ? WeChatPayErrors.InvalidRequest("请求中的combine_mchid与Authorization中的商户号不一致")
            : combineAppid != _keys.AppidOf(mchid) ? WeChatPayErrors.Of(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配，请检查后再试")
            : !CombineOutTradeNo().IsMatch(combineOutTradeNo) ? WeChatPayErrors.Param("combine_out_trade_no", OutTradeNoIssue, combineOutTradeNo)
            : RefuseNotifyUrl(notifyUrl) ?? scene.Refusal()
                ?? (timeStart is null ? null : RefuseTime("time_start", timeStart, out _))
                ?? expiryRefusal
                ?? subs.Select(sub => RefuseSubOrder(mchid, combineAppid, sub)).FirstOrDefault(r => r is not null)
                ?? RefuseRepeatedSubOrders(subs);
        if (refused is not null)
        {
            return refused;
        }

        return _context.Store.Atomically<IResult>(() =>
        {
            if (_combines.FindBy(nameof(WeChatPayCombine.CombineKey), mchid + "/" + combineOutTradeNo) is [var existing, ..])
            {
                return PlacedAgain(_context.Payments.Get(existing.Id)!.Status, existing.TradeType == tradeType && JsonNode.DeepEquals(JsonNode.Parse(existing.RequestJson), request), () => Placed(existing));
            }

            if (subs.FirstOrDefault(sub => FindByOutTradeNo(sub.Mchid, sub.SubMchid, sub.OutTradeNo) is not null) is { } taken)
            {
                return WeChatPayErrors.Of(403, "OUT_TRADE_NO_USED", $"商户订单号重复：{taken.OutTradeNo}");
            }

            var prepayId = tradeType == WeChatPayOrder.Native ? null : WeChatPayOrder.NewPrepayId(now);
            var combine = new WeChatPayCombine
            {
                Id = "wxc_" + Secrets.RandomHex(12),
                Appid = combineAppid,
                Mchid = mchid,
                CombineOutTradeNo = combineOutTradeNo,
                TradeType = tradeType,
                NotifyUrl = notifyUrl,
                CodeUrl = tradeType == WeChatPayOrder.Native ? WeChatPayOrder.NewCodeUrl() : "",
                PrepayId = prepayId,
                H5Url = tradeType == WeChatPayOrder.H5 ? $"{listenerUrl}{H5CashierPath}?prepay_id={prepayId}&package={WeChatPayOrder.NewH5Package()}" : null,
                DeviceId = scene.DeviceId,
                OpenId = openId,
                RequestJson = request.ToJsonString(),
            };
            foreach (var sub in subs)
            {
                var order = new WeChatPayOrder
                {
                    Id = "wxp_" + Secrets.RandomHex(12),
                    CombineId = combine.Id,
                    Mchid = sub.Mchid,
                    Appid = combineAppid,
                    SubMchid = sub.SubMchid,
                    SubAppid = sub.SubAppid,
                    TradeType = tradeType,
                    OutTradeNo = sub.OutTradeNo,
                    Description = sub.Description,
                    NotifyUrl = notifyUrl,
                    Attach = sub.Attach,
                    Total = sub.Total,
                    OpenId = openId,
                    DeviceId = scene.DeviceId,
                    ProfitSharing = sub.ProfitSharing,
                    RequestJson = sub.Request.ToJsonString(),
                };
                _orders.Upsert(order);
                combine.SubOrderIds.Add(order.Id);
            }

            _combines.Upsert(combine);
            _context.Payments.Add(new SandboxPayment
            {
                Id = combine.Id,
                Provider = Name,
                Status = PaymentStatus.Open,
                Amount = subs.Sum(sub => sub.Total),
                Currency = "cny",
                Description = $"合单支付 · {subs.Count} 笔子单",
                MerchantReference = combineOutTradeNo,
                QrCode = tradeType == WeChatPayOrder.Native ? combine.CodeUrl : null,
                CreatedAt = now.UtcDateTime,
                ExpiresAt = expiresAt.UtcDateTime,
            });
            return Json(Placed(combine));
        });
    }

    /// <summary>What placing a 合单 answers, as placing an order of its trade type does.</summary>
    private static JsonObject Placed(WeChatPayCombine combine) => combine.TradeType switch
    {
        WeChatPayOrder.Native => new JsonObject { ["code_url"] = combine.CodeUrl },
        WeChatPayOrder.H5 => new JsonObject { ["h5_url"] = combine.H5Url },
        _ => new JsonObject { ["prepay_id"] = combine.PrepayId },
    };

    /// <summary><c>sub_orders</c>: an array of 1 to <see cref="MaxSubOrders"/> objects, each read by the field rules under its own name.</summary>
    private static IResult? ReadSubOrders(JsonObject request, out List<SubOrder> subs)
    {
        subs = [];
        if (request["sub_orders"] is not JsonArray list)
        {
            return request["sub_orders"] is null ? WeChatPayErrors.Missing("sub_orders") : WeChatPayErrors.Param("sub_orders", "类型错误：应为数组");
        }

        if (list.Count is 0 or > MaxSubOrders)
        {
            return WeChatPayErrors.Param("sub_orders", $"数组长度错误：子单数量应为1到{MaxSubOrders}笔", list.Count.ToString(CultureInfo.InvariantCulture));
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject item)
            {
                return WeChatPayErrors.Param($"sub_orders[{i}]", "类型错误：应为对象");
            }

            var sub = SubOrder.Read(new WeChatPayFields(item, $"sub_orders[{i}]."), item, $"sub_orders[{i}].", out var refusal);
            if (refusal is not null)
            {
                return refusal;
            }

            subs.Add(sub);
        }

        return null;
    }

    /// <summary>
    /// A sub-order's merchant: in 服务商 mode (sub_mchid given) the 服务商 itself with a bound sub-merchant; in direct mode
    /// a merchant the sandbox serves whose appid is combine_appid (合单参与方须与发起方appid有绑定关系).
    /// </summary>
    private IResult? RefuseSubOrder(string mchid, string combineAppid, SubOrder sub)
    {
        if (!CombineOutTradeNo().IsMatch(sub.OutTradeNo))
        {
            return WeChatPayErrors.Param(sub.Prefix + "out_trade_no", OutTradeNoIssue, sub.OutTradeNo);
        }

        if (sub.SubMchid is null)
        {
            return sub.SubAppid is not null ? WeChatPayErrors.Param(sub.Prefix + "sub_appid", "取值错误：sub_appid仅在服务商模式（传sub_mchid）下可传", sub.SubAppid)
                : !_keys.IsMerchant(sub.Mchid) ? WeChatPayErrors.Of(400, "MCH_NOT_EXISTS", $"商户号不存在：{sub.Mchid}")
                : _keys.AppidOf(sub.Mchid) != combineAppid ? WeChatPayErrors.Of(400, "APPID_MCHID_NOT_MATCH", $"子单商户号{sub.Mchid}与combine_appid没有绑定关系")
                : null;
        }

        return sub.Mchid != mchid
            ? WeChatPayErrors.InvalidRequest($"{sub.Prefix}mchid须为合单发起方（服务商）的商户号")
            : RefuseSubMchid(sub.SubMchid);
    }

    /// <summary>An out_trade_no is a merchant's once (per sub-merchant in 服务商 mode): twice in one 合单 is refused.</summary>
    private static IResult? RefuseRepeatedSubOrders(List<SubOrder> subs) =>
        subs.GroupBy(sub => (sub.Mchid, sub.SubMchid, sub.OutTradeNo)).FirstOrDefault(g => g.Count() > 1) is { } twice
            ? WeChatPayErrors.Param("sub_orders", "取值错误：同一商户的子单商户订单号out_trade_no不能重复", twice.Key.OutTradeNo)
            : null;

    /// <summary>
    /// Closes an unpaid 合单 and so every sub-order: the request names combine_appid and exactly the sub-orders placed
    /// (WeChat closes no part of a 合单). A paid one is refused ORDERPAID; a closed or expired one closes again.
    /// </summary>
    private IResult CloseCombine(string mchid, string combineOutTradeNo, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var combineAppid = fields.Text("combine_appid", 32);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (request["sub_orders"] is not JsonArray list)
        {
            return request["sub_orders"] is null ? WeChatPayErrors.Missing("sub_orders") : WeChatPayErrors.Param("sub_orders", "类型错误：应为数组");
        }

        var named = new List<(string Mchid, string? SubMchid, string OutTradeNo)>();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject item)
            {
                return WeChatPayErrors.Param($"sub_orders[{i}]", "类型错误：应为对象");
            }

            var itemFields = new WeChatPayFields(item, $"sub_orders[{i}].");
            var entry = (itemFields.Text("mchid", 32), itemFields.OptionalText("sub_mchid", 32), itemFields.Text("out_trade_no", 32));
            itemFields.OptionalText("sub_appid", 32);
            if (itemFields.Refusal is { } wrong)
            {
                return wrong;
            }

            named.Add(entry);
        }

        return _context.Store.Atomically(() =>
        {
            if (_combines.FindBy(nameof(WeChatPayCombine.CombineKey), mchid + "/" + combineOutTradeNo) is not [var combine, ..])
            {
                return WeChatPayErrors.OrderNotExist();
            }

            if (combineAppid != combine.Appid)
            {
                return WeChatPayErrors.Of(400, "APPID_MCHID_NOT_MATCH", "combine_appid与下单时的combine_appid不一致");
            }

            var placed = SubOrdersOf(combine).Select(o => (o.Mchid, o.SubMchid, o.OutTradeNo)).ToHashSet();
            return named.Count != placed.Count || !placed.SetEquals(named)
                ? WeChatPayErrors.InvalidRequest("输入的请求非法，请求关单的子单信息与下单时的子单信息不一致")
                : ClosePayment(combine.Id);
        });
    }

    /// <summary>
    /// The buyer paid the whole 合单 (one unit, with the payment's close): every sub-order gets its transaction_id
    /// and the same payer, and one notification in the 合单 shape goes to the notify_url on WeChat's schedule.
    /// </summary>
    private PayPageOutcome OnCombinePaid(WeChatPayCombine combine)
    {
        var now = _context.Clock.GetUtcNow();
        combine.OpenId ??= NewOpenId();
        _combines.Upsert(combine);
        var subs = SubOrdersOf(combine);
        foreach (var order in subs)
        {
            MarkPaid(order, now, combine.OpenId);
        }

        _context.Notifier.Send(Name, combine.Id, _policy, faults =>
        {
            var resource = WeChatPayResources.Combine(combine, subs, PaymentStatus.Paid);
            if (faults.WrongAmount)
            {
                var amount = resource["sub_orders"]![0]!["amount"]!;
                amount["total_amount"] = subs[0].Total + 1;
                amount["payer_amount"] = subs[0].Total + 1;
            }

            return [Notification(combine.NotifyUrl, "TRANSACTION.SUCCESS", "支付成功", "transaction", resource, faults)];
        });
        return new PayPageOutcome(combine.RedirectUrl, $"支付成功 — {subs.Count} orders paid at once; the merchant is being notified.");
    }

    /// <summary>One sub-order of a 合单 request as read by the field rules; <see cref="Prefix"/> names it in refusals.</summary>
    private sealed record SubOrder(string Prefix, JsonObject Request, string Mchid, string? SubMchid, string? SubAppid, string OutTradeNo, string Description, string Attach, long Total, bool ProfitSharing)
    {
        public static SubOrder Read(WeChatPayFields fields, JsonObject request, string prefix, out IResult? refusal)
        {
            var mchid = fields.Text("mchid", 32);
            var attach = fields.Text("attach", 128);
            var total = fields.Fen("amount", "total_amount", required: true) ?? 0;
            fields.PathText("amount.currency", 8, required: true);
            var outTradeNo = fields.Text("out_trade_no", 32);
            var subMchid = fields.OptionalText("sub_mchid", 32);
            fields.OptionalText("detail", 6000);
            var description = fields.Text("description", 127);
            fields.OptionalKind("settle_info", JsonValueKind.Object, "类型错误：应为对象");
            var profitSharing = fields.OptionalFlag("settle_info", "profit_sharing");
            fields.OptionalText("goods_tag", 32);
            var subAppid = fields.OptionalText("sub_appid", 32);
            refusal = fields.Refusal ?? RefuseSubsidy(request["settle_info"]?["subsidy_amount"], prefix + "settle_info.subsidy_amount");
            return new(prefix, request, mchid, subMchid, subAppid, outTradeNo, description, attach, total, profitSharing);
        }

        /// <summary>settle_info.subsidy_amount (补差, 电商收付通): 0 or absent; more is a subsidy the sandbox does not pay.</summary>
        private static IResult? RefuseSubsidy(JsonNode? node, string field) => node switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long fen) && fen >= 0 =>
                fen == 0 ? null : WeChatPayErrors.Param(field, "补差 (subsidy_amount > 0) is not simulated by the sandbox; pass 0 or leave it out", v.ToJsonString()),
            _ => WeChatPayErrors.Param(field, "类型错误：应为非负整数（单位：分）", node.ToJsonString()),
        };
    }

    [GeneratedRegex("^[0-9A-Za-z_\\-|*@]{2,32}$")]
    private static partial Regex CombineOutTradeNo();
}
