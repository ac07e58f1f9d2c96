using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// What a payment link's url does, over HTTP as a browser opens it: a Checkout Session carrying <c>payment_link</c>,
/// paid on the hosted pay page; adjustable quantities, the completed-session limit, promotion codes and a restart.
/// </summary>
public sealed partial class StripePaymentLinkTests
{
    internal static HttpClient Browser(TestSandbox sandbox) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };

    /// <summary>Opens the link (posting <paramref name="form"/> when given) and returns the session id its redirect names.</summary>
    internal static async Task<string> OpenAsync(HttpClient browser, PaymentLink link, Dictionary<string, string>? form = null)
    {
        using var opened = form is null ? await browser.GetAsync(link.Url, Ct) : await browser.PostAsync(link.Url, new FormUrlEncodedContent(form), Ct);
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        var location = opened.Headers.Location!.ToString();
        Assert.Contains("/pay/cs_test_", location, StringComparison.Ordinal);
        return location[(location.LastIndexOf('/') + 1)..];
    }

    internal static async Task<HttpResponseMessage> PayAsync(HttpClient browser, string sessionId) =>
        await browser.PostAsync($"/pay/{sessionId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["action"] = "pay", ["card_number"] = "4242424242424242", ["card_expiry"] = "12 / 34", ["card_cvc"] = "123",
        }), Ct);

    [Fact]
    public async Task Opening_the_url_makes_a_session_with_payment_link_and_paying_it_sends_checkout_session_completed_carrying_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        using var browser = Browser(sandbox);
        var link = await LinkAsync(stripe, quantity: 5, options: new PaymentLinkCreateOptions
        {
            Metadata = new Dictionary<string, string> { ["plan"] = "credits-5" },
            AfterCompletion = new PaymentLinkAfterCompletionOptions
            {
                Type = "hosted_confirmation", HostedConfirmation = new PaymentLinkAfterCompletionHostedConfirmationOptions { CustomMessage = "Your credits are on their way." },
            },
            PaymentIntentData = new PaymentLinkPaymentIntentDataOptions { Description = "Credit top-up", Metadata = new Dictionary<string, string> { ["source"] = "link" } },
            CustomerCreation = "always",
        });

        var sessionId = await OpenAsync(browser, link);
        var session = await stripe.V1.Checkout.Sessions.GetAsync(sessionId, cancellationToken: Ct);
        Assert.Equal((link.Id, "payment", "open", 500L, "credits-5"), (session.PaymentLinkId, session.Mode, session.Status, session.AmountTotal, session.Metadata["plan"]));

        using (var paid = await PayAsync(browser, sessionId))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
            Assert.Contains("Your credits are on their way.", await paid.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "checkout.session.completed") == 1 && Count(e, "payment_intent.succeeded") == 1);
        var completed = Assert.IsType<Session>(events.Single(e => e.Type == "checkout.session.completed").Data.Object);
        Assert.Equal((sessionId, link.Id, "paid"), (completed.Id, completed.PaymentLinkId, completed.PaymentStatus));
        Assert.NotNull(completed.CustomerId);
        var intent = await stripe.V1.PaymentIntents.GetAsync(completed.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal((500L, "Credit top-up", "link"), (intent.Amount, intent.Description, intent.Metadata["source"]));

        var other = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment", LineItems = [new SessionLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 1 }], SuccessUrl = "https://merchant.example/ok",
        }, cancellationToken: Ct);
        Assert.Null(other.PaymentLinkId);
        var listed = await stripe.V1.Checkout.Sessions.ListAsync(new SessionListOptions { PaymentLink = link.Id }, cancellationToken: Ct);
        Assert.Equal([sessionId], listed.Data.Select(s => s.Id));
    }

    [Fact]
    public async Task A_link_of_a_recurring_price_opens_a_subscription_checkout_that_starts_the_subscription_and_redirects()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        using var browser = Browser(sandbox);
        var link = await LinkAsync(stripe, StripeCatalog.MonthlyPrice, options: new PaymentLinkCreateOptions
        {
            SubscriptionData = new PaymentLinkSubscriptionDataOptions { TrialPeriodDays = 7, Metadata = new Dictionary<string, string> { ["creator"] = "ada" } },
            AfterCompletion = new PaymentLinkAfterCompletionOptions
            {
                Type = "redirect", Redirect = new PaymentLinkAfterCompletionRedirectOptions { Url = "https://merchant.example/welcome?session={CHECKOUT_SESSION_ID}" },
            },
        });
        Assert.Equal((7L, "ada"), (link.SubscriptionData.TrialPeriodDays, link.SubscriptionData.Metadata["creator"]));
        Assert.Null(link.InvoiceCreation);

        var sessionId = await OpenAsync(browser, link);
        using (var paid = await PayAsync(browser, sessionId))
        {
            Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
            Assert.Equal($"https://merchant.example/welcome?session={sessionId}", paid.Headers.Location!.ToString());
        }

        var session = await stripe.V1.Checkout.Sessions.GetAsync(sessionId, cancellationToken: Ct);
        Assert.Equal(("subscription", "complete", link.Id), (session.Mode, session.Status, session.PaymentLinkId));
        var subscription = await stripe.V1.Subscriptions.GetAsync(session.SubscriptionId, cancellationToken: Ct);
        Assert.Equal(("trialing", "ada", StripeCatalog.MonthlyPrice), (subscription.Status, subscription.Metadata["creator"], subscription.Items.Data.Single().Price.Id));
    }

    [Fact]
    public async Task An_adjustable_quantity_is_chosen_on_the_link_page_within_its_range()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        using var browser = Browser(sandbox);
        var link = await LinkAsync(stripe, options: new PaymentLinkCreateOptions
        {
            LineItems =
            [
                new PaymentLinkLineItemOptions
                {
                    Price = StripeCatalog.CreditsPrice, Quantity = 2, AdjustableQuantity = new PaymentLinkLineItemAdjustableQuantityOptions { Enabled = true, Minimum = 1, Maximum = 10 },
                },
            ],
        });
        var line = (await stripe.V1.PaymentLinks.LineItems.ListAsync(link.Id, cancellationToken: Ct)).Data.Single();

        using (var form = await browser.GetAsync(link.Url, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            Assert.Contains($"name=\"quantity_{line.Id}\" value=\"2\" min=\"1\" max=\"10\"", await form.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using (var tooMany = await browser.PostAsync(link.Url, new FormUrlEncodedContent(new Dictionary<string, string> { [$"quantity_{line.Id}"] = "11" }), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
            Assert.Contains("from 1 to 10", await tooMany.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Empty((await stripe.V1.Checkout.Sessions.ListAsync(new SessionListOptions { PaymentLink = link.Id }, cancellationToken: Ct)).Data);
        var sessionId = await OpenAsync(browser, link, new Dictionary<string, string> { [$"quantity_{line.Id}"] = "7" });
        var session = await stripe.V1.Checkout.Sessions.GetAsync(sessionId, new SessionGetOptions { Expand = ["line_items"] }, cancellationToken: Ct);
        Assert.Equal((700L, 7L), (session.AmountTotal, session.LineItems.Data.Single().Quantity));
    }

    [Fact]
    public async Task Concurrent_pays_are_counted_exactly_and_a_link_at_its_limit_or_deactivated_shows_its_inactive_message()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        using var browser = Browser(sandbox);
        var link = await LinkAsync(stripe, options: new PaymentLinkCreateOptions
        {
            Restrictions = new PaymentLinkRestrictionsOptions { CompletedSessions = new PaymentLinkRestrictionsCompletedSessionsOptions { Limit = 4 } },
            InactiveMessage = "All seats are taken.",
        });

        var sessions = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            sessions.Add(await OpenAsync(browser, link));
        }

        await Task.WhenAll(sessions.Select(id => sandbox.ActAsync(id, "pay")));
        var counted = await stripe.V1.PaymentLinks.GetAsync(link.Id, cancellationToken: Ct);
        Assert.Equal((4L, 4L, true), (counted.Restrictions.CompletedSessions.Count, counted.Restrictions.CompletedSessions.Limit, counted.Active));

        using (var full = await browser.GetAsync(link.Url, Ct))
        {
            Assert.Equal(HttpStatusCode.Gone, full.StatusCode);
            Assert.Contains("All seats are taken.", await full.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Equal(4, (await stripe.V1.Checkout.Sessions.ListAsync(new SessionListOptions { PaymentLink = link.Id }, cancellationToken: Ct)).Data.Count);

        // A higher limit opens it again; deactivating closes it whatever the count.
        await stripe.V1.PaymentLinks.UpdateAsync(link.Id, new PaymentLinkUpdateOptions
        {
            Restrictions = new PaymentLinkRestrictionsOptions { CompletedSessions = new PaymentLinkRestrictionsCompletedSessionsOptions { Limit = 5 } },
        }, cancellationToken: Ct);
        await OpenAsync(browser, link);
        await stripe.V1.PaymentLinks.UpdateAsync(link.Id, new PaymentLinkUpdateOptions { Active = false, InactiveMessage = "Closed." }, cancellationToken: Ct);
        using var closed = await browser.GetAsync(link.Url, Ct);
        Assert.Equal(HttpStatusCode.Gone, closed.StatusCode);
        Assert.Contains("Closed.", await closed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(5, (await stripe.V1.Checkout.Sessions.ListAsync(new SessionListOptions { PaymentLink = link.Id }, cancellationToken: Ct)).Data.Count);
        using var unknown = await browser.GetAsync("/buy/test_missing", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_link_allowing_promotion_codes_opens_sessions_whose_page_takes_one()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        using var browser = Browser(sandbox);
        await StripeDiscountTests.CouponAsync(stripe, "HALF", percent: 50);
        await StripeDiscountTests.CodeAsync(stripe, "HALF", "LINKHALF");
        var link = await LinkAsync(stripe, quantity: 4, options: new PaymentLinkCreateOptions { AllowPromotionCodes = true });
        Assert.True(link.AllowPromotionCodes);

        var sessionId = await OpenAsync(browser, link);
        Assert.True((await stripe.V1.Checkout.Sessions.GetAsync(sessionId, cancellationToken: Ct)).AllowPromotionCodes);
        using var applied = await browser.PostAsync($"/pay/{sessionId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["action"] = "apply-promotion-code", ["promotion_code"] = "LINKHALF",
        }), Ct);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        using var paid = await PayAsync(browser, sessionId);
        var session = await stripe.V1.Checkout.Sessions.GetAsync(sessionId, cancellationToken: Ct);
        Assert.Equal(("complete", 200L, link.Id), (session.Status, session.AmountTotal, session.PaymentLinkId));
    }

    [Fact]
    public async Task A_link_and_its_count_survive_a_restart_and_its_url_still_opens_a_session()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions { DataDirectory = data, BasePort = 0 };
        string linkId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            var link = await before.V1.PaymentLinks.CreateAsync(new PaymentLinkCreateOptions
            {
                LineItems = [new PaymentLinkLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 1 }],
                Restrictions = new PaymentLinkRestrictionsOptions { CompletedSessions = new PaymentLinkRestrictionsCompletedSessionsOptions { Limit = 2 } },
            }, cancellationToken: Ct);
            linkId = link.Id;
            using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            using var opened = await browser.GetAsync(link.Url, Ct);
            var sessionId = opened.Headers.Location!.ToString().Split('/')[^1];
            using var control = new HttpClient { BaseAddress = new Uri(first.ControlBaseUrl) };
            using var paid = await control.PostAsync($"/control/payments/{sessionId}/pay", null, Ct);
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            var link = await stripe.V1.PaymentLinks.GetAsync(linkId, cancellationToken: Ct);
            Assert.Equal(1L, link.Restrictions.CompletedSessions.Count);
            Assert.StartsWith(second.ControlBaseUrl, link.Url);
            using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            using var opened = await browser.GetAsync(link.Url, Ct);
            Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
            var session = await stripe.V1.Checkout.Sessions.GetAsync(opened.Headers.Location!.ToString().Split('/')[^1], cancellationToken: Ct);
            Assert.Equal(linkId, session.PaymentLinkId);
        }

        Directory.Delete(data, recursive: true);
    }
}
