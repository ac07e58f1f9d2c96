using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Stripe;
using Harness.Sandbox.Tests.Support;
using global::Stripe;

namespace Harness.Sandbox.Tests.Common;

/// <summary>Retry schedules run on the sandbox clock; the log keeps every attempt; resend adds one.</summary>
public sealed class DeliveryScheduleTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_receiver_failing_twice_gets_exactly_three_attempts_on_Stripes_schedule()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Script((500, "boom"), (500, "boom"));
        receiver.ScriptApplies = r => r.Body.Contains("\"checkout.session.completed\"", StringComparison.Ordinal);
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var session = await NewSessionAsync(sandbox);
        await sandbox.ActAsync(session, "pay");
        var completed = await FirstDeliveryOfAsync(sandbox, session, "checkout.session.completed");
        var start = DateTime.Parse(completed["attempts"]![0]!["at"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.RoundtripKind);

        // Stripe test mode: the first retry one hour later, the second two hours after that.
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(59));
        Assert.Single(Attempts(await DeliveryAsync(sandbox, completed)));
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, Attempts(await DeliveryAsync(sandbox, completed)).Count);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(2));
        await sandbox.AdvanceAsync(TimeSpan.FromDays(3));

        var log = await DeliveryAsync(sandbox, completed);
        var attempts = Attempts(log);
        Assert.Equal(3, attempts.Count);
        Assert.Equal([500, 500, 200], attempts.Select(a => a["response_status"]!.GetValue<int>()));
        Assert.Equal(["boom", "boom", ""], attempts.Select(a => a["response_body"]!.GetValue<string>()));
        Assert.Equal([start, start.AddHours(1), start.AddHours(3)], attempts.Select(a => DateTime.Parse(a["at"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.RoundtripKind)));
        Assert.All(attempts, a => Assert.Equal(receiver.Url, a["url"]!.GetValue<string>()));
        Assert.All(attempts, a => Assert.Equal(log["body"]!.GetValue<string>(), a["request_body"]!.GetValue<string>()));
        Assert.All(attempts, a => Assert.StartsWith("t=", a["request_headers"]!["Stripe-Signature"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal("delivered", log["status"]!.GetValue<string>());
        Assert.Equal(3, receiver.All.Count(r => r.Body == log["body"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_receiver_that_never_acknowledges_exhausts_the_schedule_and_resend_delivers()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (503, "");
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var session = await NewSessionAsync(sandbox);
        await sandbox.ActAsync(session, "pay");
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        var completed = await FirstDeliveryOfAsync(sandbox, session, "checkout.session.completed");
        Assert.Equal("exhausted", completed["status"]!.GetValue<string>());
        Assert.Equal(3, Attempts(completed).Count);

        receiver.Default = (200, "");
        var resent = await sandbox.PostJsonAsync($"/control/deliveries/{completed["id"]!.GetValue<string>()}/resend");
        Assert.Equal("delivered", resent["status"]!.GetValue<string>());
        var last = Attempts(resent)[^1];
        Assert.Equal("resend", last["trigger"]!.GetValue<string>());
        Assert.Equal(200, last["response_status"]!.GetValue<int>());
        var resentBody = receiver.All[^1];
        EventUtility.ConstructEvent(resentBody.Body, resentBody.Header("Stripe-Signature"), StripeProvider.WebhookSecret);
    }

    [Fact]
    public async Task An_unreachable_receiver_is_logged_as_an_error_attempt()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", "http://127.0.0.1:9/unreachable");
        var session = await NewSessionAsync(sandbox);
        await sandbox.ActAsync(session, "pay");
        await sandbox.RunDueAsync();
        var attempt = Attempts(await FirstDeliveryOfAsync(sandbox, session, "checkout.session.completed"))[0];
        Assert.Null(attempt["response_status"]?.GetValue<int?>());
        Assert.False(string.IsNullOrEmpty(attempt["error"]!.GetValue<string>()));
        Assert.False(attempt["acknowledged"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_stored_delivery_to_a_url_no_client_can_call_fails_on_schedule_and_the_control_routes_answer()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        // The APIs refuse such URLs now; an earlier version stored them unchecked.
        var stored = sandbox.Server.Context.Dispatcher.Enqueue(new CallbackDelivery
        {
            Source = "epay",
            Subject = "2026112320000012345",
            EventType = "TRADE_SUCCESS",
            Method = "GET",
            Url = "ftp://merchant.example/notify?trade_no=2026112320000012345",
            RetryDelaysSeconds = [60],
            Acknowledgement = CallbackAcknowledgement.BodyText("success"),
        });

        await sandbox.RunDueAsync();
        var first = await sandbox.GetJsonAsync($"/control/deliveries/{stored.Id}");
        Assert.Equal("pending", first["status"]!.GetValue<string>());
        var attempt = Assert.Single(Attempts(first));
        Assert.Contains("ftp", attempt["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(attempt["acknowledged"]!.GetValue<bool>());

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        var exhausted = await sandbox.GetJsonAsync($"/control/deliveries/{stored.Id}");
        Assert.Equal("exhausted", exhausted["status"]!.GetValue<string>());
        Assert.Equal(2, Attempts(exhausted).Count);

        var resent = await sandbox.PostJsonAsync($"/control/deliveries/{stored.Id}/resend");
        Assert.Equal(["schedule", "schedule", "resend"], Attempts(resent).Select(a => a["trigger"]!.GetValue<string>()));
        Assert.Equal("exhausted", resent["status"]!.GetValue<string>());
    }

    internal static async Task<string> NewSessionAsync(TestSandbox sandbox, string mode = "payment")
    {
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var options = StripeNetRoundTripTests.NewPaymentSession();
        if (mode == "subscription")
        {
            options.Mode = "subscription";
            options.LineItems[0].Price = "price_HarnessProMonthly";
        }

        return (await stripe.V1.Checkout.Sessions.CreateAsync(options, cancellationToken: Ct)).Id;
    }

    internal static async Task<JsonObject> FirstDeliveryOfAsync(TestSandbox sandbox, string paymentId, string eventType)
    {
        await sandbox.RunDueAsync();
        return (JsonObject)(await sandbox.DeliveriesAsync(paymentId)).First(d => d!["event_type"]!.GetValue<string>() == eventType)!;
    }

    private static Task<JsonObject> DeliveryAsync(TestSandbox sandbox, JsonObject delivery) =>
        sandbox.GetJsonAsync($"/control/deliveries/{delivery["id"]!.GetValue<string>()}");

    private static List<JsonObject> Attempts(JsonObject delivery) => [.. delivery["attempts"]!.AsArray().Select(a => (JsonObject)a!)];
}
