using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// The Webhook Endpoints API through Stripe.net unmodified: endpoints a backend registers itself, each signing with its
/// own secret (shown once), receiving only the event types it enabled, rendered at its own API version, beside the
/// dashboard's endpoint; disabled and deleted endpoints receive nothing.
/// </summary>
public sealed class StripeWebhookEndpointTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static StripeClient Client(TestSandbox sandbox) => new(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));

    private static Task<WebhookEndpoint> CreateAsync(StripeClient stripe, string url, List<string> events, string? apiVersion = null) =>
        stripe.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions { Url = url, EnabledEvents = events, ApiVersion = apiVersion }, cancellationToken: Ct);

    private static async Task<StripeException> RefusedAsync(Task task, HttpStatusCode status, string? param)
    {
        var refused = await Assert.ThrowsAsync<StripeException>(() => task);
        Assert.Equal((status, "invalid_request_error", param), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param));
        return refused;
    }

    /// <summary>Pays a one-time checkout and returns its session id.</summary>
    private static async Task<string> PayCheckoutAsync(TestSandbox sandbox, StripeClient stripe)
    {
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(StripeNetRoundTripTests.NewPaymentSession(), cancellationToken: Ct);
        await sandbox.ActAsync(session.Id, "pay");
        return session.Id;
    }

    private static async Task<Event> NextOfTypeAsync(Receiver receiver, string type, string secret)
    {
        while (true)
        {
            var delivery = await receiver.NextAsync();
            var evt = EventUtility.ConstructEvent(delivery.Body, delivery.Header("Stripe-Signature"), secret, throwOnApiVersionMismatch: false);
            if (evt.Type == type)
            {
                return evt;
            }
        }
    }

    [Fact]
    public async Task An_endpoint_is_created_read_listed_updated_and_deleted_and_its_secret_is_shown_once()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);

        var created = await stripe.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions
        {
            Url = "https://merchant.example/stripe",
            EnabledEvents = ["checkout.session.completed", "invoice.paid"],
            Description = "orders",
            Metadata = new Dictionary<string, string> { ["team"] = "billing" },
        }, cancellationToken: Ct);
        Assert.StartsWith("we_", created.Id, StringComparison.Ordinal);
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.Equal(("enabled", "orders", "billing", false), (created.Status, created.Description, created.Metadata["team"], created.Livemode));
        Assert.Equal(["checkout.session.completed", "invoice.paid"], created.EnabledEvents);
        Assert.Null(created.ApiVersion);

        var read = await stripe.V1.WebhookEndpoints.GetAsync(created.Id, cancellationToken: Ct);
        Assert.Null(read.Secret);
        Assert.Equal(("https://merchant.example/stripe", created.Created), (read.Url, read.Created));

        var updated = await stripe.V1.WebhookEndpoints.UpdateAsync(created.Id, new WebhookEndpointUpdateOptions
        {
            Url = "https://merchant.example/stripe/v2",
            EnabledEvents = ["*"],
            Disabled = true,
            Metadata = new Dictionary<string, string> { ["team"] = "" },
        }, cancellationToken: Ct);
        Assert.Equal(("disabled", "https://merchant.example/stripe/v2", 0), (updated.Status, updated.Url, updated.Metadata.Count));
        Assert.Equal(["*"], updated.EnabledEvents);
        Assert.Null(updated.Secret);

        var second = await CreateAsync(stripe, "http://localhost:9/hook", ["charge.refunded"]);
        var listed = await stripe.V1.WebhookEndpoints.ListAsync(new WebhookEndpointListOptions { Limit = 1 }, cancellationToken: Ct);
        Assert.Equal((second.Id, true), (listed.Data.Single().Id, listed.HasMore));
        var next = await stripe.V1.WebhookEndpoints.ListAsync(new WebhookEndpointListOptions { StartingAfter = second.Id }, cancellationToken: Ct);
        Assert.Equal(created.Id, next.Data.Single().Id);

        var deleted = await stripe.V1.WebhookEndpoints.DeleteAsync(created.Id, cancellationToken: Ct);
        Assert.True(deleted.Deleted);
        var gone = await RefusedAsync(stripe.V1.WebhookEndpoints.GetAsync(created.Id, cancellationToken: Ct), HttpStatusCode.NotFound, "id");
        Assert.Equal($"No such webhook_endpoint: '{created.Id}'", gone.StripeError.Message);
        await RefusedAsync(stripe.V1.WebhookEndpoints.DeleteAsync(created.Id, cancellationToken: Ct), HttpStatusCode.NotFound, "id");
        Assert.Equal([second.Id], (await stripe.V1.WebhookEndpoints.ListAsync(cancellationToken: Ct)).Data.Select(e => e.Id));
    }

    [Fact]
    public async Task Each_endpoint_gets_the_types_it_enabled_signed_with_its_own_secret_at_its_own_version()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var orders = await Receiver.StartAsync();
        await using var everything = await Receiver.StartAsync();
        await using var dashboard = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", dashboard.Url);
        var stripe = Client(sandbox);
        var ordersEndpoint = await CreateAsync(stripe, orders.Url, ["checkout.session.completed"]);
        var everythingEndpoint = await CreateAsync(stripe, everything.Url, ["*"], apiVersion: "2024-06-20");
        Assert.NotEqual(ordersEndpoint.Secret, everythingEndpoint.Secret);

        var sessionId = await PayCheckoutAsync(sandbox, stripe);

        var toOrders = await NextOfTypeAsync(orders, "checkout.session.completed", ordersEndpoint.Secret);
        var toEverything = await NextOfTypeAsync(everything, "checkout.session.completed", everythingEndpoint.Secret);
        var toDashboard = await NextOfTypeAsync(dashboard, "checkout.session.completed", StripeProvider.WebhookSecret);
        Assert.Equal(sessionId, Assert.IsType<Session>(toOrders.Data.Object).Id);
        Assert.Equal(toOrders.Id, toEverything.Id);
        Assert.Equal(toOrders.Id, toDashboard.Id);
        Assert.Equal(("2024-06-20", StripeWebhooks.DefaultApiVersion, StripeWebhooks.DefaultApiVersion), (toEverything.ApiVersion, toOrders.ApiVersion, toDashboard.ApiVersion));

        // One event, three deliveries: Stripe counts them in pending_webhooks.
        var stored = await stripe.V1.Events.GetAsync(toOrders.Id, cancellationToken: Ct);
        Assert.Equal(3L, stored.PendingWebhooks);

        // Another endpoint's secret does not verify a delivery.
        var wrongSecret = orders.All[0];
        Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(wrongSecret.Body, wrongSecret.Header("Stripe-Signature"), everythingEndpoint.Secret, throwOnApiVersionMismatch: false));

        // The log: the filtered endpoint got the one type it asked for; the others got every event of the payment.
        var deliveries = await sandbox.DeliveriesAsync(sessionId);
        string[] TypesTo(string url) => [.. deliveries.Where(d => d!["url"]!.GetValue<string>() == url).Select(d => d!["event_type"]!.GetValue<string>()).Order()];
        Assert.Equal(["checkout.session.completed"], TypesTo(orders.Url));
        Assert.True(TypesTo(everything.Url).Length > 1);
        Assert.Equal(TypesTo(dashboard.Url), TypesTo(everything.Url));
    }

    [Fact]
    public async Task A_disabled_or_deleted_endpoint_receives_nothing_and_an_enabled_one_again_receives()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        var stripe = Client(sandbox);
        var endpoint = await CreateAsync(stripe, receiver.Url, ["checkout.session.completed"]);
        await stripe.V1.WebhookEndpoints.UpdateAsync(endpoint.Id, new WebhookEndpointUpdateOptions { Disabled = true }, cancellationToken: Ct);

        var whileDisabled = await PayCheckoutAsync(sandbox, stripe);
        Assert.Empty(await sandbox.DeliveriesAsync(whileDisabled));
        var unsent = (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "checkout.session.completed" }, cancellationToken: Ct)).Data.Single();
        Assert.Equal(0L, unsent.PendingWebhooks);

        await stripe.V1.WebhookEndpoints.UpdateAsync(endpoint.Id, new WebhookEndpointUpdateOptions { Disabled = false }, cancellationToken: Ct);
        var whileEnabled = await PayCheckoutAsync(sandbox, stripe);
        var evt = await NextOfTypeAsync(receiver, "checkout.session.completed", endpoint.Secret);
        Assert.Equal(whileEnabled, Assert.IsType<Session>(evt.Data.Object).Id);

        await stripe.V1.WebhookEndpoints.DeleteAsync(endpoint.Id, cancellationToken: Ct);
        var afterDelete = await PayCheckoutAsync(sandbox, stripe);
        Assert.Empty(await sandbox.DeliveriesAsync(afterDelete));
        Assert.Single(receiver.All);
    }

    [Fact]
    public async Task Bad_endpoints_are_refused_in_stripes_shape_and_change_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);

        await RefusedAsync(stripe.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions { EnabledEvents = ["*"] }, cancellationToken: Ct), HttpStatusCode.BadRequest, "url");
        await RefusedAsync(stripe.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions { Url = "https://merchant.example/h" }, cancellationToken: Ct), HttpStatusCode.BadRequest, "enabled_events");
        var typo = await RefusedAsync(CreateAsync(stripe, "https://merchant.example/h", ["checkout.session.completed", "checkout.session.complete"]), HttpStatusCode.BadRequest, "enabled_events[1]");
        Assert.StartsWith("Invalid enabled_events[1]: must be one of *, account.application.authorized, ", typo.StripeError.Message, StringComparison.Ordinal);
        Assert.Contains("checkout.session.completed", typo.StripeError.Message, StringComparison.Ordinal);
        await RefusedAsync(CreateAsync(stripe, "ftp://merchant.example/h", ["*"]), HttpStatusCode.BadRequest, "url");
        await RefusedAsync(CreateAsync(stripe, "https://merchant.example/h", ["*"], apiVersion: "yesterday"), HttpStatusCode.BadRequest, "api_version");
        var connect = await RefusedAsync(stripe.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions { Url = "https://merchant.example/h", EnabledEvents = ["*"], Connect = true }, cancellationToken: Ct), HttpStatusCode.BadRequest, "connect");
        Assert.Contains("not simulated", connect.StripeError.Message, StringComparison.Ordinal);
        await RefusedAsync(stripe.V1.WebhookEndpoints.UpdateAsync("we_missing", new WebhookEndpointUpdateOptions { Disabled = true }, cancellationToken: Ct), HttpStatusCode.NotFound, "id");
        Assert.Empty((await stripe.V1.WebhookEndpoints.ListAsync(cancellationToken: Ct)).Data);

        var endpoint = await CreateAsync(stripe, "https://merchant.example/h", ["*"]);
        var version = new WebhookEndpointUpdateOptions();
        version.AddExtraParam("api_version", "2024-06-20");
        Assert.Equal("parameter_unknown", (await RefusedAsync(stripe.V1.WebhookEndpoints.UpdateAsync(endpoint.Id, version, cancellationToken: Ct), HttpStatusCode.BadRequest, "api_version")).StripeError.Code);
        await RefusedAsync(stripe.V1.WebhookEndpoints.UpdateAsync(endpoint.Id, new WebhookEndpointUpdateOptions { EnabledEvents = ["nothing.happened"] }, cancellationToken: Ct), HttpStatusCode.BadRequest, "enabled_events[0]");
        Assert.Equal(["*"], (await stripe.V1.WebhookEndpoints.GetAsync(endpoint.Id, cancellationToken: Ct)).EnabledEvents);

        for (var i = 1; i < StripeWebhookEndpoints.MaxEndpoints; i++)
        {
            await CreateAsync(stripe, $"https://merchant.example/h{i}", ["*"]);
        }

        var full = await RefusedAsync(CreateAsync(stripe, "https://merchant.example/one-more", ["*"]), HttpStatusCode.BadRequest, null);
        Assert.Contains("maximum of 16", full.StripeError.Message, StringComparison.Ordinal);
        await stripe.V1.WebhookEndpoints.DeleteAsync(endpoint.Id, cancellationToken: Ct);
        await CreateAsync(stripe, "https://merchant.example/one-more", ["*"]);
    }

    [Fact]
    public async Task An_endpoint_and_its_secret_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-endpoints-" + Guid.NewGuid().ToString("N"));
        WebhookEndpoint endpoint;
        await using var receiver = await Receiver.StartAsync();
        await using (var before = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            endpoint = await CreateAsync(Client(before), receiver.Url, ["checkout.session.completed"]);
        }

        await using (var after = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var stripe = Client(after);
            Assert.Equal(receiver.Url, (await stripe.V1.WebhookEndpoints.GetAsync(endpoint.Id, cancellationToken: Ct)).Url);
            var sessionId = await PayCheckoutAsync(after, stripe);
            var evt = await NextOfTypeAsync(receiver, "checkout.session.completed", endpoint.Secret);
            Assert.Equal(sessionId, Assert.IsType<Session>(evt.Data.Object).Id);
        }

        Directory.Delete(data, recursive: true);
    }
}
