using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// The merchant's Alipay balance (余额账户), moved in the same storage unit as the payment, refund, transfer or transfer
/// outcome that moves it, so a transfer and <c>alipay.fund.account.query</c> read it without summing every trade and
/// transfer ever made. The <c>transfer_float</c> setting is added when it is read, so changing it moves the balance at once.
/// </summary>
public sealed class AlipayAccount : IDocument
{
    /// <summary>The merchant's <c>seller_id</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>Paid trades less their refunds, less every SUCCESS and DEALING transfer, in fen (the float left out).</summary>
    public long BalanceFen { get; set; }

    /// <summary>What DEALING transfers hold (<c>freeze_amount</c>), in fen.</summary>
    public long FrozenFen { get; set; }
}
