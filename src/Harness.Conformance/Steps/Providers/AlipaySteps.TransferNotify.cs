using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// <c>alipay.fund.trans.order.changed</c>: the 消息服务 message Alipay posts to the app's gateway (the sandbox's
/// <c>webhook_url</c> setting) for each status a transfer reaches.
/// </summary>
public sealed partial class AlipaySteps
{
    [Given("Alipay sends its messages to the merchant's receiver")]
    public Task MessagesToReceiver() =>
        _world.ConfigureAsync("alipay", new Dictionary<string, string?> { ["webhook_url"] = _world.Receiver.Url });

    [Then("the receiver gets alipay.fund.trans.order.changed for the transfer with status {string} and a valid sign")]
    public async Task TransferChangedReceived(string status)
    {
        var messages = (await _world.ReceivedAsync())
            .Where(r => r.Parameters.GetValueOrDefault("msg_method") == "alipay.fund.trans.order.changed")
            .Select(r => (r.Parameters, Biz: JsonDocument.Parse(r.Parameters.GetValueOrDefault("biz_content") ?? "{}").RootElement))
            .Where(m => ApiReply.Text(ApiReply.Field(m.Biz, "order_id")) == _orderId)
            .ToList();
        var (parameters, biz) = messages.LastOrDefault(m => ApiReply.Text(ApiReply.Field(m.Biz, "status")) == status);
        if (parameters is null)
        {
            throw new AssertionException($"the receiver got no alipay.fund.trans.order.changed with status {status} for order_id {_orderId}");
        }

        Check.That(await VerifiesAsync(parameters), "the message's sign does not verify with the Alipay public key");
        Check.That(parameters.GetValueOrDefault("utc_timestamp") is { Length: > 0 } stamp && stamp.All(char.IsAsciiDigit), "utc_timestamp is not milliseconds");
        Check.Equal("1.1", parameters.GetValueOrDefault("version"), "version");
        Check.Equal((string)_transfer!["out_biz_no"], ApiReply.Text(ApiReply.Field(biz, "out_biz_no")), "out_biz_no");
        Check.Equal((string)_transfer["trans_amount"], ApiReply.Text(ApiReply.Field(biz, "trans_amount")), "trans_amount");
    }
}
