using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Epay;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Common;

public sealed class ControlApiTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Providers_publish_base_urls_and_merchant_credentials()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var providers = await sandbox.GetArrayAsync("/control/providers");
        Assert.Equal(["stripe", "creem", "epay", "wechatpay", "alipay", "tappay"], providers.Select(p => p!["name"]!.GetValue<string>()));

        var stripe = providers[0]!;
        Assert.Equal(sandbox.BaseUrl("stripe"), stripe["base_url"]!.GetValue<string>());
        Assert.Equal(StripeProvider.SecretKey, stripe["credentials"]!["secret_key"]!.GetValue<string>());
        Assert.Equal(StripeProvider.WebhookSecret, stripe["credentials"]!["webhook_secret"]!.GetValue<string>());
        Assert.Equal(CreemProvider.ApiKey, providers[1]!["credentials"]!["api_key"]!.GetValue<string>());
        Assert.Equal(EpayProvider.Key, providers[2]!["credentials"]!["key"]!.GetValue<string>());
        var alipay = providers[4]!["credentials"]!;
        Assert.Equal(AlipayProvider.AppId, alipay["app_id"]!.GetValue<string>());
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", alipay["app_private_key"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", alipay["alipay_public_key"]!.GetValue<string>(), StringComparison.Ordinal);

        var banner = sandbox.Server.Describe();
        Assert.Contains(sandbox.Server.ControlBaseUrl, banner, StringComparison.Ordinal);
        Assert.Contains(sandbox.BaseUrl("epay"), banner, StringComparison.Ordinal);
        Assert.Contains(StripeProvider.SecretKey, banner, StringComparison.Ordinal);

        // PEM keys stay off the banner's lines: it names the folder holding them, where the files are.
        var wechat = providers[3]!["credentials"]!;
        Assert.Contains("mchid=1900000109", banner, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN", banner, StringComparison.Ordinal);
        var folder = Path.Combine(sandbox.Server.Options.DataDirectory, "keys", "wechatpay");
        Assert.Contains(Path.GetFullPath(folder), banner, StringComparison.Ordinal);
        Assert.Contains(sandbox.Server.Context.Keys.Folder("alipay"), banner, StringComparison.Ordinal);
        Assert.Equal(wechat["merchant_private_key"]!.GetValue<string>(), File.ReadAllText(Path.Combine(folder, "apiclient_key.pem")));
        Assert.Equal(wechat["platform_certificate"]!.GetValue<string>(), File.ReadAllText(Path.Combine(folder, "platform_cert.pem")));
    }

    [Fact]
    public async Task A_restart_keeps_the_ports_the_generated_keys_and_the_state_and_health_names_the_new_instance()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { DataDirectory = data, BasePort = 0, RestartRoute = true }, Ct);
        using var http = new HttpClient();
        var before = JsonNode.Parse(await http.GetStringAsync(sandbox.ControlBaseUrl + "/control/health", Ct))!;
        Assert.Equal("ok", before["status"]!.GetValue<string>());
        var keys = string.Join('|', sandbox.Providers["wechatpay"].Credentials.Values.Concat(sandbox.Providers["alipay"].Credentials.Values));
        var ports = sandbox.Ports;
        var requested = new TaskCompletionSource();
        sandbox.RestartRequested += () => requested.TrySetResult();

        using (var asked = await http.PostAsync(sandbox.ControlBaseUrl + "/control/restart", content: null, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
            Assert.Equal(before["instance"]!.GetValue<string>(), JsonNode.Parse(await asked.Content.ReadAsStringAsync(Ct))!["instance"]!.GetValue<string>());
        }

        await requested.Task.WaitAsync(Ct);
        await using (var restarted = await SandboxServer.RestartAsync(sandbox, Ct))
        {
            Assert.Equal(ports, restarted.Ports);
            Assert.Equal(keys, string.Join('|', restarted.Providers["wechatpay"].Credentials.Values.Concat(restarted.Providers["alipay"].Credentials.Values)));
            var after = JsonNode.Parse(await http.GetStringAsync(restarted.ControlBaseUrl + "/control/health", Ct))!;
            Assert.NotEqual(before["instance"]!.GetValue<string>(), after["instance"]!.GetValue<string>());
        }

        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task The_restart_route_is_offered_only_when_asked_for()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var asked = await sandbox.Control.PostAsync("/control/restart", content: null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, asked.StatusCode);
    }

    [Fact]
    public async Task The_clock_does_not_move_to_where_dates_overflow()
    {
        // A year's advance from mid-9999 would overflow DateTimeOffset, in this answer and every later one.
        await using var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(9999, 6, 1, 0, 0, 0, TimeSpan.Zero));
        using var response = await sandbox.Control.PostAsJsonAsync("/control/clock/advance", new { seconds = 366L * 24 * 3600 }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("the sandbox clock cannot move past the year 9000", JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!.GetValue<string>());
        Assert.Equal(0, (await sandbox.GetJsonAsync("/control/clock"))["offset_seconds"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_control_api_is_described_by_an_OpenAPI_document()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var document = await sandbox.GetJsonAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/control/faults", paths);
        Assert.Contains("/control/clock/advance", paths);
        Assert.Contains("/control/deliveries/{id}/resend", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/pay", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pay_pages_show_expiry_and_refuse_actions_once_expired()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var session = await DeliveryScheduleTests.NewSessionAsync(sandbox);
        var html = await sandbox.Control.GetStringAsync($"/pay/{session}", Ct);
        Assert.Contains("Expires at", html, StringComparison.Ordinal);
        Assert.Contains(">Pay</button>", html, StringComparison.Ordinal);

        await sandbox.AdvanceAsync(TimeSpan.FromHours(24));
        using var expired = await sandbox.Control.GetAsync($"/pay/{session}", Ct);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.DoesNotContain(">Pay</button>", await expired.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var outcome = await sandbox.PostJsonAsync($"/control/payments/{session}/pay");
        Assert.Null(outcome["redirect_url"]?.GetValue<string>());
        Assert.Equal("expired", outcome["payment"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Paying_twice_settles_once()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var session = await DeliveryScheduleTests.NewSessionAsync(sandbox);
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => sandbox.ActAsync(session, "pay")));
        await sandbox.RunDueAsync();
        Assert.Single(await sandbox.DeliveriesAsync(session), d => d!["event_type"]!.GetValue<string>() == "checkout.session.completed");
    }

    [Fact]
    public async Task The_delivery_log_is_filtered_by_payment_id_and_provider()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var first = await DeliveryScheduleTests.NewSessionAsync(sandbox);
        var second = await DeliveryScheduleTests.NewSessionAsync(sandbox);
        await sandbox.ActAsync(first, "pay");
        await sandbox.ActAsync(second, "pay");
        await sandbox.RunDueAsync();

        var ofFirst = await sandbox.GetArrayAsync($"/control/deliveries?payment_id={first}");
        Assert.Equal(2, ofFirst.Count); // checkout.session.completed and payment_intent.succeeded
        Assert.All(ofFirst, d => Assert.Equal(first, d!["payment_id"]!.GetValue<string>()));
        Assert.Equal(4, (await sandbox.GetArrayAsync("/control/deliveries?provider=stripe")).Count);
        Assert.Empty(await sandbox.GetArrayAsync("/control/deliveries?provider=epay"));
    }

    [Fact]
    public async Task Lists_page_with_limit_and_starting_after_and_filter_by_status()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var sessions = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            sessions.Add(await DeliveryScheduleTests.NewSessionAsync(sandbox));
        }

        await sandbox.ActAsync(sessions[1], "pay");
        await sandbox.RunDueAsync();
        var all = (await sandbox.GetArrayAsync("/control/payments?provider=stripe")).Select(p => p!["id"]!.GetValue<string>()).ToList();

        Assert.Equal(sessions.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal)); // a Stripe payment is its checkout session
        Assert.Equal(all, await WalkAsync(sandbox, "/control/payments?provider=stripe", 2));
        Assert.Equal(all, await WalkAsync(sandbox, "/control/payments", 3)); // every provider's lists merged: Stripe's alone here
        Assert.Equal(all.Where(id => id != sessions[1]), await WalkAsync(sandbox, "/control/payments?status=open", 1));
        Assert.Equal([sessions[1]], (await sandbox.GetArrayAsync("/control/payments?provider=stripe&status=paid")).Select(p => p!["id"]!.GetValue<string>()));
        Assert.Equal(4, (await sandbox.GetArrayAsync("/control/payments?provider=stripe&status=open")).Count);

        var delivered = await sandbox.GetArrayAsync("/control/deliveries?provider=stripe&status=delivered&limit=1");
        Assert.Single(delivered);
        Assert.Equal("delivered", delivered[0]!["status"]!.GetValue<string>());
        Assert.Empty(await sandbox.GetArrayAsync("/control/deliveries?status=pending"));
        var second = await sandbox.GetArrayAsync($"/control/deliveries?status=delivered&starting_after={delivered[0]!["id"]!.GetValue<string>()}");
        Assert.Single(second); // the paid checkout's two events, one per page
        Assert.NotEqual(delivered[0]!["id"]!.GetValue<string>(), second[0]!["id"]!.GetValue<string>());
        var log = (await sandbox.GetArrayAsync("/control/deliveries")).Select(d => d!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(2, log.Count);
        Assert.Equal(log, await WalkAsync(sandbox, "/control/deliveries", 1));
        Assert.Equal(log, await WalkAsync(sandbox, $"/control/deliveries?payment_id={sessions[1]}", 1));

        await sandbox.PostJsonAsync("/control/clock/advance", new { seconds = 25 * 3600 }); // past every open session's expires_at
        Assert.Equal(sessions.Where((_, i) => i != 1).Order(StringComparer.Ordinal), (await sandbox.GetArrayAsync("/control/payments?status=expired")).Select(p => p!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?status=open"));
    }

    [Fact]
    public async Task A_clock_advance_expires_every_payment_due_however_many_before_it_returns()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var count = PaymentBook.ExpiryBatch + 120; // more than the expiry loop reads at a time
        for (var wave = 0; wave < count; wave += 40)
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(40, count - wave)).Select(_ => DeliveryScheduleTests.NewSessionAsync(sandbox)));
        }

        using (var first = await sandbox.Control.GetAsync("/control/payments?status=open&limit=1000", Ct))
        {
            Assert.Equal(count, JsonNode.Parse(await first.Content.ReadAsStringAsync(Ct))!.AsArray().Count);
        }

        await sandbox.AdvanceAsync(TimeSpan.FromHours(25));

        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?status=open"));
        Assert.Equal(count, (await sandbox.GetArrayAsync("/control/payments?provider=stripe&status=expired")).Count);
    }

    /// <summary>Pages of <paramref name="size"/>, each continuing after the last id of the one before, until X-Has-More is false.</summary>
    private static async Task<List<string>> WalkAsync(TestSandbox sandbox, string path, int size)
    {
        var ids = new List<string>();
        string? after = null;
        bool more;
        do
        {
            var query = $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}limit={size}" + (after is null ? "" : "&starting_after=" + after);
            using var response = await sandbox.Control.GetAsync(query, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsArray().Select(p => p!["id"]!.GetValue<string>()).ToList();
            Assert.InRange(page.Count, 1, size);
            ids.AddRange(page);
            after = page[^1];
            more = bool.Parse(response.Headers.GetValues("X-Has-More").Single());
        }
        while (more);

        return ids;
    }

    [Theory]
    [InlineData("/control/payments?limit=0", HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 1000")]
    [InlineData("/control/payments?limit=1001", HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 1000")]
    [InlineData("/control/payments?limit=ten", HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 1000")]
    [InlineData("/control/payments?starting_after=pay_nope", HttpStatusCode.BadRequest, "starting_after: 'pay_nope' is not in this list")]
    [InlineData("/control/payments?status=settled", HttpStatusCode.BadRequest, "status must be one of open, paid, expired, canceled")]
    [InlineData("/control/payments?provider=paypal", HttpStatusCode.NotFound, "no provider 'paypal'")]
    [InlineData("/control/deliveries?status=sent", HttpStatusCode.BadRequest, "status must be one of pending, delivered, exhausted, dropped")]
    [InlineData("/control/deliveries?limit=-1", HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 1000")]
    [InlineData("/control/deliveries?provider=paypal", HttpStatusCode.NotFound, "no provider 'paypal'")]
    public async Task A_list_query_that_cannot_be_answered_is_refused_with_why(string path, HttpStatusCode status, string error)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        using var response = await sandbox.Control.GetAsync(path, Ct);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_things_get_404_with_an_error_message()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        foreach (var path in new[] { "/control/payments/nope", "/control/deliveries/nope", "/control/providers/paypal" })
        {
            using var response = await sandbox.Control.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.False(string.IsNullOrEmpty(JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!.GetValue<string>()));
        }

        using var badAdvance = await sandbox.Control.PostAsync("/control/clock/advance", new StringContent("""{"seconds":-5}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badAdvance.StatusCode);
    }

    [Theory]
    [InlineData("ftp://merchant.example/hook")]
    [InlineData("mailto:ops@merchant.example")]
    [InlineData("file:///var/hook")]
    [InlineData("/api/stripe/webhook")]
    public async Task A_webhook_url_no_http_client_can_call_is_refused_and_the_setting_kept(string url)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", "http://127.0.0.1:8080/api/stripe/webhook");

        using var response = await sandbox.Control.PutAsJsonAsync("/control/providers/stripe/settings", new Dictionary<string, string> { ["webhook_url"] = url }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("absolute http or https URL", JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        var settings = (await sandbox.GetJsonAsync("/control/providers/stripe"))["settings"]!;
        Assert.Equal("http://127.0.0.1:8080/api/stripe/webhook", settings["webhook_url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_start_with_a_webhook_url_no_http_client_can_call_is_refused()
    {
        var options = new SandboxOptions { DataDirectory = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N")), BasePort = 0 };
        options.WebhookUrls["creem"] = "ftp://merchant.example/hook";

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => SandboxServer.StartAsync(options, Ct));

        Assert.Contains("creem", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_survives_a_restart_on_the_same_data_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        string session;
        await using (var first = await SandboxServer.StartAsync(new SandboxOptions { DataDirectory = folder, BasePort = 0 }, Ct))
        {
            var stripe = new global::Stripe.StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            session = (await stripe.V1.Checkout.Sessions.CreateAsync(Stripe.StripeNetRoundTripTests.NewPaymentSession(), cancellationToken: Ct)).Id;
        }

        await using var second = await SandboxServer.StartAsync(new SandboxOptions { DataDirectory = folder, BasePort = 0 }, Ct);
        var again = new global::Stripe.StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
        Assert.Equal("open", (await again.V1.Checkout.Sessions.GetAsync(session, cancellationToken: Ct)).Status);
        Assert.True(Directory.Exists(Path.Combine(folder, "sandbox-store")));
    }
}
