using System.Net.Http.Json;
using System.Text.Json;
using Harness.Conformance.Running;
using Harness.Conformance.Steps.Providers;

namespace Harness.Conformance.Steps.Finance;

/// <summary>
/// The order a recharge or payment scenario follows: a recharge (<see cref="OrderNo"/> set) or a plain payment,
/// by its payment order number at the channel.
/// </summary>
public sealed record OrderUnderTest(string OutTradeNo, string Channel, long Fen, string? OrderNo, long TotalCoins)
{
    public bool IsRecharge => OrderNo is not null;

    /// <summary>The sandbox's name of the channel's provider.</summary>
    public string Provider => ProviderOf(Channel);

    public static string ProviderOf(string channel) => channel == "wechat" ? "wechatpay" : channel;
}

/// <summary>
/// What a recharge scenario shares: the order under test, the notifications the runner sent while playing the
/// channel and their answers, and the calls to the target and the sandbox about that order.
/// </summary>
public sealed class RechargeWorld(ScenarioContext context)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public FinanceWorld Finance { get; } = context.Get<FinanceWorld>();

    public SandboxWorld Sandbox { get; } = context.Get<SandboxWorld>();

    public ChannelPlayer Player => new(Sandbox);

    public OrderUnderTest? Current { get; set; }

    public OrderUnderTest Order => Current ?? throw new AssertionException("the scenario has no recharge or payment order yet");

    /// <summary>The last notification the runner built, so the very same bytes can be sent again.</summary>
    public ChannelNotice? LastNotice { get; set; }

    /// <summary>The target's answers to the notifications the runner sent, in order.</summary>
    public List<(string Channel, ApiReply Answer)> NoticeAnswers { get; } = [];

    /// <summary>The answer to the close that raced something, when one did.</summary>
    public ApiReply? CloseAnswer { get; set; }

    /// <summary>Sends a notification to the target's notify URL without credentials, as the channel does.</summary>
    public async Task<ApiReply> NotifyAsync(ChannelNotice notice)
    {
        using var request = notice.Request();
        using var response = await context.Http.SendAsync(request, context.CancellationToken);
        var reply = new ApiReply(response.StatusCode, await response.Content.ReadAsStringAsync(context.CancellationToken));
        lock (NoticeAnswers)
        {
            NoticeAnswers.Add((notice.Channel, reply));
        }

        return reply;
    }

    /// <summary>A paid notification for the order under test, with the flaw asked for.</summary>
    public async Task<ChannelNotice> PaidNoticeAsync(NoticeFlaw flaw, long? fen = null, TimeSpan age = default)
    {
        var order = Order;
        LastNotice = await Player.PaidAsync(order.Channel, order.OutTradeNo, fen ?? order.Fen, flaw, age);
        return LastNotice;
    }

    /// <summary>The recharge's status as its owner reads it (a pending one asks the channel first).</summary>
    public async Task<JsonElement> RechargeStatusAsync()
    {
        var orderNo = Order.OrderNo ?? throw new AssertionException("the order under test is a payment, not a recharge");
        return (await Finance.SendAsync(Actor.User, HttpMethod.Get, "/api/finance/recharge/status/" + Uri.EscapeDataString(orderNo)))
            .EnsureSuccess("reading the recharge's status").Data;
    }

    public async Task<JsonElement> PaymentStatusAsync() =>
        (await Finance.SendAsync(Actor.User, HttpMethod.Get, "/api/payment/status/" + Uri.EscapeDataString(Order.OutTradeNo)))
            .EnsureSuccess("reading the payment's status").Data;

    public Task<ApiReply> CloseAsync() =>
        Finance.SendAsync(Actor.User, HttpMethod.Post, "/api/payment/close/" + Uri.EscapeDataString(Order.OutTradeNo));

    public Task<ApiReply> PostAsync(string path, object body) =>
        Finance.SendAsync(Actor.User, HttpMethod.Post, path, JsonContent.Create(body, options: Json));

    /// <summary>The sandbox payment behind the order: the one whose merchant reference is its out_trade_no.</summary>
    public async Task<string> SandboxPaymentAsync()
    {
        var order = Order;
        var payments = (await Sandbox.ControlAsync(HttpMethod.Get, "/control/payments?provider=" + order.Provider)).EnumerateArray()
            .Where(p => ApiReply.Text(ApiReply.Field(p, "merchant_reference")) == order.OutTradeNo).ToList();
        Check.That(payments.Count > 0, $"the sandbox has no {order.Provider} payment for {order.OutTradeNo}: was the order placed at the channel?");
        return Sandbox.PaymentId = ApiReply.Text(ApiReply.Field(payments[^1], "id"));
    }

    /// <summary>The buyer pays at the channel; the sandbox then sends its notification (unless a fault drops it).</summary>
    public async Task PayOnSandboxAsync()
    {
        var payment = await SandboxPaymentAsync();
        await Sandbox.ControlAsync(HttpMethod.Post, $"/control/payments/{Uri.EscapeDataString(payment)}/pay");
        await Sandbox.RunDueAsync();
    }

    /// <summary>The sandbox's one notification delivery about the order.</summary>
    public async Task<JsonElement> DeliveryAsync()
    {
        var deliveries = await Sandbox.DeliveriesAsync(await SandboxPaymentAsync());
        Check.Equal(1, deliveries.Count, $"the sandbox's deliveries about {Order.OutTradeNo}");
        return deliveries[0];
    }

    /// <summary>The operator resends the delivery (the same bytes); returns once it has arrived.</summary>
    public async Task ResendAsync()
    {
        var id = ApiReply.Text(ApiReply.Field(await DeliveryAsync(), "id"));
        await Sandbox.ControlAsync(HttpMethod.Post, $"/control/deliveries/{Uri.EscapeDataString(id)}/resend");
        await Sandbox.RunDueAsync();
    }

    /// <summary>
    /// How the channel reads an answer: WeChat Pay takes any 2xx (200 or 204) as received; Alipay only the body
    /// <c>success</c>.
    /// </summary>
    public static bool Acknowledged(string channel, ApiReply answer) => channel == "alipay"
        ? (int)answer.Status is >= 200 and < 300 && answer.Body.Trim() == "success"
        : (int)answer.Status is >= 200 and < 300;
}
