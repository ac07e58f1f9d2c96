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
/// TRANSACTION.FAIL to <c>transaction_notify_url</c>. Paid, it is queried, closed and refunded as every order is. The
/// 服务商's route (<c>/v3/papay/pay/partner/transactions/apply</c>) deducts on a sub-merchant's contract the same way,
/// the order then a partner order of that sub-merchant.
/// </summary>
public sealed partial class WeChatPayProvider
{
    private IResult ApplyDeduction(string mchid, byte[] body, bool partner)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var party = PapayParty.Read(fields, partner);
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

        if (RefuseParty(mchid, party) is { } who)
        {
            return who;
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
            if (FindByOutTradeNo(mchid, party.SubMchid, outTradeNo) is { } existing)
            {
                return existing.TradeType == WeChatPayOrder.Pap && JsonNode.DeepEquals(JsonNode.Parse(existing.RequestJson), request)
                    ? Json(Deducted(existing))
                    : PlacedAgain(StatusOf(existing), sameRequest: false, () => Deducted(existing));
            }

            var (contract, missing) = ContractById(mchid, party.SubMchid, contractId);
            if (missing is not null)
            {
                return missing;
            }

            if (contract!.State != WeChatPayContract.SignedState)
            {
                return WeChatPayErrors.InvalidRequest("委托代扣协议已解约，不能扣款");
            }

            if (RefuseOtherAppid(contract, party) is { } other)
            {
                return other;
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
            SubMchid = contract.SubMchid,
            SubAppid = contract.SubAppid,
            SubOpenId = contract.SubOpenId,
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
