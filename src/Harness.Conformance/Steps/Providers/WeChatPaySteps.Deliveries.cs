using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// WeChat Pay's notification deliveries as a merchant meets them: its retry schedule, the delivery log, and the
/// chaos the sandbox can inject (probe signatures, a wrong amount, a dropped notification resent by the operator).
/// </summary>
public sealed partial class WeChatPaySteps
{
    private static readonly TimeSpan[] RetrySchedule =
    [
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60),
        TimeSpan.FromHours(3), TimeSpan.FromHours(3), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(6),
    ];

    [Given("the merchant answers {int}, then {int}, then {int} with the body {string}")]
    public void MerchantAnswers(int first, int second, int third, string body) => _world.Receiver.Script((first, ""), (second, ""), (third, body));

    [Given("the merchant answers every notification with HTTP {int}")]
    public void MerchantAlwaysAnswers(int status) => _world.Receiver.Default = (status, """{"code":"FAIL","message":"失败"}""");

    [When("the sandbox clock advances through WeChat's retry schedule")]
    public async Task ThroughRetrySchedule()
    {
        foreach (var delay in RetrySchedule)
        {
            await _world.AdvanceAsync(delay);
        }
    }

    [Then("the delivery log shows three attempts, 15 seconds apart, and only the last one acknowledged")]
    public async Task ThreeAttempts()
    {
        var attempts = SandboxWorld.Attempts(await _world.DeliveryAsync());
        Check.Equal("500, 201, 200", string.Join(", ", attempts.Select(a => ApiReply.Text(ApiReply.Field(a, "response_status")))), "the merchant's statuses");
        Check.Equal("false, false, true", string.Join(", ", attempts.Select(a => ApiReply.Text(ApiReply.Field(a, "acknowledged")))), "acknowledged, per attempt");
        var times = attempts.Select(SandboxWorld.AttemptTime).ToList();
        Check.Equal("00:00:15, 00:00:15", string.Join(", ", Gaps(times)), "gaps between attempts");
    }

    [Then("the delivery log shows {int} attempts of the same bytes at 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h intervals")]
    public async Task FullSchedule(int count)
    {
        var delivery = await _world.DeliveryAsync();
        var attempts = SandboxWorld.Attempts(delivery);
        Check.Equal(count, attempts.Count, "attempts");
        Check.Equal("exhausted", ApiReply.Text(ApiReply.Field(delivery, "status")), "delivery status");
        var times = attempts.Select(SandboxWorld.AttemptTime).ToList();
        Check.Equal(string.Join(", ", RetrySchedule), string.Join(", ", Gaps(times)), "gaps between attempts");
        Check.Equal(1, attempts.Select(a => ApiReply.Text(ApiReply.Field(a, "request_body"))).Distinct().Count(), "distinct bodies sent");
    }

    [Then("the merchant observes a Wechatpay-Signature starting {string}, like WeChat's signature probes, that does not verify")]
    public async Task ProbeSignature(string prefix)
    {
        var notice = await _world.FirstReceivedAsync();
        var signature = notice.Header("Wechatpay-Signature");
        Check.That(signature.StartsWith(prefix, StringComparison.Ordinal), $"Wechatpay-Signature {signature} does not start with {prefix}");
        Check.That(!Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, signature, notice.Header("Wechatpay-Serial")), "the tampered signature verifies");
    }

    [Then("the merchant observes a notification that verifies but whose decrypted amount.total is one fen more than the order's")]
    public async Task WrongAmount()
    {
        var notice = await _world.FirstReceivedAsync();
        Check.That(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature"), notice.Header("Wechatpay-Serial")), "the notification does not verify");
        Check.Equal(101, (int?)Wire.Resource(notice.Body)["amount"]?["total"], "amount.total of an order of 100 fen");
    }

    [Then("the merchant observes no notification, a delivery logged as {string}, and the notification once the operator resends it")]
    public async Task Dropped(string status)
    {
        await _world.AdvanceAsync(TimeSpan.FromHours(25));
        Check.Equal(0, (await _world.ReceivedAsync()).Count, "notifications received");
        var delivery = await _world.DeliveryAsync();
        Check.Equal(status, ApiReply.Text(ApiReply.Field(delivery, "status")), "delivery status");
        await _world.ControlAsync(HttpMethod.Post, $"/control/deliveries/{ApiReply.Text(ApiReply.Field(delivery, "id"))}/resend");
        Check.Equal("SUCCESS", (string?)Wire.Resource((await _world.FirstReceivedAsync()).Body)["trade_state"], "trade_state of the resent notification");
    }

    /// <summary>Whole seconds between attempts: a sandbox whose clock runs on real time adds the milliseconds each step takes.</summary>
    private static IEnumerable<TimeSpan> Gaps(List<DateTimeOffset> times) =>
        times.Zip(times.Skip(1), (a, b) => TimeSpan.FromSeconds(Math.Round((b - a).TotalSeconds)));
}
