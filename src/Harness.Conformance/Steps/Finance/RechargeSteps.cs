using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Finance;

/// <summary>
/// The recharge lifecycle as a user and the buyer go through it: plans, preview, create, paying at the channel (the
/// provider sandbox), status, records and summary; and the sandbox's own deliveries of the notification.
/// </summary>
[Steps]
public sealed class RechargeSteps(ScenarioContext context)
{
    private readonly RechargeWorld _world = context.Get<RechargeWorld>();

    private FinanceWorld Finance => _world.Finance;

    [When("the user lists the recharge plans")]
    public Task ListPlans() => Finance.SendAsync(Actor.User, HttpMethod.Get, "/api/finance/recharge/plans");

    /// <summary>Each row a plan that must be listed, enabled, with these figures; the list must be in <c>sort</c> order.</summary>
    [Then("the recharge plans include:")]
    public void PlansInclude(StepTable expected)
    {
        var plans = Finance.Last.EnsureSuccess("listing the recharge plans").Data.EnumerateArray().ToList();
        var sorts = plans.Select(p => ApiReply.Field(p, "sort").GetInt32()).ToList();
        Check.That(sorts.SequenceEqual(sorts.Order()), $"the plans are not in sort order ({string.Join(", ", sorts)})");
        Check.That(plans.All(p => ApiReply.Field(p, "enabled").GetBoolean()), "the user's list shows a disabled plan");
        foreach (var row in expected.Rows)
        {
            var plan = plans.FirstOrDefault(p => ApiReply.Text(ApiReply.Field(p, "id")) == row["id"]);
            Check.That(plan.ValueKind == JsonValueKind.Object, $"plan {row["id"]} is not listed");
            foreach (var (field, value) in row.Where(c => c.Key != "id"))
            {
                Check.Equal(value, ApiReply.Text(ApiReply.Field(plan, field)), $"{field} of plan {row["id"]}");
            }
        }
    }

    [Then("the recharge plans do not include {string}")]
    public void PlansExclude(string id) =>
        Check.That(Finance.Last.EnsureSuccess("listing the recharge plans").Data.EnumerateArray().All(p => ApiReply.Text(ApiReply.Field(p, "id")) != Finance.Key(id)),
            $"the user's plan list shows {Finance.Key(id)}");

    [When("the user previews plan {string} on {word}")]
    public Task Preview(string plan, string channel) =>
        Finance.SendAsync(Actor.User, HttpMethod.Get, $"/api/finance/recharge/preview?planId={Uri.EscapeDataString(plan)}&channel={Uri.EscapeDataString(channel)}");

    /// <summary>The sandbox answers the channel's next API call with HTTP 500 (the fault goes when the scenario ends): placing an order there fails.</summary>
    [Given("the {word} channel refuses the next call at the sandbox")]
    [Needs(Need.Sandbox)]
    public Task ChannelRefuses(string channel) => _world.Sandbox.AddFaultAsync("server_error", OrderUnderTest.ProviderOf(channel), count: 1);

    [When("the user creates a recharge of plan {string} on {word}")]
    public async Task Create(string plan, string channel)
    {
        var reply = await _world.PostAsync("/api/finance/recharge/create", new { planId = plan, channel });
        if (reply.IsSuccess)
        {
            var data = reply.Data;
            _world.Current = new OrderUnderTest(
                ApiReply.Text(ApiReply.Field(data, "outTradeNo")), channel, ApiReply.Field(data, "payAmount").GetInt64(),
                ApiReply.Text(ApiReply.Field(data, "orderNo")), ApiReply.Field(data, "totalCoins").GetInt64());
        }
    }

    [Given("the user has created a recharge of plan {string} on {word}")]
    [Needs(Need.Sandbox)]
    public async Task Created(string plan, string channel)
    {
        await Create(plan, channel);
        Finance.Last.EnsureSuccess($"creating a recharge of {plan} on {channel}");
    }

    [Given("a recharge of plan {string} the buyer has paid on {word}")]
    [Needs(Need.Sandbox)]
    public async Task CreatedAndPaid(string plan, string channel)
    {
        await Created(plan, channel);
        await _world.PayOnSandboxAsync();
        await PaidAndCredited(_world.Order.TotalCoins);
    }

