using Harness.Sandbox.Delivery;
using Harness.Security;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// <c>alipay.fund.trans.order.changed</c>: Alipay tells the app's gateway (应用网关, the <c>webhook_url</c> setting)
/// each status a transfer reaches — SUCCESS when it is paid at once or a DEALING one ends so, FAIL, REFUND (退票) —
/// through 消息服务; <c>alipay.fund.trans.uni.transfer</c> takes no notify_url.
/// </summary>
public sealed partial class AlipayProvider
{
    /// <summary>Queues the message for the transfer's current status, inside the unit that changed it, on the trade notifies' schedule.</summary>
    private void SendTransferNotify(AlipayTransfer transfer)
    {
        var url = _context.Settings.Get(Name, ProviderSettings.WebhookUrl);
        if (string.IsNullOrEmpty(url))
        {
            return;
        }

        // notify_id is fixed here, so every retry sends the same one (with its own utc_timestamp and sign).
        var notifyId = Secrets.RandomHex(16);
        _context.Notifier.Send(Name, transfer.Id, Policy, faults => [Notices.TransferNotify(transfer, url, notifyId, faults)]);
    }
}
