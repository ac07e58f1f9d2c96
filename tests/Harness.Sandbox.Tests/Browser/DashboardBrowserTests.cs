using Harness.Sandbox.Dashboard;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Common;
using Harness.Sandbox.Tests.Support;
using Microsoft.Playwright;
using global::Stripe;
using global::Stripe.Checkout;

namespace Harness.Sandbox.Tests.Browser;

/// <summary>
/// A real Chromium works the dashboard as a person would: its forms pass the same-site check because the browser says
/// where they come from, and every change lands back on the page that shows it.
/// </summary>
public sealed class DashboardBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task From_the_overview_a_person_pays_a_session_reads_its_webhook_and_resends_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "ok from the merchant");
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = "price_HarnessCredits", Quantity = 3 }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);

        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(sandbox.Server.ControlBaseUrl);
        Assert.EndsWith(DashboardEndpoints.Root, page.Url, StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = session.Id }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay", Exact = true }).ClickAsync();

        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("https://merchant.example/done");
        await Assertions.Expect(page.Locator(".status").First).ToHaveTextAsync("paid");
        await sandbox.RunDueAsync();
        var body = (await sandbox.DeliveriesAsync(session.Id))[0]!["body"]!.GetValue<string>();
        Assert.Contains("checkout.session.completed", body, StringComparison.Ordinal);

        await page.Locator("#deliveries a").First.ClickAsync();
        await Assertions.Expect(page.Locator("#attempt-1 .answer")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^200 \\(acknowledged\\)"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Resend now" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToHaveTextAsync("Resent: attempt 2 answered 200, acknowledged.");
        await Assertions.Expect(page.Locator("#attempt-2")).ToContainTextAsync("resend");
        Assert.Equal(2, receiver.All.Count(r => r.Body == body));
    }

    [Fact]
    public async Task A_person_adds_a_fault_with_the_form_moves_the_clock_and_sets_a_webhook_url()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(sandbox.Server.ControlBaseUrl + DashboardEndpoints.Root + "/faults");

        await page.Locator("#kind").SelectOptionAsync("duplicate");
        await page.Locator("#provider").SelectOptionAsync("epay");
        await page.Locator("#count").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add fault" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("Added fault");
        var rule = Assert.Single(sandbox.Server.Context.Faults.List());
        Assert.Equal((Faults.FaultKind.Duplicate, "epay", 2), (rule.Kind, rule.Provider, rule.Remaining));

        await page.GetByRole(AriaRole.Link, new() { Name = "Harness sandbox" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "+1 day" }).ClickAsync();
        await Assertions.Expect(page.Locator("#clock")).ToContainTextAsync("2026-11-24 12:00:00 UTC");

        await page.GetByRole(AriaRole.Link, new() { Name = "Creem" }).ClickAsync();
        await page.Locator("#setting-name").FillAsync("webhook_url");
        await page.Locator("#setting-value").FillAsync("http://127.0.0.1:9/creem");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set" }).ClickAsync();
        await Assertions.Expect(page.Locator("#settings")).ToContainTextAsync("http://127.0.0.1:9/creem");
        Assert.Equal("http://127.0.0.1:9/creem", sandbox.Server.Context.Settings.Get("creem", "webhook_url"));
    }

    [Fact]
    public async Task A_person_makes_a_creem_subscriptions_charges_decline_and_renews_it_from_the_subscriptions_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var subscription = await HostileInputTests.CreemSubscriptionAsync(sandbox);
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(sandbox.Server.ControlBaseUrl + DashboardEndpoints.Root);
        await page.GetByRole(AriaRole.Link, new() { Name = "Subscriptions" }).ClickAsync();

        var row = page.Locator("#subscriptions-creem tr", new() { HasText = subscription });
        await row.GetByLabel("End state").SelectOptionAsync("unpaid");
        await row.GetByRole(AriaRole.Button, new() { Name = "Decline its charges" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("then it is unpaid");
        await Assertions.Expect(row).ToContainTextAsync("decline, then unpaid");

        await row.GetByRole(AriaRole.Button, new() { Name = "Renew now" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync($"{subscription}: its renewal ran; it is ");
        Assert.True((await sandbox.GetArrayAsync("/control/creem/subscriptions"))[0]!["failing"]!.GetValue<bool>());
    }
}
