using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Epay;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Epay;
using Harness.Sandbox.Tests.Stripe;
using Harness.Sandbox.Tests.Support;
using global::Stripe;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Tests.Common;

/// <summary>Every fault type, observed where a merchant would observe it.</summary>
public sealed class FaultInjectionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_error_fails_the_next_two_calls_then_Stripe_nets_own_retries_succeed()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var faultId = await sandbox.AddFaultAsync(new { kind = "server_error", provider = "stripe", count = 2 });
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));

        var session = await stripe.V1.Checkout.Sessions.CreateAsync(StripeNetRoundTripTests.NewPaymentSession(), cancellationToken: Ct);

        Assert.Equal("open", session.Status);
        var fault = (await sandbox.GetArrayAsync("/control/faults")).Single(f => f!["id"]!.GetValue<string>() == faultId)!;
        Assert.Equal(2, fault["fired"]!.GetValue<int>());
        Assert.Equal(0, fault["remaining"]!.GetValue<int>());
    }

    [Fact]
    public async Task Server_error_without_a_count_surfaces_as_Stripes_api_error()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.AddFaultAsync(new { kind = "server_error", provider = "stripe" });
        using var http = StripeErrorTests.Http(sandbox);
        using var response = await http.GetAsync("/v1/checkout/sessions", Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("api_error", error["type"]!.GetValue<string>());
        Assert.StartsWith("req_", response.Headers.GetValues("Request-Id").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latency_holds_the_response_until_the_sandbox_clock_moves()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var session = await DeliveryScheduleTests.NewSessionAsync(sandbox);
        await sandbox.AddFaultAsync(new { kind = "latency", provider = "stripe", payment_id = session, seconds = 30, count = 1 });
        using var http = StripeErrorTests.Http(sandbox);

        var pending = http.GetAsync($"/v1/checkout/sessions/{session}", Ct);
        await WaitUntilFiredAsync(sandbox, "latency");
        Assert.False(pending.IsCompleted);
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(30));

        using var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("latency", response.Headers.GetValues("X-Sandbox-Fault").Single());
    }

    [Fact]
    public async Task Duplicate_delivers_the_same_notify_twice()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        await sandbox.AddFaultAsync(new { kind = "duplicate", provider = "epay", count = 1 });
        var tradeNo = await EpayTests.SubmitAsync(sandbox, EpayTests.Order(receiver.Url));
        await sandbox.ActAsync(tradeNo, "pay");

        var first = await receiver.NextAsync();
        var second = await receiver.NextAsync();
        Assert.Equal(first.Query, second.Query);
        Assert.Equal(2, (await sandbox.DeliveriesAsync(tradeNo)).Count);
    }

    [Fact]
    public async Task Out_of_order_reverses_the_events_of_one_checkout()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var session = await DeliveryScheduleTests.NewSessionAsync(sandbox, "subscription");
        await sandbox.AddFaultAsync(new { kind = "out_of_order", payment_id = session });
        await sandbox.ActAsync(session, "pay");

        var types = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var r = await receiver.NextAsync();
            types.Add(EventUtility.ConstructEvent(r.Body, r.Header("Stripe-Signature"), StripeProvider.WebhookSecret).Type);
        }

        // The checkout's four events (the card saved to the customer last) arrive in reverse.
        Assert.Equal(["payment_method.attached", "invoice.paid", "customer.subscription.created", "checkout.session.completed"], types);
    }

    [Fact]
    public async Task Delayed_holds_the_first_attempt_for_the_given_seconds()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        await sandbox.AddFaultAsync(new { kind = "delayed", provider = "epay", seconds = 120 });
        var tradeNo = await EpayTests.SubmitAsync(sandbox, EpayTests.Order(receiver.Url));
        await sandbox.ActAsync(tradeNo, "pay");

        await sandbox.RunDueAsync();
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(119));
        Assert.Empty(receiver.All);
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Single(receiver.All);
    }

    [Fact]
    public async Task Tampered_signature_is_rejected_by_EventUtility_and_by_an_independent_check()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        await sandbox.AddFaultAsync(new { kind = "tampered_signature", provider = "stripe", count = 1 });
        var session = await DeliveryScheduleTests.NewSessionAsync(sandbox);
        await sandbox.ActAsync(session, "pay");

        var received = await receiver.NextAsync();
        var header = received.Header("Stripe-Signature");
        Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(received.Body, header, StripeProvider.WebhookSecret));
        var (t, v1) = ParseStripeHeader(header);
        Assert.NotEqual(ProviderSignatures.StripeV1(StripeProvider.WebhookSecret, t, received.Body), v1);
    }

    [Fact]
    public async Task Stale_timestamp_signs_correctly_but_outside_the_tolerance()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        await sandbox.AddFaultAsync(new { kind = "stale_timestamp", provider = "stripe", seconds = 600, count = 1 });
        var session = await DeliveryScheduleTests.NewSessionAsync(sandbox);
        await sandbox.ActAsync(session, "pay");

        var received = await receiver.NextAsync();
        var (t, v1) = ParseStripeHeader(received.Header("Stripe-Signature"));
        Assert.Equal(ProviderSignatures.StripeV1(StripeProvider.WebhookSecret, t, received.Body), v1);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - t, 590, 700);
        var rejected = Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(received.Body, received.Header("Stripe-Signature"), StripeProvider.WebhookSecret));
        Assert.Contains("tolerance", rejected.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Wrong_amount_changes_the_money_under_a_valid_signature()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        var tradeNo = await EpayTests.SubmitAsync(sandbox, EpayTests.Order(receiver.Url, money: "12.50"));
        await sandbox.AddFaultAsync(new { kind = "wrong_amount", payment_id = tradeNo });
        await sandbox.ActAsync(tradeNo, "pay");

        var notify = await receiver.NextAsync();
        var query = QueryHelpers.ParseQuery(notify.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal(ProviderSignatures.EpayMd5(query, EpayProvider.Key), query["sign"]);
        Assert.Equal("12.51", query["money"]);
    }

    [Fact]
    public async Task Faults_scoped_to_another_payment_do_not_fire()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        await sandbox.AddFaultAsync(new { kind = "tampered_signature", payment_id = "someone-else" });
        var tradeNo = await EpayTests.SubmitAsync(sandbox, EpayTests.Order(receiver.Url));
        await sandbox.ActAsync(tradeNo, "pay");

        var query = QueryHelpers.ParseQuery((await receiver.NextAsync()).Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal(ProviderSignatures.EpayMd5(query, EpayProvider.Key), query["sign"]);
    }

    [Theory]
    [InlineData("""{"kind":"nonsense"}""")]
    [InlineData("""{"kind":"latency","count":0}""")]
    [InlineData("""{"kind":"server_error","status":418}""")]
    [InlineData("""{"kind":"duplicate","provider":"paypal"}""")]
    [InlineData("""{}""")]
    public async Task Invalid_fault_requests_are_refused(string body)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var response = await sandbox.Control.PostAsync("/control/faults", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await sandbox.GetArrayAsync("/control/faults"));
    }

    private static (long T, string V1) ParseStripeHeader(string header)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return (long.Parse(parts["t"], System.Globalization.CultureInfo.InvariantCulture), parts["v1"]);
    }

    /// <summary>Polls the fault list until the fault has fired (state, not time, decides).</summary>
    private static async Task WaitUntilFiredAsync(TestSandbox sandbox, string kind)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(TimeSpan.FromSeconds(30));
        while ((await sandbox.GetArrayAsync("/control/faults")).All(f => f!["kind"]!.GetValue<string>() != kind || f["fired"]!.GetValue<int>() == 0))
        {
            await Task.Delay(10, guard.Token);
        }
    }
}
