using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// The merchant's balance as one stored document (<see cref="AlipayAccount"/>), moved where money moves: a trade paid
/// in any flow (<see cref="MarkPaid"/>), a refund or a cancel's refund, a transfer and a transfer's outcome, each inside
/// the caller's store unit.
/// </summary>
public sealed partial class AlipayProvider
{
    private readonly IDocumentCollection<AlipayAccount> _accounts;

    /// <summary>The balance transfers draw on (the float included) and what DEALING transfers hold, in fen.</summary>
    private (long AvailableFen, long FrozenFen) Balance()
    {
        var account = _accounts.Get(SellerId)!;
        return (TransferFloatFen() + account.BalanceFen, account.FrozenFen);
    }

    private long TransferFloatFen() =>
        _context.Settings.Get(Name, TransferFloatSetting) is { } text && TransferFloat(text) is { } set ? set : DefaultTransferFloatFen;

    /// <summary>Adds fen to the balance and to what is frozen (takes them away when negative), inside the caller's unit.</summary>
    private void MoveBalance(long fen, long frozenFen = 0)
    {
        var account = _accounts.Get(SellerId)!;
        account.BalanceFen += fen;
        account.FrozenFen += frozenFen;
        _accounts.Upsert(account);
    }

    /// <summary>A trade's money moving (paid, refunded, settled): in the frozen part while it is frozen for 分账, else the available part.</summary>
    private void MoveTradeMoney(AlipayTrade trade, long fen)
    {
        if (trade.HoldsFrozen)
        {
            MoveBalance(0, fen);
        }
        else
        {
            MoveBalance(fen);
        }
    }

    /// <summary>
    /// Opens the balance on first start from what the store already holds (a store written before the balance was
    /// kept): every paid trade less its refunds and 分账, less every SUCCESS and DEALING transfer; DEALING ones and trades frozen for 分账 frozen.
    /// </summary>
    private void OpenAccount() => _context.Store.InTransaction(() =>
    {
        if (_accounts.Get(SellerId) is null)
        {
            var trades = _trades.All();
            var paid = trades.Where(t => !t.HoldsFrozen).Sum(t => t.UnsettledFen);
            var holding = _transfers.All().Where(t => t.Holds).ToList();
            _accounts.Upsert(new AlipayAccount
            {
                Id = SellerId,
                BalanceFen = paid - holding.Sum(t => t.AmountFen),
                FrozenFen = holding.Where(t => t.Status == AlipayTransfer.Dealing).Sum(t => t.AmountFen) + trades.Where(t => t.HoldsFrozen).Sum(t => t.UnsettledFen),
            });
        }
    });
}
