using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary><c>alipay.trade.pay</c>: the cashier scans the buyer's payment code (the sandbox's codes decide paid or password).</summary>
public sealed partial class AlipaySteps
{
    [When("the cashier scans the buyer's payment code {string} for {string}")]
    public async Task ScanPaymentCode(string code, string amount)
    {
        var order = Order(amount);
        order["scene"] = "bar_code";
        order["auth_code"] = code;
        await CallAsync("alipay.trade.pay", order, Notify());
        if (Response.TryGetProperty("trade_no", out var tradeNo))
        {
            _world.PaymentId = tradeNo.GetString();
        }
    }
}