    [Then("the recharge is PENDING for {int} fen and {int} coins, with a code to pay")]
    [Needs(Need.Sandbox)]
    public void CreatedPending(int fen, int coins)
    {
        var data = Finance.Last.EnsureSuccess("creating the recharge").Data;
        Check.Equal("PENDING", ApiReply.Text(ApiReply.Field(data, "status")), "status");
        Check.Equal(fen, ApiReply.Field(data, "payAmount").GetInt64(), "payAmount");
        Check.Equal("CNY", ApiReply.Text(ApiReply.Field(data, "currency")), "currency");
        Check.Equal(coins, ApiReply.Field(data, "totalCoins").GetInt64(), "totalCoins");
        Check.Equal(_world.Order.Channel, ApiReply.Text(ApiReply.Field(data, "channel")), "channel");
        Check.That(ApiReply.Text(ApiReply.Field(data, "orderNo")) != _world.Order.OutTradeNo, "orderNo and outTradeNo are the same number");
        var code = ApiReply.Field(data, "codeUrl");
        Check.That(code.ValueKind == JsonValueKind.String && code.GetString()!.Length > 0, "the recharge has no codeUrl to pay");
        if (_world.Order.Channel == "wechat")
        {
            Check.That(code.GetString()!.StartsWith("weixin://", StringComparison.Ordinal), $"a WeChat Pay codeUrl is weixin://…, not {code.GetString()}");
        }

        Check.That(ApiReply.Text(ApiReply.Field(data, "qrCodeDataUrl")).StartsWith("data:image/png;base64,", StringComparison.Ordinal), "qrCodeDataUrl is not a PNG data URL");
    }

    [When("the buyer pays the order on the sandbox")]
    [Needs(Need.Sandbox)]
    public Task Pay() => _world.PayOnSandboxAsync();

    [Given("the sandbox will drop the order's notification")]
    [Needs(Need.Sandbox)]
    public async Task DropNotification() => await _world.Sandbox.AddFaultAsync("dropped", paymentId: await _world.SandboxPaymentAsync());

    [When("the sandbox resends the order's notification")]
    [Needs(Need.Sandbox)]
    public Task Resend() => _world.ResendAsync();

    [Then("the sandbox's notification was acknowledged")]
    public async Task SandboxAcknowledged()
    {
        var delivery = await _world.DeliveryAsync();
        var attempts = Providers.SandboxWorld.Attempts(delivery);
        Check.That(attempts.Count > 0, "the sandbox made no attempt to deliver the notification");
        var last = attempts[^1];
        Check.Equal("true", ApiReply.Text(ApiReply.Field(last, "acknowledged")),
            $"the channel's view of the backend's answer (HTTP {ApiReply.Text(ApiReply.Field(last, "response_status"))}: {ApiReply.Text(ApiReply.Field(last, "response_body"))}) acknowledged");
    }

    [Then("the sandbox logged the order's notification as dropped, never sent")]
    public async Task NotificationDropped()
    {
        var delivery = await _world.DeliveryAsync();
        Check.Equal("dropped", ApiReply.Text(ApiReply.Field(delivery, "status")), "delivery status");
        Check.Equal(0, Providers.SandboxWorld.Attempts(delivery).Count, "attempts");
    }

    [Then("the recharge is PAID and credited {int} coins")]
    public async Task PaidAndCredited(long coins)
    {
        var status = await _world.RechargeStatusAsync();
        Check.Equal("PAID", ApiReply.Text(ApiReply.Field(status, "status")), "status");
        Check.Equal("SUCCESS", ApiReply.Text(ApiReply.Field(status, "paymentStatus")), "paymentStatus");
        Check.Equal(coins, ApiReply.Field(status, "creditedCoins").GetInt64(), "creditedCoins");
        Check.That(ApiReply.Text(ApiReply.Field(status, "recordId")) is { Length: > 0 } id && id != "null", "a paid recharge has no recordId");
        Check.That(ApiReply.Text(ApiReply.Field(status, "paidAt")) != "null", "a paid recharge has no paidAt");
    }

