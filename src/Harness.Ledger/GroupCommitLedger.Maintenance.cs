using Microsoft.Extensions.Logging;

namespace Harness.Ledger;

/// <summary>The ledger's checks and upkeep beside the hot path: the audit and forgetting expired keys.</summary>
internal sealed partial class GroupCommitLedger
{
    /// <summary>
    /// Adds up every stored entry, so it checks what is durable, not what is cached. Safe under load:
    /// the served balances and the store's view are taken between two commits, so postings committed
    /// meanwhile are neither counted nor missed.
    /// </summary>
    public LedgerAuditReport Audit()
    {
        KeyValuePair<string, AccountBalance>[] served;
        ILedgerStoreView view;
        lock (_applying)
        {
            served = _balances.ToArray();
            view = _store.OpenView();
        }

        using (view)
        {
            var accounts = view.Accounts().ToDictionary(a => a.AccountId, StringComparer.Ordinal);

            // The balances served from memory must agree with the store too: a posting acknowledged
            // from memory but not stored would show up here.
            foreach (var (accountId, balance) in served)
            {
                accounts[accountId] = accounts.TryGetValue(accountId, out var audit)
                    ? audit with { ServedBalance = balance.Balance }
                    : new AccountAudit(accountId, 0, 0, 0) { ServedBalance = balance.Balance };
            }

            return new LedgerAuditReport([.. accounts.Values.OrderBy(a => a.AccountId, StringComparer.Ordinal)]);
        }
    }

    /// <summary>Forgets expired keys on disk; the entries that claimed them stay.</summary>
    private void PurgeExpiredKeys()
    {
        lock (_purging)
        {
            if (_stopping)
            {
                return;
            }

            try
            {
                var forgotten = _store.ForgetClaimsBefore(LiveKeysClaimedAfter(Now()), _stopPurging.Token);
                _logger.LogDebug("Forgot {Count} expired idempotency keys", forgotten);
            }
            catch (OperationCanceledException) when (_stopping)
            {
                // Stopped by Dispose; the next start's purge goes on from the oldest claim left.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Expired keys are refused by their claim time anyway; the next purge tries again.
                _logger.LogWarning(ex, "Forgetting expired idempotency keys failed");
            }
        }
    }
}
