using System.Text.Json.Nodes;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// 支付并签约: <c>alipay.trade.page.pay</c>, <c>wap.pay</c>, <c>app.pay</c> or <c>create</c> (JSAPI, the mini program's
/// <c>my.tradePay</c>) with <c>agreement_sign_params</c> — the
/// buyer pays the first trade and signs the 周期扣款 or 商家扣款 agreement with that one payment on the cashier. The
/// sign parameters are checked as <c>alipay.user.agreement.page.sign</c> checks its own; the agreement waits (TEMP)
/// until the trade is paid, then takes effect for the buyer who paid, with its <c>dut_user_sign</c> beside the trade notify.
/// </summary>
public sealed partial class AlipayProvider
{
    /// <summary>The methods whose payment Alipay lets sign an agreement; precreate's code does not.</summary>
    private static bool SignsWithPayment(string method, JsonObject biz) =>
        method is PagePay or WapPay or AppPay or TradeCreate && biz["agreement_sign_params"] is not null;

    /// <summary>Checks the sign parameters, then makes the trade with <paramref name="create"/> (the method's own creation) and ties the pending agreement to it.</summary>
    private Outcome CreateAndSign(JsonObject biz, string notifyUrl, Func<JsonObject, Outcome> create)
    {
        if (biz["agreement_sign_params"] is not JsonObject sign)
        {
            return AgreementParameter("agreement_sign_params 须为 JSON 对象");
        }

        var signNotifyUrl = Text(sign, "sign_notify_url");
        if (sign["sign_notify_url"] is not null && (signNotifyUrl is null || !HttpUrl.IsValid(signNotifyUrl)))
        {
            return AgreementParameter("sign_notify_url 须为 http 或 https 地址");
        }

        // Without sign_notify_url the sign notify follows the trade's notify_url, else the app's gateway (webhook_url).
        var (agreement, refused) = PendingAgreement(sign, signNotifyUrl ?? notifyUrl, "");
        if (refused is not null)
        {
            return refused;
        }

        // The trade may name the agreement's sale product (CYCLE_PAY_AUTH, GENERAL_WITHHOLDING) instead of the cashier's own.
        var tradeBiz = biz;
        if (Text(biz, "product_code") == AgreementProducts[agreement!.PersonalProductCode])
        {
            tradeBiz = biz.DeepClone().AsObject();
            tradeBiz.Remove("product_code");
        }

        var earlier = Text(biz, "out_trade_no") is { } outTradeNo && _trades.FindBy(nameof(AlipayTrade.OutTradeNo), outTradeNo) is [var found, ..] ? found : null;
        var created = create(tradeBiz);
        if (created.Failure is not null)
        {
            return created;
        }

        if (earlier is not null)
        {
            // The same order again answers the same trade, which signs the agreement its first request asked for.
            return earlier.SignsAgreementNo.Length > 0
                ? created
                : AlipayFailure.Business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改：该 out_trade_no 已用于不签约的交易");
        }

        var trade = created.Trade!;
        agreement.SigningTradeNo = trade.Id;
        _agreements.Upsert(agreement);
        trade.SignsAgreementNo = agreement.Id;
        _trades.Upsert(trade);
        return created;
    }

    /// <summary>The trade was paid: the agreement it signs takes effect for the buyer who paid, and says so in <c>dut_user_sign</c>.</summary>
    private bool SignWithPayment(AlipayTrade trade)
    {
        if (trade.SignsAgreementNo.Length == 0 || _agreements.Get(trade.SignsAgreementNo) is not { Status: AlipayAgreement.Temp } agreement)
        {
            return false;
        }

        // A JSAPI trade named by buyer_open_id alone has no user id: the account behind the open id gets one, as Alipay keeps both.
        agreement.AlipayUserId = trade.BuyerId.Length > 0 ? trade.BuyerId : "2088" + Digits(12);
        agreement.AlipayLogonId = trade.BuyerLogonId;
        Sign(agreement);
        return true;
    }
}