    /// <summary>The status as its owner reads it; for a pending order this also asks the channel.</summary>
    [Then("the recharge is {word} with nothing credited")]
    public async Task NotCredited(string expected)
    {
        var status = await _world.RechargeStatusAsync();
        Check.Equal(expected, ApiReply.Text(ApiReply.Field(status, "status")), "status");
        Check.Equal(0L, ApiReply.Field(status, "creditedCoins").GetInt64(), "creditedCoins");
        Check.Equal("null", ApiReply.Text(ApiReply.Field(status, "recordId")), "recordId");
    }

    /// <summary>
    /// Moves the target's clock a minute past the order's <c>expireAt</c>, measured from its <c>createdAt</c> (the
    /// target's now, or nearly): the lifetime is the target's own figure, not one the runner assumes.
    /// </summary>
    [When("the recharge's lifetime passes")]
    [Needs(Need.ClockControl)]
    public async Task LifetimePasses()
    {
        var status = await _world.RechargeStatusAsync();
        var lifetime = ApiReply.Field(status, "expireAt").GetDateTimeOffset() - ApiReply.Field(status, "createdAt").GetDateTimeOffset();
        await context.Target.LetTimePassAsync(lifetime + TimeSpan.FromMinutes(1), context.CancellationToken);
    }

    [When("the user polls the recharge's status")]
    public Task Poll() => _world.RechargeStatusAsync();

