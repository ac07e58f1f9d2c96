using System.Net;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Sandbox.Dashboard;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Stripe;
using Harness.Sandbox.Tests.Common;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.Tests.TapPay;
using Harness.Sandbox.Tests.WeChatPay;
using global::Stripe;
using global::Stripe.Checkout;

namespace Harness.Sandbox.Tests.Dashboard;

/// <summary>The dashboard over HTTP: what its pages show, what its forms change, and what they refuse.</summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private TestSandbox _sandbox = null!;
    private HttpClient _browser = null!;
    private StripeClient _stripe = null!;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await TestSandbox.StartAsync();
        _browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_sandbox.Server.ControlBaseUrl) };
        _stripe = new StripeClient(StripeProvider.SecretKey, apiBase: _sandbox.BaseUrl("stripe"));
    }

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task The_control_ports_root_leads_to_an_overview_of_every_provider_with_its_base_url()
    {
        var root = await _browser.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal(DashboardEndpoints.Root, root.Headers.Location!.OriginalString);

        var overview = await PageAsync(DashboardEndpoints.Root);
        foreach (var provider in new[] { "stripe", "creem", "epay", "wechatpay", "alipay", "tappay" })
        {
            Assert.Contains(_sandbox.BaseUrl(provider), overview, StringComparison.Ordinal);
            Assert.Contains($"/dashboard/providers/{provider}\"", overview, StringComparison.Ordinal);
        }

        Assert.Contains("No payments yet.", overview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paying_from_the_payment_page_delivers_the_webhook_and_the_log_shows_the_exact_request_and_answer()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "received by the merchant");
        await _sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var session = await CreateSessionAsync("Forty credits");

        var payment = await PageAsync($"/dashboard/payments/{session.Id}");
        Assert.Contains("Forty credits", payment, StringComparison.Ordinal);
        Assert.Contains("status-open", payment, StringComparison.Ordinal);

        var paid = await PostAsync($"/dashboard/payments/{session.Id}", ("action", "pay"));
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.StartsWith($"/dashboard/payments/{session.Id}?notice=", paid.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal("complete", (await _stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).Status);
        await _sandbox.RunDueAsync();

        var after = await PageAsync(paid.Headers.Location.OriginalString);
        Assert.Contains("status-paid", after, StringComparison.Ordinal);
        Assert.Contains("checkout.session.completed", after, StringComparison.Ordinal);
        var deliveryId = (await _sandbox.DeliveriesAsync(session.Id))[0]!["id"]!.GetValue<string>();
        var sent = CallbackDispatcher.BodyText(_sandbox.Server.Context.Dispatcher.Get(deliveryId)!.Body);
        var webhook = receiver.All.Single(r => r.Body == sent);
        var delivery = await PageAsync($"/dashboard/deliveries/{deliveryId}");
        Assert.Contains("200 (acknowledged)", delivery, StringComparison.Ordinal);
        Assert.Contains("received by the merchant", delivery, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(webhook.Header("Stripe-Signature")), delivery, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(webhook.Body), delivery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_return_url_is_cut_short_in_the_notice_so_the_page_it_leads_to_still_loads()
    {
        var session = await _stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = "price_HarnessCredits", Quantity = 1 }],
            SuccessUrl = "https://merchant.example/done?state=" + new string('s', 4_000),
        }, cancellationToken: Ct);

        var paid = await PostAsync($"/dashboard/payments/{session.Id}", ("action", "pay"));

        var location = paid.Headers.Location!.OriginalString;
        Assert.True(location.Length < 1_500, $"{location.Length} characters");
        Assert.EndsWith(Uri.EscapeDataString("…"), location, StringComparison.Ordinal);
        Assert.Contains("status-paid", await PageAsync(location), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resend_makes_a_second_attempt_with_the_same_body_and_says_how_it_was_answered()
    {
        await using var receiver = await Receiver.StartAsync();
        await _sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var session = await CreateSessionAsync("Resent credits");
        await _sandbox.ActAsync(session.Id, "pay");
        await _sandbox.RunDueAsync();
        var delivery = (await _sandbox.DeliveriesAsync(session.Id))[0]!;
        var (deliveryId, body) = (delivery["id"]!.GetValue<string>(), delivery["body"]!.GetValue<string>());

        receiver.Default = (500, "try later");
        var resent = await PostAsync($"/dashboard/deliveries/{deliveryId}/resend");
        Assert.Equal(HttpStatusCode.Redirect, resent.StatusCode);
        Assert.Equal(2, receiver.All.Count(r => r.Body == body));

        var page = await PageAsync(resent.Headers.Location!.OriginalString);
        Assert.Contains("Resent: attempt 2 answered 500, not acknowledged.", page, StringComparison.Ordinal);
        Assert.Contains("Attempt 2 · resend", page, StringComparison.Ordinal);
        Assert.Contains("try later", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/dashboard/deliveries/no-such-delivery/resend")).StatusCode);
    }

    [Fact]
    public async Task A_wechat_pay_notification_shows_its_resource_decrypted_beside_the_ciphertext_sent()
    {
        await using var receiver = await Receiver.StartAsync();
        var wechat = await WeChatPayTests.WireAsync(_sandbox);
        var paymentId = await WeChatPayTests.PlaceAsync(_sandbox, wechat, WeChatPayTests.Order(wechat, "dash_wx_1", receiver.Url));
        await _sandbox.ActAsync(paymentId, "pay");
        await _sandbox.RunDueAsync();
        var delivery = (await _sandbox.DeliveriesAsync(paymentId)).Single()!;

        var page = await PageAsync($"/dashboard/deliveries/{delivery["id"]!.GetValue<string>()}");

        Assert.Contains("AEAD_AES_256_GCM", page, StringComparison.Ordinal);
        var readable = page[page.IndexOf("id=\"readable\"", StringComparison.Ordinal)..];
        Assert.Contains("&quot;out_trade_no&quot;: &quot;dash_wx_1&quot;", readable, StringComparison.Ordinal);
        Assert.Contains("&quot;trade_state&quot;: &quot;SUCCESS&quot;", readable, StringComparison.Ordinal);
        Assert.Contains("&quot;attach&quot;: &quot;user=alice&quot;", readable, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"readable\"", await PageAsync($"/dashboard/deliveries/{await StripeDeliveryAsync()}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payment_page_shows_the_providers_own_object_as_its_api_answers_for_it()
    {
        var (session, checkout, epayTrade, alipayTrade) = await HostileInputTests.PaymentsToAimAtAsync(_sandbox) switch
        {
            [var a, var b, var c, var d] => (a, b, c, d),
            var other => throw new InvalidOperationException($"{other.Length} payments"),
        };
        var wechat = await WeChatPayTests.WireAsync(_sandbox);
        var wechatPayment = await WeChatPayTests.PlaceAsync(_sandbox, wechat, WeChatPayTests.Order(wechat, "dash_wx_2", "https://merchant.example/notify"));
        using var tappay = new TapPayClient(_sandbox);
        var body = TapPayClient.PrimeBody(await tappay.PrimeAsync("4000000000003220"), 2500);
        body["three_domain_secure"] = true;
        body["result_url"] = new JsonObject { ["frontend_redirect_url"] = "https://merchant.example/done", ["backend_notify_url"] = "https://merchant.example/notify" };
        var tappayTrade = (await tappay.PayAsync(body)).Text("rec_trade_id");
        await _sandbox.ActAsync(session, "pay");

        (string Payment, string Shows)[] expected =
        [
            (session, "&quot;payment_status&quot;: &quot;paid&quot;"),
            (checkout, $"&quot;id&quot;: &quot;{checkout}&quot;"),
            (epayTrade, $"&quot;trade_no&quot;: &quot;{epayTrade}&quot;"),
            (alipayTrade, "&quot;out_trade_no&quot;: &quot;HOSTILE_1&quot;"),
            (wechatPayment, "&quot;trade_state&quot;: &quot;NOTPAY&quot;"),
            (tappayTrade, $"&quot;rec_trade_id&quot;: &quot;{tappayTrade}&quot;"),
        ];
        foreach (var (payment, shows) in expected)
        {
            var page = await PageAsync($"/dashboard/payments/{payment}");
            var shown = page[page.IndexOf("id=\"provider-object\"", StringComparison.Ordinal)..];
            Assert.Contains(shows, shown, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Stripe_and_creem_subscriptions_are_renewed_and_made_to_decline_from_the_subscriptions_page()
    {
        var session = await _stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = "price_HarnessProMonthly", Quantity = 1 }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        await _sandbox.ActAsync(session.Id, "pay");
        var stripeSubscription = (await _stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).SubscriptionId;
        var creemSubscription = await HostileInputTests.CreemSubscriptionAsync(_sandbox);

        var page = await PageAsync("/dashboard/subscriptions");
        Assert.Contains(stripeSubscription, page[page.IndexOf("id=\"subscriptions-stripe\"", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains(creemSubscription, page[page.IndexOf("id=\"subscriptions-creem\"", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.DoesNotContain("subscriptions-epay", page, StringComparison.Ordinal);

        var declining = await PostAsync($"/dashboard/subscriptions/stripe/{stripeSubscription}/charges", ("fail", "true"), ("end_state", "unpaid"));
        Assert.Equal(HttpStatusCode.Redirect, declining.StatusCode);
        Assert.Contains("decline, then unpaid", await PageAsync("/dashboard/subscriptions"), StringComparison.Ordinal);
        var renewed = await PostAsync($"/dashboard/subscriptions/stripe/{stripeSubscription}/renew");
        Assert.Equal(HttpStatusCode.Redirect, renewed.StatusCode);
        Assert.Equal("past_due", (await _stripe.V1.Subscriptions.GetAsync(stripeSubscription, cancellationToken: Ct)).Status);
        var succeeding = await PostAsync($"/dashboard/subscriptions/stripe/{stripeSubscription}/charges", ("fail", "false"));
        Assert.Contains("its charges succeed again", Uri.UnescapeDataString(succeeding.Headers.Location!.OriginalString), StringComparison.Ordinal);
        Assert.DoesNotContain("decline, then", await PageAsync("/dashboard/subscriptions"), StringComparison.Ordinal);

        var creemBefore = (await _sandbox.GetArrayAsync("/control/creem/subscriptions"))[0]!["current_period_end"]!.GetValue<DateTimeOffset>();
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync($"/dashboard/subscriptions/creem/{creemSubscription}/renew")).StatusCode);
        Assert.True((await _sandbox.GetArrayAsync("/control/creem/subscriptions"))[0]!["current_period_end"]!.GetValue<DateTimeOffset>() > creemBefore);

        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync($"/dashboard/subscriptions/creem/{creemSubscription}/charges", ("fail", "true"), ("end_state", "past_due"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync($"/dashboard/subscriptions/creem/{creemSubscription}/charges", ("fail", "maybe"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/dashboard/subscriptions/creem/sub_none/renew")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/dashboard/subscriptions/epay/x/renew")).StatusCode);
    }

    [Fact]
    public async Task Lists_are_newest_first_a_page_at_a_time_and_filter_by_provider_and_status()
    {
        var sessions = new List<Session>();
        for (var i = 0; i < DashboardPages.PageSize + 2; i++)
        {
            sessions.Add(await CreateSessionAsync($"Order {i:000}"));
            _sandbox.Server.Context.Clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        await _sandbox.ActAsync(sessions[3].Id, "pay");
        var first = await PageAsync("/dashboard/payments");
        Assert.True(first.IndexOf("Order 051", StringComparison.Ordinal) < first.IndexOf("Order 050", StringComparison.Ordinal));
        Assert.DoesNotContain("Order 001", first, StringComparison.Ordinal);
        Assert.Contains($"/dashboard/payments?before={sessions[2].Id}", first, StringComparison.Ordinal);

        var second = await PageAsync($"/dashboard/payments?before={sessions[2].Id}");
        Assert.Contains("Order 001", second, StringComparison.Ordinal);
        Assert.Contains("Order 000", second, StringComparison.Ordinal);
        Assert.DoesNotContain("Order 002", second, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"older\"", second, StringComparison.Ordinal);

        var paid = await PageAsync("/dashboard/payments?provider=stripe&status=paid");
        Assert.Contains("Order 003", paid, StringComparison.Ordinal);
        Assert.DoesNotContain("Order 004", paid, StringComparison.Ordinal);
        Assert.Contains("No payments.", await PageAsync("/dashboard/payments?provider=epay"), StringComparison.Ordinal);
        Assert.Contains("Order 051", await PageAsync("/dashboard/payments?provider=&status="), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.BadRequest, (await _browser.GetAsync("/dashboard/payments?status=settled", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _browser.GetAsync("/dashboard/payments?provider=paypal", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _browser.GetAsync("/dashboard/payments?before=cs_nothing", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _browser.GetAsync("/dashboard/payments/cs_nothing", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _browser.GetAsync("/dashboard/deliveries?status=lost", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_merchants_text_is_shown_as_text_never_as_markup()
    {
        var session = await CreateSessionAsync("<script>alert('x')</script>");

        var page = await PageAsync($"/dashboard/payments/{session.Id}");
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", await PageAsync("/dashboard/payments?notice=%3Cscript%3E"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_are_added_checked_and_removed_through_the_form_and_an_added_one_fires()
    {
        var refused = await PostAsync("/dashboard/faults", ("kind", "meltdown"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("kind must be one of latency, server_error, duplicate", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var badStatus = await PostAsync("/dashboard/faults", ("kind", "server_error"), ("status", "418"));
        Assert.Contains("status must be 500 or 503", await badStatus.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(_sandbox.Server.Context.Faults.List());

        var added = await PostAsync("/dashboard/faults", ("kind", "server_error"), ("provider", "stripe"), ("count", "1"), ("status", "503"), ("payment_id", ""));
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var rule = Assert.Single(_sandbox.Server.Context.Faults.List());
        Assert.Equal((Faults.FaultKind.ServerError, "stripe", 1, 503, null), (rule.Kind, rule.Provider, rule.Remaining, rule.Status, rule.PaymentId));
        using (var http = StripeErrorTests.Http(_sandbox))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/v1/checkout/sessions", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/checkout/sessions", Ct)).StatusCode);
        }

        Assert.Contains(rule.Id, await PageAsync("/dashboard/faults"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync($"/dashboard/faults/{rule.Id}/remove")).StatusCode);
        Assert.Empty(_sandbox.Server.Context.Faults.List());
        await _sandbox.AddFaultAsync(new { kind = "latency", seconds = 1 });
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync("/dashboard/faults/clear")).StatusCode);
        Assert.Empty(_sandbox.Server.Context.Faults.List());
    }

    [Fact]
    public async Task The_clock_moves_forward_by_the_form_and_refuses_what_the_control_api_refuses()
    {
        var moved = await PostAsync("/dashboard/clock", ("seconds", "3600"));
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), _sandbox.Server.Context.Clock.Offset);
        Assert.Contains("moved the clock 1h", Uri.UnescapeDataString(moved.Headers.Location!.OriginalString), StringComparison.Ordinal);
        Assert.Contains("2026-11-23 13:00:00 UTC (real time +1h)", await PageAsync(DashboardEndpoints.Root), StringComparison.Ordinal);

        var words = await PostAsync("/dashboard/clock", ("seconds", "an hour"));
        Assert.Equal(HttpStatusCode.BadRequest, words.StatusCode);
        var tooFar = await PostAsync("/dashboard/clock", ("seconds", "99999999"));
        Assert.Contains("seconds must be between 0 and one year", await tooFar.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync("/dashboard/clock", ("run_due", "true"))).StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), _sandbox.Server.Context.Clock.Offset);
    }

    [Fact]
    public async Task Settings_are_set_checked_and_removed_per_provider()
    {
        var page = await PageAsync("/dashboard/providers/epay");
        Assert.Contains("<option value=\"mapi_answer\">", page, StringComparison.Ordinal);
        Assert.Contains(_sandbox.BaseUrl("epay"), page, StringComparison.Ordinal);

        var badUrl = await PostAsync("/dashboard/providers/epay", ("name", "webhook_url"), ("value", "ftp://merchant.example/notify"));
        Assert.Equal(HttpStatusCode.BadRequest, badUrl.StatusCode);
        Assert.Contains("webhook_url must be an absolute http or https URL", await badUrl.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var badMethod = await PostAsync("/dashboard/providers/epay", ("name", "notify_method"), ("value", "PUT"));
        Assert.Contains("notify_method must be GET or POST", await badMethod.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("/dashboard/providers/epay", ("name", " "), ("value", "x"))).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync("/dashboard/providers/epay", ("name", "notify_method"), ("value", "POST"))).StatusCode);
        Assert.Equal("POST", _sandbox.Server.Context.Settings.Get("epay", "notify_method"));
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync("/dashboard/providers/epay", ("name", "notify_method"), ("value", ""))).StatusCode);
        Assert.Null(_sandbox.Server.Context.Settings.Get("epay", "notify_method"));
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/dashboard/providers/paypal", ("name", "webhook_url"), ("value", "http://x.example/"))).StatusCode);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "http://merchant.example")]
    [InlineData("Origin", "null")]
    public async Task A_form_posted_from_another_site_changes_nothing(string header, string value)
    {
        var session = await CreateSessionAsync("Not yours to pay");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/dashboard/payments/{session.Id}")
        {
            Content = new FormUrlEncodedContent([new("action", "pay")]),
        };
        request.Headers.TryAddWithoutValidation(header, value);

        var response = await _browser.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("open", (await _stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Whatever_a_form_carries_every_change_answers_4xx_not_5xx()
    {
        var session = await CreateSessionAsync("Fuzzed");
        string[] paths =
        [
            $"/dashboard/payments/{session.Id}", "/dashboard/clock", "/dashboard/faults", "/dashboard/providers/stripe",
            "/dashboard/faults/f_none/remove", "/dashboard/deliveries/dlv_none/resend", "/dashboard/payments/%00",
        ];
        HttpContent[] bodies =
        [
            new StringContent("{\"action\":\"pay\"}", System.Text.Encoding.UTF8, "application/json"),
            new StringContent("", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
            new StringContent("action=pay&action=fail&seconds=-1&kind=latency&seconds=9999999999&count=0", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
            new StringContent("seconds=1e3&name=%00&value=%FF&kind=%E2%80%8B", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
            new ByteArrayContent([0xFF, 0xFE, 0x00]) { Headers = { { "Content-Type", "multipart/form-data; boundary=x" } } },
        ];

        foreach (var path in paths)
        {
            foreach (var body in bodies)
            {
                var response = await _browser.PostAsync(path, body, Ct);
                Assert.True((int)response.StatusCode < 500, $"{path} with {body.Headers.ContentType}: {(int)response.StatusCode}");
            }
        }

        Assert.Equal("open", (await _stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).Status);
        Assert.Equal(TimeSpan.Zero, _sandbox.Server.Context.Clock.Offset);
        Assert.Empty(_sandbox.Server.Context.Faults.List());
    }

    private async Task<string> StripeDeliveryAsync()
    {
        await _sandbox.SetWebhookUrlAsync("stripe", "http://127.0.0.1:9/stripe");
        var session = await CreateSessionAsync("Plain JSON");
        await _sandbox.ActAsync(session.Id, "pay");
        return (await _sandbox.DeliveriesAsync(session.Id))[0]!["id"]!.GetValue<string>();
    }

    private async Task<Session> CreateSessionAsync(string name) =>
        await _stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems =
            [
                new SessionLineItemOptions
                {
                    PriceData = new SessionLineItemPriceDataOptions { Currency = "usd", UnitAmount = 4000, ProductData = new() { Name = name } },
                    Quantity = 1,
                },
            ],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);

    private async Task<string> PageAsync(string path)
    {
        var response = await _browser.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] fields) =>
        await _browser.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))), Ct);
}
