using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.BillingPortal;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// The customer portal's API through Stripe.net 53.1.0 (<c>Stripe.BillingPortal.*</c>): configurations (the lazily made
/// default, create, update, list filters, events) and sessions with their flows, and what each refuses.
/// </summary>
public sealed class StripeBillingPortalTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A configuration that cancels now with prorations and switches between the Pro and Team monthly plans.</summary>
    internal static ConfigurationCreateOptions PlansConfiguration(string cancelMode = "immediately", string updateProration = "always_invoice") => new()
    {
        BusinessProfile = new ConfigurationBusinessProfileOptions { Headline = "Harness plans" },
        DefaultReturnUrl = "https://merchant.example/account",
        Features = new ConfigurationFeaturesOptions
        {
            InvoiceHistory = new ConfigurationFeaturesInvoiceHistoryOptions { Enabled = true },
            PaymentMethodUpdate = new ConfigurationFeaturesPaymentMethodUpdateOptions { Enabled = true },
            CustomerUpdate = new ConfigurationFeaturesCustomerUpdateOptions { Enabled = true, AllowedUpdates = ["email", "name", "address"] },
            SubscriptionCancel = new ConfigurationFeaturesSubscriptionCancelOptions
            {
                Enabled = true,
                Mode = cancelMode,
                ProrationBehavior = "create_prorations",
                CancellationReason = new ConfigurationFeaturesSubscriptionCancelCancellationReasonOptions { Enabled = true, Options = ["too_expensive", "unused"] },
            },
            SubscriptionUpdate = new ConfigurationFeaturesSubscriptionUpdateOptions
            {
                Enabled = true,
                DefaultAllowedUpdates = ["price", "quantity"],
                ProrationBehavior = updateProration,
                Products =
                [
                    new ConfigurationFeaturesSubscriptionUpdateProductOptions { Product = "prod_HarnessPro", Prices = [StripeCatalog.MonthlyPrice] },
                    new ConfigurationFeaturesSubscriptionUpdateProductOptions { Product = "prod_HarnessTeam", Prices = [StripeCatalog.TeamMonthlyPrice] },
                ],
            },
        },
        Metadata = new Dictionary<string, string> { ["plan_set"] = "2026" },
    };

    internal static async Task<(Customer Customer, Subscription Subscription)> SubscribedAsync(StripeClient stripe)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "portal@example.com", Name = "Portal Customer" }, cancellationToken: Ct);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        return (customer, subscription);
    }

    [Fact]
    public async Task The_default_configuration_exists_once_and_a_session_without_configuration_uses_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);

        var session = await stripe.V1.BillingPortal.Sessions.CreateAsync(new SessionCreateOptions { Customer = customer.Id, ReturnUrl = "https://merchant.example/back" }, cancellationToken: Ct);
        var defaults = await stripe.V1.BillingPortal.Configurations.ListAsync(new ConfigurationListOptions { IsDefault = true }, cancellationToken: Ct);

        var configuration = Assert.Single(defaults.Data);
        Assert.Equal((configuration.Id, customer.Id, "https://merchant.example/back", false), (session.ConfigurationId, session.Customer, session.ReturnUrl, session.Livemode));
        Assert.StartsWith("bps_", session.Id, StringComparison.Ordinal);
        Assert.StartsWith(sandbox.Server.ControlBaseUrl + StripePortalSessions.PagePath + "/" + session.Id + "/test_", session.Url, StringComparison.Ordinal);
        Assert.Null(session.Flow);
        Assert.True(configuration.Active);
        Assert.Equal(["address", "email", "name", "phone"], configuration.Features.CustomerUpdate.AllowedUpdates);
        Assert.True(configuration.Features.InvoiceHistory.Enabled && configuration.Features.PaymentMethodUpdate.Enabled && configuration.Features.SubscriptionCancel.Enabled);
        Assert.Equal(("at_period_end", "none", 8), (configuration.Features.SubscriptionCancel.Mode, configuration.Features.SubscriptionCancel.ProrationBehavior,
            configuration.Features.SubscriptionCancel.CancellationReason.Options.Count));
        Assert.False(configuration.Features.SubscriptionUpdate.Enabled);

        // A second session and a second list make no second default.
        await stripe.V1.BillingPortal.Sessions.CreateAsync(new SessionCreateOptions { Customer = customer.Id }, cancellationToken: Ct);
        var all = await stripe.V1.BillingPortal.Configurations.ListAsync(cancellationToken: Ct);
        Assert.Equal(configuration.Id, Assert.Single(all.Data).Id);
        var events = await stripe.V1.Events.ListAsync(new EventListOptions { Type = "billing_portal.*" }, cancellationToken: Ct);
        Assert.Equal(1, events.Data.Count(e => e.Type == "billing_portal.configuration.created"));
        Assert.Equal(2, events.Data.Count(e => e.Type == "billing_portal.session.created"));
    }

    [Fact]
    public async Task A_configuration_is_created_retrieved_updated_and_listed_with_its_filters_and_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);

        var created = await stripe.V1.BillingPortal.Configurations.CreateAsync(PlansConfiguration(), cancellationToken: Ct);
        Assert.StartsWith("bpc_", created.Id, StringComparison.Ordinal);
        Assert.Equal(("Harness plans", "https://merchant.example/account", false, true), (created.BusinessProfile.Headline, created.DefaultReturnUrl, created.IsDefault, created.Active));
        Assert.Equal(("immediately", "create_prorations"), (created.Features.SubscriptionCancel.Mode, created.Features.SubscriptionCancel.ProrationBehavior));
        Assert.Equal(["too_expensive", "unused"], created.Features.SubscriptionCancel.CancellationReason.Options);
        Assert.Equal(["prod_HarnessPro", "prod_HarnessTeam"], created.Features.SubscriptionUpdate.Products.Select(p => p.Product));
        Assert.Equal("always_invoice", created.Features.SubscriptionUpdate.ProrationBehavior);
        Assert.Equal(["price", "quantity"], created.Features.SubscriptionUpdate.DefaultAllowedUpdates);
        Assert.False(created.LoginPage.Enabled);
        Assert.Equal("2026", created.Metadata["plan_set"]);

        var updated = await stripe.V1.BillingPortal.Configurations.UpdateAsync(created.Id, new ConfigurationUpdateOptions
        {
            Active = false,
            Features = new ConfigurationFeaturesOptions { InvoiceHistory = new ConfigurationFeaturesInvoiceHistoryOptions { Enabled = false } },
        }, cancellationToken: Ct);
        Assert.Equal((false, false, "immediately"), (updated.Active, updated.Features.InvoiceHistory.Enabled, updated.Features.SubscriptionCancel.Mode));
        Assert.Equal(updated.Active, (await stripe.V1.BillingPortal.Configurations.GetAsync(created.Id, cancellationToken: Ct)).Active);

        var inactive = await stripe.V1.BillingPortal.Configurations.ListAsync(new ConfigurationListOptions { Active = false }, cancellationToken: Ct);
        Assert.Equal(created.Id, Assert.Single(inactive.Data).Id);
        var active = await stripe.V1.BillingPortal.Configurations.ListAsync(new ConfigurationListOptions { Active = true }, cancellationToken: Ct);
        Assert.True(Assert.Single(active.Data).IsDefault);
        var firstPage = await stripe.V1.BillingPortal.Configurations.ListAsync(new ConfigurationListOptions { Limit = 1 }, cancellationToken: Ct);
        Assert.True(firstPage.HasMore);

        var events = (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "billing_portal.configuration.updated" }, cancellationToken: Ct)).Data;
        Assert.Equal(created.Id, ((Configuration)Assert.Single(events).Data.Object).Id);
        var previous = await StripeTrialAddTests.PreviousAttributesAsync(sandbox, Assert.Single(events).Id);
        Assert.True(previous["active"]!.GetValue<bool>());
        Assert.True(previous["features"]!["invoice_history"]!["enabled"]!.GetValue<bool>());

        // An inactive configuration opens no session; the default cannot be deactivated.
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var refused = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.BillingPortal.Sessions.CreateAsync(new SessionCreateOptions { Customer = customer.Id, Configuration = created.Id }, cancellationToken: Ct));
        Assert.Equal(("configuration", $"The configuration {created.Id} is inactive: activate it or use another one."), (refused.StripeError.Param, refused.StripeError.Message));
        var defaultId = Assert.Single(active.Data).Id;
        var deactivate = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.BillingPortal.Configurations.UpdateAsync(defaultId, new ConfigurationUpdateOptions { Active = false }, cancellationToken: Ct));
        Assert.Equal("active", deactivate.StripeError.Param);
    }

    [Fact]
    public async Task Sessions_carry_their_flow_with_its_after_completion()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var configuration = await stripe.V1.BillingPortal.Configurations.CreateAsync(PlansConfiguration(), cancellationToken: Ct);
        var (customer, subscription) = await SubscribedAsync(stripe);

        var confirm = await stripe.V1.BillingPortal.Sessions.CreateAsync(new SessionCreateOptions
        {
            Customer = customer.Id,
            Configuration = configuration.Id,
            Locale = "de",
            FlowData = new SessionFlowDataOptions
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
            },
        }, cancellationToken: Ct);

        Assert.Equal(("subscription_update_confirm", "redirect", "https://merchant.example/upgraded"), (confirm.Flow.Type, confirm.Flow.AfterCompletion.Type, confirm.Flow.AfterCompletion.Redirect.ReturnUrl));
        var item = Assert.Single(confirm.Flow.SubscriptionUpdateConfirm.Items);
        Assert.Equal((subscription.Items.Data[0].Id, StripeCatalog.TeamMonthlyPrice, 2L), (item.Id, item.Price, item.Quantity));
        Assert.Equal(("de", "https://merchant.example/account"), (confirm.Locale, confirm.ReturnUrl));

        var cancel = await stripe.V1.BillingPortal.Sessions.CreateAsync(new SessionCreateOptions
        {
            Customer = customer.Id,
            Configuration = configuration.Id,
            FlowData = new SessionFlowDataOptions { Type = "subscription_cancel", SubscriptionCancel = new SessionFlowDataSubscriptionCancelOptions { Subscription = subscription.Id } },
        }, cancellationToken: Ct);
        Assert.Equal(("subscription_cancel", subscription.Id, "portal_homepage"), (cancel.Flow.Type, cancel.Flow.SubscriptionCancel.Subscription, cancel.Flow.AfterCompletion.Type));
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "customer", "cus_missing", "No such customer: 'cus_missing'" },
        { "configuration", "bpc_missing", "No such configuration: 'bpc_missing'" },
        { "flow_data[type]", "subscription_pause", "flow_data[type]=subscription_pause is not simulated by the sandbox: it builds payment_method_update, subscription_cancel, subscription_update and subscription_update_confirm." },
        { "flow_data[subscription_update][subscription]", "other", "The subscription {other} does not belong to the customer {customer}." },
        { "flow_data[subscription_cancel][subscription]", "sub_missing", "No such subscription: 'sub_missing'" },
        { "flow_data[type]", "subscription_update_default", "The subscription_update flow needs the subscription_update feature, which configuration {default} does not enable." },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Session_refusals_name_the_parameter_in_Stripes_words(string param, string value, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var plans = await stripe.V1.BillingPortal.Configurations.CreateAsync(PlansConfiguration(), cancellationToken: Ct);
        var (customer, _) = await SubscribedAsync(stripe);
        var (_, others) = await SubscribedAsync(stripe);
        var options = new SessionCreateOptions { Customer = customer.Id, Configuration = plans.Id };
        switch (param)
        {
            case "customer":
                options.Customer = value;
                break;
            case "configuration":
                options.Configuration = value;
                break;
            case "flow_data[type]" when value == "subscription_pause":
                options.FlowData = new SessionFlowDataOptions { Type = value, SubscriptionPause = new SessionFlowDataSubscriptionPauseOptions { Subscription = others.Id } };
                break;
            case "flow_data[type]":
                options.Configuration = null;
                options.FlowData = new SessionFlowDataOptions { Type = "subscription_update", SubscriptionUpdate = new SessionFlowDataSubscriptionUpdateOptions { Subscription = others.Id } };
                break;
            case "flow_data[subscription_update][subscription]":
                options.FlowData = new SessionFlowDataOptions { Type = "subscription_update", SubscriptionUpdate = new SessionFlowDataSubscriptionUpdateOptions { Subscription = others.Id } };
                break;
            default:
                options.FlowData = new SessionFlowDataOptions { Type = "subscription_cancel", SubscriptionCancel = new SessionFlowDataSubscriptionCancelOptions { Subscription = value } };
                break;
        }

        var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.BillingPortal.Sessions.CreateAsync(options, cancellationToken: Ct));

        var defaultId = (await stripe.V1.BillingPortal.Configurations.ListAsync(new ConfigurationListOptions { IsDefault = true }, cancellationToken: Ct)).Data[0].Id;
        var expected = message.Replace("{other}", others.Id, StringComparison.Ordinal).Replace("{customer}", customer.Id, StringComparison.Ordinal)
            .Replace("{default}", defaultId, StringComparison.Ordinal);
        Assert.Equal(("invalid_request_error", param, expected), (refused.StripeError.Type, refused.StripeError.Param, refused.StripeError.Message));
        Assert.Equal(param is "customer" or "configuration" or "flow_data[subscription_cancel][subscription]" ? 404 : 400, (int)refused.HttpStatusCode);
    }

    [Fact]
    public async Task Configuration_refusals_cover_what_the_portal_does_not_simulate_and_inconsistent_features()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);

        async Task<StripeError> RefusedAsync(ConfigurationCreateOptions options) =>
            (await Assert.ThrowsAsync<StripeException>(() => stripe.V1.BillingPortal.Configurations.CreateAsync(options, cancellationToken: Ct))).StripeError;

        var login = PlansConfiguration();
        login.LoginPage = new ConfigurationLoginPageOptions { Enabled = true };
        Assert.Equal("login_page[enabled]", (await RefusedAsync(login)).Param);
        Assert.Contains("not simulated by the sandbox", (await RefusedAsync(login)).Message, StringComparison.Ordinal);

        var noProducts = PlansConfiguration();
        noProducts.Features.SubscriptionUpdate.Products = null;
        Assert.Equal("features[subscription_update][products]", (await RefusedAsync(noProducts)).Param);

        var foreignPrice = PlansConfiguration();
        foreignPrice.Features.SubscriptionUpdate.Products[0].Prices = [StripeCatalog.TeamMonthlyPrice];
        Assert.Equal(("features[subscription_update][products][0][prices]", $"The price {StripeCatalog.TeamMonthlyPrice} is not a recurring price of product prod_HarnessPro."),
            ((await RefusedAsync(foreignPrice)).Param, (await RefusedAsync(foreignPrice)).Message));

        var shipping = PlansConfiguration();
        shipping.Features.CustomerUpdate.AllowedUpdates = ["shipping"];
        Assert.Equal("features[customer_update][allowed_updates]", (await RefusedAsync(shipping)).Param);

        var badMode = PlansConfiguration(cancelMode: "someday");
        Assert.Equal(("features[subscription_cancel][mode]", "Invalid features[subscription_cancel][mode]: must be one of at_period_end, immediately"),
            ((await RefusedAsync(badMode)).Param, (await RefusedAsync(badMode)).Message));

        var missing = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.BillingPortal.Configurations.CreateAsync(new ConfigurationCreateOptions { DefaultReturnUrl = "https://merchant.example" }, cancellationToken: Ct));
        Assert.Equal(("features", "Missing required param: features."), (missing.StripeError.Param, missing.StripeError.Message));
        var unknown = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.BillingPortal.Configurations.GetAsync("bpc_missing", cancellationToken: Ct));
        Assert.Equal((404, "No such configuration: 'bpc_missing'"), ((int)unknown.HttpStatusCode, unknown.StripeError.Message));
    }
    [Fact]
    public async Task The_apis_the_portal_acts_through_take_cancellation_details_prorate_and_a_customer_address()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (customer, subscription) = await SubscribedAsync(stripe);

        var flagged = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            CancelAtPeriodEnd = true,
            CancellationDetails = new SubscriptionCancellationDetailsOptions { Feedback = "missing_features", Comment = "Needs SSO" },
        }, cancellationToken: Ct);
        Assert.Equal(("missing_features", "Needs SSO", "cancellation_requested"), (flagged.CancellationDetails.Feedback, flagged.CancellationDetails.Comment, flagged.CancellationDetails.Reason));
        var badFeedback = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(subscription.Id,
            new SubscriptionUpdateOptions { CancellationDetails = new SubscriptionCancellationDetailsOptions { Feedback = "bored" } }, cancellationToken: Ct));
        Assert.Equal("cancellation_details[feedback]", badFeedback.StripeError.Param);
        var both = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.Subscriptions.CancelAsync(subscription.Id, new SubscriptionCancelOptions { InvoiceNow = true, Prorate = true }, cancellationToken: Ct));
        Assert.Equal("prorate", both.StripeError.Param);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var canceled = await stripe.V1.Subscriptions.CancelAsync(subscription.Id, new SubscriptionCancelOptions
        {
            Prorate = true,
            CancellationDetails = new SubscriptionCancellationDetailsOptions { Feedback = "too_complex" },
        }, cancellationToken: Ct);
        Assert.Equal(("canceled", "too_complex", "cancellation_requested"), (canceled.Status, canceled.CancellationDetails.Feedback, canceled.CancellationDetails.Reason));
        var credit = Assert.Single((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true }, cancellationToken: Ct)).Data);
        Assert.Equal(-500L, credit.Amount);

        var moved = await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { Address = new AddressOptions { Line1 = "2 Side St", City = "Springfield", Country = "US" } }, cancellationToken: Ct);
        Assert.Equal(("2 Side St", "Springfield", "US", null), (moved.Address.Line1, moved.Address.City, moved.Address.Country, moved.Address.State));
    }
}
