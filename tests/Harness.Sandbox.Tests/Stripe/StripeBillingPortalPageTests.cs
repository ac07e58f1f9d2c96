using System.Net;
using System.Text.RegularExpressions;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.BillingPortal;
using static Harness.Sandbox.Tests.Stripe.StripeBillingPortalTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// The hosted customer portal driven as plain form posts, as a browser would: cancels (at period end, and now with a
/// proration credit), a plan switch with its proration invoice, a new default card, billing details, the flows'
/// after_completion, and the refusals (a replayed form, a forged price, an expired or unknown session). Everything is
/// checked back through Stripe.net.
/// </summary>
public sealed partial class StripeBillingPortalPageTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static HttpClient Browser() => new(new SocketsHttpHandler { AllowAutoRedirect = false });

    private static async Task<(HttpStatusCode Status, string Html)> OpenAsync(HttpClient browser, string url)
    {
        using var response = await browser.GetAsync(url, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Posts the page's form for <paramref name="action"/> with the page's token; the status, <c>#notice</c>, HTML and redirect.</summary>
    private static async Task<(HttpStatusCode Status, string? Notice, string Html, Uri? Location)> SubmitAsync(
        HttpClient browser, string url, string page, string action, params (string Name, string Value)[] fields)
    {
        var form = new List<KeyValuePair<string, string>> { new("token", TokenOf(page)), new("action", action) };
        form.AddRange(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));
        using var response = await browser.PostAsync(url, new FormUrlEncodedContent(form), Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        var notice = NoticeElement().Match(html);
        return (response.StatusCode, notice.Success ? WebUtility.HtmlDecode(notice.Groups[1].Value) : null, html, response.Headers.Location);
    }

    private static string TokenOf(string html) => TokenField().Match(html).Groups[1].Value;

    private static Task<global::Stripe.BillingPortal.Session> SessionAsync(StripeClient stripe, string customer, string? configuration = null, SessionFlowDataOptions? flow = null) =>
        stripe.V1.BillingPortal.Sessions.CreateAsync(new SessionCreateOptions
        {
            Customer = customer,
            Configuration = configuration,
            ReturnUrl = "https://merchant.example/account",
            FlowData = flow,
        }, cancellationToken: Ct);

    private static async Task<List<Event>> EventsAsync(StripeClient stripe, string type) =>
        (await stripe.V1.Events.ListAsync(new EventListOptions { Type = type }, cancellationToken: Ct)).Data;

    [Fact]
    public async Task Cancel_at_period_end_records_the_reason_and_a_replayed_form_changes_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (customer, subscription) = await SubscribedAsync(stripe);
        var session = await SessionAsync(stripe, customer.Id);
        using var browser = Browser();

        var (status, page) = await OpenAsync(browser, session.Url);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(subscription.Id, page, StringComparison.Ordinal);
        Assert.Contains("Sandbox Pro, 9.99 USD per month", page, StringComparison.Ordinal);

        var (canceled, notice, after, _) = await SubmitAsync(browser, session.Url, page, "cancel", ("subscription", subscription.Id), ("reason", "too_expensive"));
        Assert.Equal((HttpStatusCode.OK, "Your subscription will be canceled at the end of the billing period."), (canceled, notice));
        Assert.Contains("Cancels on", after, StringComparison.Ordinal);

        var stored = await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal((true, "active", "too_expensive", "cancellation_requested"), (stored.CancelAtPeriodEnd, stored.Status, stored.CancellationDetails.Feedback, stored.CancellationDetails.Reason));
        var updated = (Subscription)Assert.Single(await EventsAsync(stripe, "customer.subscription.updated")).Data.Object;
        Assert.True(updated.CancelAtPeriodEnd);

        // The same form again (its token used up) is refused and changes nothing; so is a form without a token.
        var (replayed, _, replayHtml, _) = await SubmitAsync(browser, session.Url, page, "cancel", ("subscription", subscription.Id), ("reason", "unused"));
        Assert.Equal(HttpStatusCode.Conflict, replayed);
        Assert.Contains("already submitted", replayHtml, StringComparison.Ordinal);
        using var tokenless = await browser.PostAsync(session.Url, new FormUrlEncodedContent([new("action", "cancel"), new("subscription", subscription.Id)]), Ct);
        Assert.Equal(HttpStatusCode.Conflict, tokenless.StatusCode);
        Assert.Equal("too_expensive", (await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).CancellationDetails.Feedback);
        Assert.Single(await EventsAsync(stripe, "customer.subscription.updated"));
    }

    [Fact]
    public async Task An_immediate_cancel_under_create_prorations_credits_the_unused_time()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var configuration = await stripe.V1.BillingPortal.Configurations.CreateAsync(PlansConfiguration(cancelMode: "immediately"), cancellationToken: Ct);
        var (customer, subscription) = await SubscribedAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var session = await SessionAsync(stripe, customer.Id, configuration.Id);
        using var browser = Browser();
        var (_, page) = await OpenAsync(browser, session.Url);

        var (status, notice, _, _) = await SubmitAsync(browser, session.Url, page, "cancel", ("subscription", subscription.Id), ("reason", "unused"));

        Assert.Equal((HttpStatusCode.OK, "Your subscription has been canceled."), (status, notice));
        var stored = await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal(("canceled", "unused"), (stored.Status, stored.CancellationDetails.Feedback));
        Assert.Single(await EventsAsync(stripe, "customer.subscription.deleted"));
        // 15 of the period's 30 days unused: half of 9.99, rounded away from zero, pending for the customer's next invoice.
        var credit = Assert.Single((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true }, cancellationToken: Ct)).Data);
        Assert.Equal((-500L, true, "Unused time on Sandbox Pro after 08 Dec 2026"), (credit.Amount, credit.Proration, credit.Description));
    }

    [Fact]
    public async Task A_plan_switch_takes_only_the_configurations_prices_and_invoices_the_proration_at_once()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var configuration = await stripe.V1.BillingPortal.Configurations.CreateAsync(PlansConfiguration(), cancellationToken: Ct);
        var (customer, subscription) = await SubscribedAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var session = await SessionAsync(stripe, customer.Id, configuration.Id);
        using var browser = Browser();
        var (_, page) = await OpenAsync(browser, session.Url);

        var (forged, forgedNotice, refusedPage, _) = await SubmitAsync(browser, session.Url, page, "update", ("subscription", subscription.Id), ("price", StripeCatalog.YearlyPrice));
        Assert.Equal((HttpStatusCode.BadRequest, $"The price {StripeCatalog.YearlyPrice} is not one this portal lets you switch to."), (forged, forgedNotice));

        var (status, notice, _, _) = await SubmitAsync(browser, session.Url, refusedPage, "update", ("subscription", subscription.Id), ("price", StripeCatalog.TeamMonthlyPrice), ("quantity", "1"));

        Assert.Equal((HttpStatusCode.OK, "Your subscription has been updated."), (status, notice));
        var stored = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, stored.Items.Data[0].Price.Id);
        // always_invoice: the unused half of 9.99 (-5.00) and the remaining half of 29.99 (+15.00) on one invoice now.
        Assert.Equal(("subscription_update", 1000L), (stored.LatestInvoice.BillingReason, stored.LatestInvoice.AmountDue));
        Assert.NotEqual(subscription.LatestInvoiceId, stored.LatestInvoiceId);
        Assert.Single(await EventsAsync(stripe, "customer.subscription.updated"));
    }

    [Fact]
    public async Task A_new_test_card_is_saved_and_made_the_default_and_a_declining_one_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (customer, _) = await SubscribedAsync(stripe);
        var session = await SessionAsync(stripe, customer.Id);
        using var browser = Browser();
        var (_, page) = await OpenAsync(browser, session.Url);

        var (declined, declineNotice, declinedPage, _) = await SubmitAsync(browser, session.Url, page, "add_card",
            ("card_number", StripeTestCards.GenericDecline), ("card_expiry", "12 / 34"), ("card_cvc", "123"));
        Assert.Equal((HttpStatusCode.PaymentRequired, "Your card was declined."), (declined, declineNotice));

        var (status, notice, after, _) = await SubmitAsync(browser, session.Url, declinedPage, "add_card",
            ("card_number", "5555 5555 5555 4444"), ("card_expiry", "12 / 34"), ("card_cvc", "123"));

        Assert.Equal((HttpStatusCode.OK, "Card ending in 4444 added and set as your default payment method."), (status, notice));
        var saved = Assert.Single((await stripe.V1.PaymentMethods.ListAsync(new PaymentMethodListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);
        Assert.Equal(("mastercard", "4444"), (saved.Card.Brand, saved.Card.Last4));
        Assert.Equal(saved.Id, (await stripe.V1.Customers.GetAsync(customer.Id, cancellationToken: Ct)).InvoiceSettings.DefaultPaymentMethodId);
        Assert.Contains("class=\"default\"", after, StringComparison.Ordinal);
        Assert.Single(await EventsAsync(stripe, "payment_method.attached"));
        Assert.Single(await EventsAsync(stripe, "customer.updated"));
    }

    [Fact]
    public async Task Billing_details_change_as_allowed_and_a_field_the_configuration_leaves_out_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (customer, _) = await SubscribedAsync(stripe);
        var session = await SessionAsync(stripe, customer.Id);
        using var browser = Browser();
        var (_, page) = await OpenAsync(browser, session.Url);

        var (status, notice, after, _) = await SubmitAsync(browser, session.Url, page, "update_customer",
            ("email", "new@example.com"), ("name", "New Name"), ("address_line1", "1 Main St"), ("address_country", "US"));

        Assert.Equal((HttpStatusCode.OK, "Your billing information has been updated."), (status, notice));
        var stored = await stripe.V1.Customers.GetAsync(customer.Id, cancellationToken: Ct);
        Assert.Equal(("new@example.com", "New Name", "1 Main St", "US"), (stored.Email, stored.Name, stored.Address.Line1, stored.Address.Country));
        Assert.Single(await EventsAsync(stripe, "customer.updated"));

        var plans = await stripe.V1.BillingPortal.Configurations.CreateAsync(PlansConfiguration(), cancellationToken: Ct);
        var limited = await SessionAsync(stripe, customer.Id, plans.Id);
        var (_, limitedPage) = await OpenAsync(browser, limited.Url);
        var (refused, refusal, _, _) = await SubmitAsync(browser, limited.Url, limitedPage, "update_customer", ("phone", "+15550100"));
        Assert.Equal((HttpStatusCode.BadRequest, "This portal does not let you change your phone."), (refused, refusal));
        Assert.Null((await stripe.V1.Customers.GetAsync(customer.Id, cancellationToken: Ct)).Phone);
    }

    [Fact]
    public async Task A_confirm_flow_applies_its_change_and_redirects_and_the_portal_then_shows_its_home_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var configuration = await stripe.V1.BillingPortal.Configurations.CreateAsync(PlansConfiguration(updateProration: "none"), cancellationToken: Ct);
        var (customer, subscription) = await SubscribedAsync(stripe);
        var session = await SessionAsync(stripe, customer.Id, configuration.Id, new SessionFlowDataOptions
        {
            Type = "subscription_update_confirm",
            SubscriptionUpdateConfirm = new SessionFlowDataSubscriptionUpdateConfirmOptions
            {
                Subscription = subscription.Id,
                Items = [new SessionFlowDataSubscriptionUpdateConfirmItemOptions { Id = subscription.Items.Data[0].Id, Price = StripeCatalog.TeamMonthlyPrice, Quantity = 2 }],
            },
            AfterCompletion = new SessionFlowDataAfterCompletionOptions
            {
                Type = "redirect",
                Redirect = new SessionFlowDataAfterCompletionRedirectOptions { ReturnUrl = "https://merchant.example/upgraded" },
            },
        });
        using var browser = Browser();
        var (_, page) = await OpenAsync(browser, session.Url);
        Assert.Contains("id=\"confirm-change\"", page, StringComparison.Ordinal);
        // The flow page offers its own step only: cancelling is not part of it.
        var (outside, _, flowPage, _) = await SubmitAsync(browser, session.Url, page, "cancel", ("subscription", subscription.Id));
        Assert.Equal(HttpStatusCode.BadRequest, outside);

        var (status, _, _, location) = await SubmitAsync(browser, session.Url, flowPage, "confirm_update");

        Assert.Equal((HttpStatusCode.Redirect, "https://merchant.example/upgraded"), (status, location?.AbsoluteUri));
        var stored = await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal((StripeCatalog.TeamMonthlyPrice, 2L, false), (stored.Items.Data[0].Price.Id, stored.Items.Data[0].Quantity, stored.CancelAtPeriodEnd));
        var (_, home) = await OpenAsync(browser, session.Url);
        Assert.Contains("id=\"subscriptions\"", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payment_method_flow_ends_on_the_hosted_confirmation_with_its_custom_message()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (customer, _) = await SubscribedAsync(stripe);
        var session = await SessionAsync(stripe, customer.Id, flow: new SessionFlowDataOptions
        {
            Type = "payment_method_update",
            AfterCompletion = new SessionFlowDataAfterCompletionOptions
            {
                Type = "hosted_confirmation",
                HostedConfirmation = new SessionFlowDataAfterCompletionHostedConfirmationOptions { CustomMessage = "Thanks, your card is on file." },
            },
        });
        using var browser = Browser();
        var (_, page) = await OpenAsync(browser, session.Url);

        var (status, notice, _, _) = await SubmitAsync(browser, session.Url, page, "add_card", ("card_number", StripeTestCards.Success), ("card_expiry", "12 / 34"), ("card_cvc", "123"));

        Assert.Equal((HttpStatusCode.OK, "Thanks, your card is on file."), (status, notice));
        Assert.NotNull((await stripe.V1.Customers.GetAsync(customer.Id, cancellationToken: Ct)).InvoiceSettings.DefaultPaymentMethodId);
    }

    [Fact]
    public async Task A_session_expires_after_five_idle_minutes_on_the_sandbox_clock_and_an_unknown_one_is_not_found()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (customer, subscription) = await SubscribedAsync(stripe);
        var session = await SessionAsync(stripe, customer.Id);
        using var browser = Browser();

        // Each view restarts the idle time: 8 minutes in two steps of 4 keeps it open.
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(4));
        Assert.Equal(HttpStatusCode.OK, (await OpenAsync(browser, session.Url)).Status);
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(4));
        var (_, page) = await OpenAsync(browser, session.Url);

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(6));
        var (expired, expiredHtml) = await OpenAsync(browser, session.Url);
        Assert.Equal(HttpStatusCode.Gone, expired);
        Assert.Contains("This portal session has expired", expiredHtml, StringComparison.Ordinal);
        var (posted, _, _, _) = await SubmitAsync(browser, session.Url, page, "cancel", ("subscription", subscription.Id));
        Assert.Equal(HttpStatusCode.Gone, posted);
        Assert.False((await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).CancelAtPeriodEnd);

        var wrongSecret = session.Url[..session.Url.LastIndexOf('/')] + "/test_wrong";
        Assert.Equal(HttpStatusCode.NotFound, (await OpenAsync(browser, wrongSecret)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await OpenAsync(browser, $"{sandbox.Server.ControlBaseUrl}{StripePortalSessions.PagePath}/bps_missing/test_x")).Status);
    }

    [GeneratedRegex("id=\"notice\"[^>]*>(.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex NoticeElement();

    [GeneratedRegex("name=\"token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