    [Then("the recharge records list the order as {word}")]
    public async Task RecordsList(string status)
    {
        var page = (await _world.PostAsync("/api/finance/recharge/records", new { page = 1, pageSize = 100 })).EnsureSuccess("listing the recharge records").Data;
        var order = ApiReply.Field(page, "list").EnumerateArray().FirstOrDefault(o => ApiReply.Text(ApiReply.Field(o, "orderNo")) == _world.Order.OrderNo);
        Check.That(order.ValueKind == JsonValueKind.Object, $"the records do not list {_world.Order.OrderNo}");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(order, "status")), "status in the records");
        Check.Equal(_world.Order.OutTradeNo, ApiReply.Text(ApiReply.Field(order, "outTradeNo")), "outTradeNo in the records");
    }

    /// <summary>The records of the scenario's new user: newest first, each with the status and credit given.</summary>
    [Then("the recharge records are, newest first:")]
    public async Task RecordsAre(StepTable expected)
    {
        var page = (await _world.PostAsync("/api/finance/recharge/records", new { page = 1, pageSize = 100 })).EnsureSuccess("listing the recharge records").Data;
        var list = ApiReply.Field(page, "list").EnumerateArray().ToList();
        Check.Equal(expected.Rows.Count, list.Count, "records");
        Check.Equal((long)expected.Rows.Count, ApiReply.Field(page, "total").GetInt64(), "total");
        for (var i = 0; i < list.Count; i++)
        {
            foreach (var (field, value) in expected.Rows[i])
            {
                Check.Equal(value, ApiReply.Text(ApiReply.Field(list[i], field)), $"{field} of record {i + 1}");
            }
        }
    }

    [Then("the {word} recharge records number {int}")]
    public async Task RecordsWithStatus(string status, int count)
    {
        var page = (await _world.PostAsync("/api/finance/recharge/records", new { page = 1, pageSize = 100, status })).EnsureSuccess("listing the recharge records").Data;
        Check.Equal((long)count, ApiReply.Field(page, "total").GetInt64(), $"total of {status} records");
        Check.That(ApiReply.Field(page, "list").EnumerateArray().All(o => ApiReply.Text(ApiReply.Field(o, "status")) == status), $"the {status} records list another status");
    }

    /// <summary>
    /// The summary of the user's recharges: counts, what the paid ones paid and credited, and the ledger's own sum of
    /// recharge credits, which must be the same and equal the balance the user gained.
    /// </summary>
    [Then("the recharge summary shows {int} of {int} recharge(s) paid, {int} fen, {int} coins credited, as the ledger and the balance do")]
    public async Task Summary(int paid, int count, int fen, int coins)
    {
        var summary = (await _world.PostAsync("/api/finance/recharge/summary", new { })).EnsureSuccess("reading the recharge summary").Data;
        Check.Equal((long)count, ApiReply.Field(summary, "count").GetInt64(), "count");
        Check.Equal((long)paid, ApiReply.Field(summary, "paidCount").GetInt64(), "paidCount");
        Check.Equal((long)fen, ApiReply.Field(summary, "totalPaidAmount").GetInt64(), "totalPaidAmount");
        Check.Equal((long)coins, ApiReply.Field(summary, "totalCreditedCoins").GetInt64(), "totalCreditedCoins");
        Check.Equal((long)coins, ApiReply.Field(summary, "ledgerCreditedCoins").GetInt64(), "ledgerCreditedCoins");
        var user = Finance.TheUser;
        Check.Equal(user.StartingBalance + coins, await Finance.BalanceOfAsync(user), $"balance (started at {user.StartingBalance})");
    }

    [Then("the recharge summary by channel is:")]
    public async Task SummaryByChannel(StepTable expected)
    {
        var summary = (await _world.PostAsync("/api/finance/recharge/summary", new { })).EnsureSuccess("reading the recharge summary").Data;
        var byChannel = ApiReply.Field(summary, "byChannel").EnumerateArray().ToList();
        Check.Equal(expected.Rows.Count, byChannel.Count, "channels in the summary");
        foreach (var row in expected.Rows)
        {
            var line = byChannel.FirstOrDefault(c => ApiReply.Text(ApiReply.Field(c, "channel")) == row["channel"]);
            Check.That(line.ValueKind == JsonValueKind.Object, $"the summary has no line for {row["channel"]}");
            foreach (var (field, value) in row)
            {
                Check.Equal(value, ApiReply.Text(ApiReply.Field(line, field)), $"{field} of {row["channel"]}");
            }
        }
    }

    /// <summary>An admin's plan with this scenario's id (<c>{{key:LABEL}}</c> style: the label made unique).</summary>
    [Given("the admin has saved a disabled recharge plan {string} of {int} fen for {int} coins")]
    [Needs(Need.AdminJwt)]
    public async Task SaveDisabledPlan(string label, int fen, int coins) =>
        (await Finance.AdminPostAsync("/api/admin/recharge/plans", new { id = Finance.Key(label), name = "Conformance " + label, coins, price = fen, enabled = false, sort = 99 }))
            .EnsureSuccess("saving a recharge plan as the admin");

    [When("the user creates a recharge of the scenario's plan {string} on {word}")]
    public Task CreateScenarioPlan(string label, string channel) => Create(Finance.Key(label), channel);

    [Then("the admin's plan list shows {string} disabled")]
    [Needs(Need.AdminJwt)]
    public async Task AdminListsPlan(string label)
    {
        await Finance.SendAsync(Actor.Admin, HttpMethod.Get, "/api/admin/recharge/plans");
        var plan = Finance.Last.EnsureSuccess("listing the plans as the admin").Data.EnumerateArray().FirstOrDefault(p => ApiReply.Text(ApiReply.Field(p, "id")) == Finance.Key(label));
        Check.That(plan.ValueKind == JsonValueKind.Object, $"the admin's list does not show {Finance.Key(label)}");
        Check.Equal(false, ApiReply.Field(plan, "enabled").GetBoolean(), "enabled");
    }

    [Then("the admin's order list for the user shows the recharge as {word}")]
    [Needs(Need.AdminJwt)]
    public async Task AdminListsOrder(string status)
    {
        var page = (await Finance.AdminPostAsync("/api/admin/recharge/orders", new { userId = Finance.TheUser.UserId, page = 1, pageSize = 100 }))
            .EnsureSuccess("listing recharge orders as the admin").Data;
        var list = ApiReply.Field(page, "list").EnumerateArray().ToList();
        Check.That(list.All(o => ApiReply.Text(ApiReply.Field(o, "userId")) == Finance.TheUser.UserId), "the admin's list filtered by userId shows another user's order");
        var order = list.FirstOrDefault(o => ApiReply.Text(ApiReply.Field(o, "orderNo")) == _world.Order.OrderNo);
        Check.That(order.ValueKind == JsonValueKind.Object, $"the admin's list does not show {_world.Order.OrderNo}");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(order, "status")), "status");
    }
}
