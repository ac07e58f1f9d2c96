using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Epay;
using Harness.Sandbox.Tests.Support;
using Microsoft.Playwright;
using global::Stripe;
using global::Stripe.Checkout;

namespace Harness.Sandbox.Tests.Browser;

/// <summary>
/// A real Chromium (the system one, driven by Playwright) plays the buyer on the hosted pay pages.
/// Arrival at the merchant is checked by polling the page's URL: <c>WaitForURLAsync</c> missed a
/// redirect that completed while it was being set up now and then, and timed out on a page that was
/// already there.
/// </summary>
public sealed class HostedPayPageBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly PageAssertionsToHaveURLOptions Arrival = new() { Timeout = 30_000 };

    [Fact]
    public async Task Paying_with_the_success_card_lands_on_the_merchants_success_page_and_the_session_is_complete()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var merchant = await Receiver.StartAsync("/done");
        merchant.Default = (200, "Thank you, order complete");
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = "price_HarnessCredits", Quantity = 5 }],
            SuccessUrl = merchant.Url + "?session_id={CHECKOUT_SESSION_ID}",
            CancelUrl = merchant.Url.Replace("/done", "/cancel", StringComparison.Ordinal),
        }, cancellationToken: Ct);

        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(session.Url);
        Assert.Equal("5.00 USD", await page.Locator("#amount").InnerTextAsync());
        await PayWithCardAsync(page, "4242 4242 4242 4242");
        await Assertions.Expect(page).ToHaveURLAsync(merchant.Url + "?session_id=" + session.Id, Arrival);

        await page.GetByText("order complete").WaitForAsync();
        Assert.Equal("complete", (await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task The_decline_card_shows_the_error_on_the_page_and_the_session_stays_open()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var session = await CreateSessionAsync(stripe, "https://merchant.example/done");

        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(session.Url);
        await Assertions.Expect(page.Locator("#test-cards")).ToContainTextAsync("4000 0000 0000 0002");
        await PayWithCardAsync(page, "4000000000000002");

        Assert.Equal("Your card was declined.", await page.Locator("#notice").InnerTextAsync());
        Assert.Equal("open", await page.Locator("#status").InnerTextAsync());
        Assert.Equal("open", (await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).Status);
        Assert.Equal(1, (await sandbox.GetJsonAsync($"/control/payments/{session.Id}"))["declines"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_3DS_card_pays_after_the_buyer_completes_authentication()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var merchant = await Receiver.StartAsync("/done");
        merchant.Default = (200, "Thank you, order complete");
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var session = await CreateSessionAsync(stripe, merchant.Url);

        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(session.Url);
        await PayWithCardAsync(page, "4000 0000 0000 3220");
        await page.GetByRole(AriaRole.Heading, new() { Name = "3-D Secure authentication" }).WaitForAsync();
        Assert.Equal("open", (await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).Status);
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete authentication" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(merchant.Url, Arrival);
        Assert.Equal("complete", (await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).Status);
        Assert.Equal("3220", (await sandbox.GetJsonAsync($"/control/payments/{session.Id}"))["card_last4"]!.GetValue<string>());
    }

    [Fact]
    public async Task Clicking_Cancel_returns_to_the_merchants_cancel_page_and_the_session_stays_open()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var merchant = await Receiver.StartAsync("/cancel");
        merchant.Default = (200, "Checkout canceled");
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = "price_HarnessCredits", Quantity = 1 }],
            SuccessUrl = merchant.Url.Replace("/cancel", "/done", StringComparison.Ordinal),
            CancelUrl = merchant.Url,
        }, cancellationToken: Ct);

        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(session.Url);
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Fail" }).CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(merchant.Url, Arrival);

        await page.GetByText("Checkout canceled").WaitForAsync();
        Assert.Equal("open", (await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Fail_shows_a_decline_and_Epay_pay_then_returns_with_signed_parameters()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var merchant = await Receiver.StartAsync("/return");
        merchant.Default = (200, "Back at the merchant");
        var order = EpayTests.Order("https://merchant.example/notify");
        order["return_url"] = merchant.Url;
        order = EpayTests.Sign(order);

        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(sandbox.BaseUrl("epay") + "/submit.php", order!));
        await page.GetByRole(AriaRole.Button, new() { Name = "Fail" }).ClickAsync();
        Assert.Contains("declined", await page.Locator("#notice").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        // The merchant recorded the request before answering it, so arriving there is enough.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(merchant.Url + "?")), Arrival);

        var back = merchant.All.Single();
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(back.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal("TRADE_SUCCESS", query["trade_status"]);
        Assert.Equal(ProviderSignatures.EpayMd5(query, Harness.Sandbox.Epay.EpayProvider.Key), query["sign"]);
    }

    private static Task<Session> CreateSessionAsync(StripeClient stripe, string successUrl) =>
        stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = "price_HarnessCredits", Quantity = 1 }],
            SuccessUrl = successUrl,
        }, cancellationToken: Ct);

    /// <summary>Types a card into the labelled fields as a buyer would, then clicks Pay.</summary>
    private static async Task PayWithCardAsync(IPage page, string number)
    {
        await page.GetByLabel("Card number").FillAsync(number);
        await page.GetByLabel("Expiry").FillAsync("12 / 34");
        await page.GetByLabel("CVC").FillAsync("123");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay", Exact = true }).ClickAsync();
    }
}

/// <summary>One system Chromium for the class; each test gets its own browser context (cookies, pages).</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
