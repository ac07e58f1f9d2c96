using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Security;
using Harness.Storage;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 受理扣款 (<c>POST /v3/papay/pay/transactions/apply</c>): a deduction on a signed contract is an order of trade type PAP,
/// accepted and then ended by WeChat (here in the same store unit), its result told by TRANSACTION.SUCCESS or
/// TRANSACTION.FAIL to <c>transaction_notify_url</c>. Paid, it is queried, closed and refunded as every order is.
/// </summary>
public sealed partial class WeChatPayProvider
{
    private IResult ApplyDeduction(string mchid, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var appid = fields.Text("appid", 32);
        var outTradeNo = fields.Text("out_trade_no", 32);
        var description = fields.Text("description", 127);
        var notifyUrl = fields.Text("transaction_notify_url", 256);
        var contractId = fields.Text("contract_id", 64);
        var total = fields.Amount("total");
        fields.OptionalText("goods_tag", 32);
        var attach = fields.OptionalText("attach", 127);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (appid != _keys.AppidOf(mchid))
        {
            return WeChatPayErrors.Of(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配，请检查后再试");
        }

        if (!OutTradeNo().IsMatch(outTradeNo))
        {
            return WeChatPayErrors.Param("out_trade_no", "格式错误：应为6-32位数字、大小写字母或_-|*", outTradeNo);
        }

        if (!HttpUrl.IsValid(notifyUrl))
        {
            return WeChatPayErrors.Param("transaction_notify_url", "格式错误：应为http(s)地址", notifyUrl);
        }

        return _context.Store.Atomically(() =>
        {
            // An out_trade_no is the merchant's once: the same deduction again answers the same and deducts nothing more.
            if (FindByOutTradeNo(mchid, null, outTradeNo) is { } existing)
            {
                return existing.TradeType == WeChatPayOrder.Pap && JsonNode.DeepEquals(JsonNode.Parse(existing.RequestJson), request)
                    ? Json(Deducted(existing))
                    : PlacedAgain(StatusOf(existing), sameRequest: false, () => Deducted(existing));
            }

            if (_contracts.FindBy(nameof(WeChatPayContract.ContractId), contractId).FirstOrDefault(c => c.Mchid == mchid) is not { } contract)
            {
                return ContractNotFound();
            }

            if (contract.State != WeChatPayContract.SignedState)
            {
                return WeChatPayErrors.InvalidRequest("委托代扣协议已解约，不能扣款");
            }

            if (contract.Appid != appid)
            {
                return WeChatPayErrors.InvalidRequest("appid与签约时的appid不一致");
            }

            if (RefuseOutsideDeductionPeriod(contract, total) is { } outside)
            {
                return outside;
            }

            var order = Deduct(contract, mchid, outTradeNo, description, notifyUrl, attach, total, request);
            RecordDeduction(contract, order);
            return Json(Deducted(order));
        });
    }

    /// <summary>Places the PAP order and ends it at once: paid, or refused by the test rule (an amount ending 2222); notifies either way.</summary>
    private WeChatPayOrder Deduct(WeChatPayContract contract, string mchid, string outTradeNo, string description, string notifyUrl, string? attach, long total, JsonObject request)
    {
        var now = _context.Clock.GetUtcNow();
        var order = new WeChatPayOrder
        {
            Id = "wxp_" + Secrets.RandomHex(12),
            Mchid = mchid,
            Appid = contract.Appid,
            TradeType = WeChatPayOrder.Pap,
            OutTradeNo = outTradeNo,
            Description = description,
            NotifyUrl = notifyUrl,
            Attach = attach,
            Total = total,
            OpenId = contract.OpenId,
            ContractId = contract.ContractId,
            RequestJson = request.ToJsonString(),
        };
        Keep(order, now, now + DefaultLifetime);

        var fails = total.ToString(CultureInfo.InvariantCulture).EndsWith(FailingDeductionSuffix, StringComparison.Ordinal);
        _context.Payments.TryClose(order.Id, fails ? PaymentStatus.Canceled : PaymentStatus.Paid);
        if (!fails)
        {
            MarkPaid(order, now, contract.OpenId);
        }

        _context.Notifier.Send(Name, order.Id, _policy, faults =>
        {
            var transaction = WeChatPayResources.Transaction(order, _context.Payments.Get(order.Id)!.Status);
            if (faults.WrongAmount)
            {
                transaction["amount"]!["total"] = order.Total + 1;
            }

            return fails
                ? [Notification(notifyUrl, "TRANSACTION.FAIL", "支付失败", "transaction", transaction, faults)]
                : [Notification(notifyUrl, "TRANSACTION.SUCCESS", "支付成功", "transaction", transaction, faults)];
        });
        return order;
    }

    /// <summary>What 受理扣款 answers: the out_trade_no and the amount accepted.</summary>
    private static JsonObject Deducted(WeChatPayOrder order) => new()
    {
        ["out_trade_no"] = order.OutTradeNo,
        ["amount"] = new JsonObject { ["total"] = order.Total, ["currency"] = "CNY" },
    };
}
