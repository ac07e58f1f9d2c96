using System.Globalization;
using System.Net;
using Harness.Finance.Payments;
using Harness.Finance.Payments.Channels;
using Harness.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Harness.Tests.Finance.Recharge;

/// <summary>One business order has one payment order, however many requests for it arrive and however slow the channel.</summary>
public sealed class PaymentCreateTests : IAsyncDisposable
{
    private static int _phones;
    private readonly ScriptedChannel _wechat = new("wechat");
    private readonly FinanceTestApp _app;
    private readonly FinanceClient _client;

    public PaymentCreateTests()
    {
        _app = new FinanceTestApp(configureServices: services =>
        {
            services.RemoveAll<IPaymentChannel>();
            services.AddSingleton<IPaymentChannel>(_wechat);
            services.AddSingleton<IPaymentChannel>(new ScriptedChannel("alipay"));
        });
        _client = new FinanceClient(_app.CreateClient());
    }

    [Fact]
    public async Task Concurrent_requests_for_one_business_order_make_one_payment_order()
    {
        var (token, userId) = await NewUser();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _wechat.PlaceGate = gate.Task;

        var requests = Enumerable.Range(0, 12).Select(_ => Create(token, "ORDER-1")).ToList();
        await Task.Delay(200, TestContext.Current.CancellationToken);
        gate.SetResult();
        var answers = await Task.WhenAll(requests);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        var orders = answers.Select(a => a.Data.GetProperty("outTradeNo").GetString()).Distinct().ToList();
        Assert.Single(orders);
        Assert.Equal(orders, _wechat.Placed);
        Assert.Single(_app.Services.GetRequiredService<PaymentOrders>().OfUser(userId));

        // Those that waited for the channel's answer carry the code it gave, not an order still being placed.
        Assert.All(answers, a => Assert.Equal("weixin://wxpay/bizpayurl?pr=" + orders[0], a.Data.GetProperty("codeUrl").GetString()));
    }

    [Fact]
    public async Task Another_business_order_is_not_held_up_by_a_slow_channel_answer()
    {
        var (token, _) = await NewUser();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _wechat.PlaceGate = gate.Task;
        var slow = Create(token, "ORDER-SLOW");
        await Task.Delay(100, TestContext.Current.CancellationToken);

        var other = await _client.Post("/api/payment/create", Body("ORDER-OTHER", "alipay"), token);

        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.False(slow.IsCompleted);
        gate.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await slow).Status);
    }

    [Fact]
    public async Task The_same_business_order_with_another_amount_is_a_conflict_after_the_first_is_placed()
    {
        var (token, _) = await NewUser();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _wechat.PlaceGate = gate.Task;
        var first = Create(token, "ORDER-2");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        var second = _client.Post("/api/payment/create", Body("ORDER-2", "wechat", amount: 999), token);
        gate.SetResult();

        Assert.Equal(HttpStatusCode.OK, (await first).Status);
        var conflict = await second;
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal(40900, conflict.Code);
        Assert.Single(_wechat.Placed);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static object Body(string bizOrderNo, string channel, long amount = 500) =>
        new { bizType = "VIP", bizOrderNo, channel, amount, description = "VIP month" };

    private Task<ApiReply> Create(string token, string bizOrderNo) => _client.Post("/api/payment/create", Body(bizOrderNo, "wechat"), token);

    private async Task<(string Token, string UserId)> NewUser() =>
        await _client.SignIn("1392" + Interlocked.Increment(ref _phones).ToString("D7", CultureInfo.InvariantCulture));
}
