using Harness.Storage;

namespace Harness.Sandbox.Epay;

/// <summary>
/// The merchant's balance, moved in the same storage unit as the payment, refund or transfer that moves it, so a
/// refund or transfer checks it without summing every order and transfer ever made.
/// </summary>
public sealed class EpayAccount : IDocument
{
    /// <summary>The merchant's <c>pid</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>Paid orders less their refunds, less every transfer not failed, in fen.</summary>
    public long BalanceFen { get; set; }
}
