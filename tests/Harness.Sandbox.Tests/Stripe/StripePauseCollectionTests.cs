using System.Globalization;
using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Paused payment collection (<c>pause_collection</c> on a subscription update): the subscription stays active, its
/// renewals make invoices that are kept as drafts, marked uncollectible or voided, and collection resumes at
/// <c>resumes_at</c> or when the pause is unset, through Stripe.net 53.1.0. Clock moves go to the subscription's own
/// period end as the API shows it, never by a fixed month.
/// </summary>
public sealed class StripePauseCollectionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>Margin past a due time that a clock move goes to.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromHours(1);

    [Fact]
    public async Task Keep_as_draft_holds_a_renewal_as_a_draft_until_resumes_at_after_which_it_can_be_finalized_and_paid_and_renewals_charge_again()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var customer = await CardedCustomerAsync(stripe);
        var subscription = await SubscribeAsync(stripe, customer);
        var firstEnd = subscription.Items.Data[0].CurrentPeriodEnd;
        var resumesAt = firstEnd.AddDays(1);

        var paused = await PauseAsync(stripe, subscription.Id, "keep_as_draft", resumesAt);
        Assert.Equal(("active", "keep_as_draft", resumesAt), (paused.Status, paused.PauseCollection.Behavior, paused.PauseCollection.ResumesAt));
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 1);
        var set = events.Single(e => e.Type == "customer.subscription.updated");
        Assert.Equal("keep_as_draft", ((Subscription)set.Data.Object).PauseCollection.Behavior);
        var setPrevious = await StripeTrialAddTests.PreviousAttributesAsync(sandbox, set.Id);
        Assert.True(setPrevious.ContainsKey("pause_collection"));
        Assert.Null(setPrevious["pause_collection"]);
        var row = await ControlRowAsync(sandbox, subscription.Id);
        Assert.Equal("keep_as_draft", row["pause_collection_behavior"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(resumesAt).ToUnixTimeSeconds(), row["pause_collection_resumes_at"]!.GetValue<long>());

        // The renewal makes a draft that does not advance: nothing charged, the subscription still active and paused.
        await AdvanceToAsync(sandbox, firstEnd + Margin);
        await CollectAsync(receiver, events, e => Count(e, "invoice.created") == 1);
        var renewed = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(("active", "keep_as_draft", firstEnd), (renewed.Status, renewed.PauseCollection.Behavior, renewed.Items.Data[0].CurrentPeriodStart));
        var draft = renewed.LatestInvoice;
        Assert.Equal(("draft", false, 999L, "subscription_cycle"), (draft.Status, draft.AutoAdvance, draft.AmountDue, draft.BillingReason));
        Assert.Null(draft.StatusTransitions.FinalizedAt);
        Assert.Equal(draft.Id, ((Invoice)events.Single(e => e.Type == "invoice.created").Data.Object).Id);
        Assert.Single(await ChargesAsync(stripe, customer));

        // Its description changes; its lines (and what changes them) do not, in the sandbox.
        var described = await stripe.V1.Invoices.UpdateAsync(draft.Id, new InvoiceUpdateOptions { Description = "held" }, cancellationToken: Ct);
        Assert.Equal(("held", 999L, 1), (described.Description, described.AmountDue, described.Lines.Data.Count));
        var edit = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Invoices.UpdateAsync(draft.Id, new InvoiceUpdateOptions { DaysUntilDue = 3 }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "days_until_due"), (edit.HttpStatusCode, edit.StripeError.Param));
        var item = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.InvoiceItems.CreateAsync(
            new InvoiceItemCreateOptions { Customer = customer, Invoice = draft.Id, Amount = 100, Currency = "usd" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "invoice"), (item.HttpStatusCode, item.StripeError.Param));

        // resumes_at: collection resumes, with the pause as it was in previous_attributes.
        await AdvanceToAsync(sandbox, resumesAt + Margin);
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 3);
        var resume = events.Last(e => e.Type == "customer.subscription.updated");
        Assert.Null(((Subscription)resume.Data.Object).PauseCollection);
        var resumePrevious = await StripeTrialAddTests.PreviousAttributesAsync(sandbox, resume.Id);
        Assert.Equal("keep_as_draft", resumePrevious["pause_collection"]!["behavior"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(resumesAt).ToUnixTimeSeconds(), resumePrevious["pause_collection"]!["resumes_at"]!.GetValue<long>());
        Assert.Null((await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).PauseCollection);
        Assert.Null((await ControlRowAsync(sandbox, subscription.Id))["pause_collection_behavior"]);
        Assert.Equal("draft", (await stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct)).Status);

        // The draft stays a draft; finalized and paid by hand it charges the saved card and leaves the subscription as it is.
        var finalized = await stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal(("open", 999L), (finalized.Status, finalized.AmountDue));
        var paid = await stripe.V1.Invoices.PayAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 999L), (paid.Status, paid.AmountPaid));
        Assert.Equal(2, (await ChargesAsync(stripe, customer)).Count);
        await CollectAsync(receiver, events, e => RenewalsPaid(e) == 1);

        // The next renewal is collected as usual.
        var secondEnd = (await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).Items.Data[0].CurrentPeriodEnd;
        await AdvanceToAsync(sandbox, secondEnd + Margin);
        await CollectAsync(receiver, events, e => RenewalsPaid(e) == 2);
        Assert.Equal(3, (await ChargesAsync(stripe, customer)).Count);
        Assert.Equal(4, Count(events, "customer.subscription.updated"));
        Assert.Equal("paid", (await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice.Status);
    }

    [Fact]
    public async Task Mark_uncollectible_and_void_finalize_each_renewal_then_mark_or_void_it_until_the_pause_is_unset()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var customer = await CardedCustomerAsync(stripe);
        var uncollectible = await SubscribeAsync(stripe, customer);
        var voided = await SubscribeAsync(stripe, customer);
        await PauseAsync(stripe, uncollectible.Id, "mark_uncollectible", null);
        await PauseAsync(stripe, voided.Id, "void", null);
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 2);

        await AdvanceToAsync(sandbox, uncollectible.Items.Data[0].CurrentPeriodEnd + Margin);
        await CollectAsync(receiver, events, e => Count(e, "invoice.marked_uncollectible") == 1 && Count(e, "invoice.voided") == 1);
        Assert.Equal(2, (await ChargesAsync(stripe, customer)).Count);
        foreach (var (id, status, last) in new[] { (uncollectible.Id, "uncollectible", "invoice.marked_uncollectible"), (voided.Id, "void", "invoice.voided") })
        {
            var renewed = await stripe.V1.Subscriptions.GetAsync(id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
            Assert.Equal("active", renewed.Status);
            var invoice = renewed.LatestInvoice;
            Assert.Equal((status, false, 0L, "subscription_cycle"), (invoice.Status, invoice.AutoAdvance, invoice.AmountPaid, invoice.BillingReason));
            Assert.NotNull(invoice.StatusTransitions.FinalizedAt);
            Assert.Equal(status == "void", invoice.StatusTransitions.VoidedAt is not null);
            Assert.Equal(status == "uncollectible", invoice.StatusTransitions.MarkedUncollectibleAt is not null);
            var own = events.Where(e => e.Data.Object is Invoice i && i.Id == invoice.Id).Select(e => e.Type).ToList();
            Assert.Equal(new[] { "invoice.created", "invoice.finalized", last }, own);
        }

        Assert.Equal(0, RenewalsPaid(events));

        // Unset with pause_collection="": an update with the pause as it was; the next renewal is charged.
        var unset = new SubscriptionUpdateOptions();
        unset.AddExtraParam("pause_collection", "");
        var resumed = await stripe.V1.Subscriptions.UpdateAsync(uncollectible.Id, unset, cancellationToken: Ct);
        Assert.Null(resumed.PauseCollection);
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 5);
        var update = events.Last(e => e.Type == "customer.subscription.updated");
        Assert.Equal("mark_uncollectible", (await StripeTrialAddTests.PreviousAttributesAsync(sandbox, update.Id))["pause_collection"]!["behavior"]!.GetValue<string>());

        // Unsetting again changes nothing and sends nothing.
        await stripe.V1.Subscriptions.UpdateAsync(uncollectible.Id, unset, cancellationToken: Ct);
        await AdvanceToAsync(sandbox, resumed.Items.Data[0].CurrentPeriodEnd + Margin);
        await CollectAsync(receiver, events, e => Count(e, "invoice.voided") == 2 && RenewalsPaid(e) == 1);
        Assert.Equal(7, Count(events, "customer.subscription.updated"));
        Assert.Equal(3, (await ChargesAsync(stripe, customer)).Count);
    }

    [Fact]
    public async Task A_plan_change_invoiced_at_once_while_collection_is_paused_is_held_too_and_the_change_still_applies()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CardedCustomerAsync(stripe);
        var drafted = await SubscribeAsync(stripe, customer);
        var voided = await SubscribeAsync(stripe, customer);
        await PauseAsync(stripe, drafted.Id, "keep_as_draft", null);
        await PauseAsync(stripe, voided.Id, "void", null);

        foreach (var (subscription, status) in new[] { (drafted, "draft"), (voided, "void") })
        {
            var changed = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
            {
                Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Quantity = 2 }],
                ProrationBehavior = "always_invoice",
                ProrationDate = subscription.Items.Data[0].CurrentPeriodStart,
                Expand = ["latest_invoice"],
            }, cancellationToken: Ct);

            // The whole period's second seat is invoiced now, but the invoice is held as the pause says and nothing is charged.
            Assert.Equal(("active", 2L), (changed.Status, changed.Items.Data[0].Quantity));
            var invoice = changed.LatestInvoice;
            Assert.Equal((status, false, "subscription_update", 999L, 0L), (invoice.Status, invoice.AutoAdvance, invoice.BillingReason, invoice.Total, invoice.AmountPaid));
            Assert.Equal(status == "void", invoice.StatusTransitions.VoidedAt is not null);
        }

        // Only the two subscriptions' first invoices were charged.
        Assert.Equal(2, (await ChargesAsync(stripe, customer)).Count);
    }

    [Fact]
    public async Task Pause_collection_refuses_bad_values_ended_and_trialing_subscriptions_and_creates_and_resume_refuses_a_paused_collection()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CardedCustomerAsync(stripe);
        var subscription = await SubscribeAsync(stripe, customer);
        var now = subscription.Created;

        async Task<StripeException> RefusedAsync(string id, object pause)
        {
            var options = new SubscriptionUpdateOptions();
            options.AddExtraParam("pause_collection", pause);
            return await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(id, options, cancellationToken: Ct));
        }

        static string Unix(DateTime time) => new DateTimeOffset(time).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        foreach (var (pause, param, code) in new (object, string, string)[]
        {
            (new Dictionary<string, object> { ["behavior"] = "pause" }, "pause_collection[behavior]", "parameter_invalid"),
            (new Dictionary<string, object> { ["resumes_at"] = Unix(now.AddDays(1)) }, "pause_collection[behavior]", "parameter_missing"),
            (new Dictionary<string, object> { ["behavior"] = "void", ["resumes_at"] = "soon" }, "pause_collection[resumes_at]", "parameter_invalid"),
            (new Dictionary<string, object> { ["behavior"] = "void", ["resumes_at"] = Unix(now) }, "pause_collection[resumes_at]", "parameter_invalid"),
            (new Dictionary<string, object> { ["behavior"] = "void", ["until"] = "1" }, "pause_collection[until]", "parameter_unknown"),
            ("void", "pause_collection", "parameter_invalid"),
        })
        {
            var refused = await RefusedAsync(subscription.Id, pause);
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", param, code), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param, refused.StripeError.Code));
        }

        Assert.Null((await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).PauseCollection);

        // Stripe takes pause_collection on updates only.
        var create = new SubscriptionCreateOptions { Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] };
        create.AddExtraParam("pause_collection[behavior]", "void");
        var onCreate = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(create, cancellationToken: Ct));
        Assert.Equal(("parameter_unknown", "pause_collection"), (onCreate.StripeError.Code, onCreate.StripeError.Param));

        // A trialing one (the sandbox's choice) and a canceled one refuse it, setting or unsetting.
        var trialing = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            TrialPeriodDays = 7,
        }, cancellationToken: Ct);
        var onTrial = await RefusedAsync(trialing.Id, new Dictionary<string, object> { ["behavior"] = "void" });
        Assert.Equal(("pause_collection", HttpStatusCode.BadRequest), (onTrial.StripeError.Param, onTrial.HttpStatusCode));
        Assert.Contains("trialing", onTrial.StripeError.Message, StringComparison.Ordinal);
        await stripe.V1.Subscriptions.CancelAsync(trialing.Id, cancellationToken: Ct);
        var onCanceled = await RefusedAsync(trialing.Id, "");
        Assert.Equal(("pause_collection", HttpStatusCode.BadRequest), (onCanceled.StripeError.Param, onCanceled.HttpStatusCode));

        // A paused collection is not a paused subscription: /resume refuses it, and it is listed as active.
        await PauseAsync(stripe, subscription.Id, "keep_as_draft", null);
        var resume = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.ResumeAsync(subscription.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, resume.HttpStatusCode);
        Assert.Contains("is active", resume.StripeError.Message, StringComparison.Ordinal);
        var active = await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Status = "active" }, cancellationToken: Ct);
        Assert.Equal("keep_as_draft", Assert.Single(active.Data).PauseCollection.Behavior);
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Status = "paused" }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task A_pause_with_resumes_at_survives_a_restart_and_resumes_on_the_sandbox_clock_and_on_a_test_clock()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var options = new SandboxOptions { DataDirectory = data, BasePort = 0, Clock = clock };
        var resumesAt = clock.GetUtcNow().UtcDateTime.AddDays(2);
        string sandboxClocked, testClocked, testClock;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            sandboxClocked = (await SubscribeAsync(before, await CardedCustomerAsync(before))).Id;
            testClock = (await before.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = clock.GetUtcNow().UtcDateTime }, cancellationToken: Ct)).Id;
            testClocked = (await SubscribeAsync(before, await CardedCustomerAsync(before, testClock))).Id;
            await PauseAsync(before, sandboxClocked, "void", resumesAt);
            await PauseAsync(before, testClocked, "void", resumesAt);
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            Assert.Equal(("void", resumesAt), await PauseOfAsync(stripe, sandboxClocked));

            // Only the clock a subscription lives on resumes it.
            clock.Advance(TimeSpan.FromDays(2) + Margin);
            using var control = new HttpClient { BaseAddress = new Uri(second.ControlBaseUrl) };
            (await control.PostAsync("/control/clock/run-due", null, Ct)).EnsureSuccessStatusCode();
            Assert.Null((await stripe.V1.Subscriptions.GetAsync(sandboxClocked, cancellationToken: Ct)).PauseCollection);
            Assert.Equal(("void", resumesAt), await PauseOfAsync(stripe, testClocked));
            await AdvanceClockAsync(stripe, testClock, resumesAt + Margin);
            Assert.Null((await stripe.V1.Subscriptions.GetAsync(testClocked, cancellationToken: Ct)).PauseCollection);
        }

        Directory.Delete(data, recursive: true);
    }

    /// <summary>The subscription as <c>GET /control/stripe/subscriptions</c> lists it.</summary>
    private static async Task<System.Text.Json.Nodes.JsonNode> ControlRowAsync(TestSandbox sandbox, string id) =>
        (await sandbox.GetArrayAsync("/control/stripe/subscriptions")).Single(r => r!["id"]!.GetValue<string>() == id)!;

    /// <summary>The <c>invoice.paid</c> events of renewals (the first invoices are paid at creation).</summary>
    private static int RenewalsPaid(IEnumerable<Event> events) =>
        events.Count(e => e.Type == "invoice.paid" && ((Invoice)e.Data.Object).BillingReason == "subscription_cycle");

    private static async Task<(string, DateTime?)> PauseOfAsync(StripeClient stripe, string id) =>
        (await stripe.V1.Subscriptions.GetAsync(id, cancellationToken: Ct)).PauseCollection is { } pause ? (pause.Behavior, pause.ResumesAt) : ("none", null);

    /// <summary>A customer (on <paramref name="testClock"/> when given) whose invoices charge a saved Visa.</summary>
    private static async Task<string> CardedCustomerAsync(StripeClient stripe, string? testClock = null)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = testClock }, cancellationToken: Ct);
        await StripeInvoicePayTests.DefaultCardAsync(stripe, customer.Id, "pm_card_visa");
        return customer.Id;
    }

    private static Task<Subscription> SubscribeAsync(StripeClient stripe, string customer) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);

    private static Task<Subscription> PauseAsync(StripeClient stripe, string id, string behavior, DateTime? resumesAt) =>
        stripe.V1.Subscriptions.UpdateAsync(id, new SubscriptionUpdateOptions { PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = behavior, ResumesAt = resumesAt } }, cancellationToken: Ct);

    private static async Task<List<Charge>> ChargesAsync(StripeClient stripe, string customer) =>
        (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data;

    /// <summary>Moves the sandbox clock to <paramref name="to"/> (read from the control API's clock, not assumed) and runs what fell due.</summary>
    private static async Task AdvanceToAsync(TestSandbox sandbox, DateTime to)
    {
        var now = DateTimeOffset.Parse((await sandbox.GetJsonAsync("/control/clock"))["now"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        await sandbox.AdvanceAsync(new DateTimeOffset(to, TimeSpan.Zero) - now);
        await sandbox.RunDueAsync();
    }
}
