using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// The acceptance of issue #27 through the npm <c>stripe</c> package (stripe-node 23.1.0), unmodified:
/// tests/sdk-clients/stripe-recurring.mjs drives the recurring flow (and a trial checkout) and verifies every webhook with
/// <c>stripe.webhooks.constructEvent</c>; this checks what it reports.
/// </summary>
public sealed class StripeNodeRoundTripTests
{
    [Fact]
    public async Task The_stripe_npm_SDK_drives_renewals_cancellation_dunning_refunds_and_a_trial_unmodified()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("stripe-recurring.mjs", new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["STRIPE_BASE"] = sandbox.BaseUrl("stripe"),
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        string Str(string name) => result[name]!.GetValue<string>();
        int Int(string name) => result[name]!.GetValue<int>();
        IEnumerable<string?> Strings(string name) => result[name]!.AsArray().Select(n => n?.GetValue<string>());
        IEnumerable<int?> Ints(string name) => result[name]!.AsArray().Select(n => n?.GetValue<int>());

        // Three renewals, each a verified invoice.paid, on the calendar from Jan 1: Feb 1, Mar 1 and Apr 1 of the test clock.
        Assert.Equal(["subscription_create", "subscription_cycle", "subscription_cycle", "subscription_cycle"], Strings("invoicePaidReasons"));
        Assert.Equal([31, 59, 90], Ints("renewalPeriodStartDays"));

        // cancel_at_period_end: deleted at day 120 (May 1) and no invoice then or after.
        Assert.Equal(120, Int("cancelAtDay"));
        Assert.Equal(Str("subscriptionId"), Str("deletedSubscription"));
        Assert.Equal(("canceled", 120), (Str("endedStatus"), Int("endedAtDay")));
        Assert.Equal(4, Int("invoicePaidLogged"));
        Assert.Equal(0, Int("invoicesAfterCancel"));

        // Failing renewals: attempts on days 31 (Feb 1), 34, 39 and 46 (retries 3, 5 and 7 days apart), then unpaid.
        Assert.Equal([1, 2, 3, 4], Ints("failedAttemptCounts"));
        Assert.Equal([34, 39, 46, null], Ints("failedNextAttemptDays"));
        Assert.Equal(["past_due", "past_due", "past_due", "unpaid"], Strings("statusesWhileFailing"));
        Assert.Equal(4, Int("failedLogged"));
        Assert.Equal(Enumerable.Repeat<string?>("card_declined", 4), Strings("declinedCodes"));

        // Refunds: part by payment intent, the rest by charge, each with charge.refunded.
        Assert.Equal([300, 699], Ints("refundAmounts"));
        var refunded = result["refundedCharges"]!.AsArray();
        Assert.All(refunded, c => Assert.Equal(Str("chargeId"), c!["id"]!.GetValue<string>()));
        Assert.Equal([(300, false), (999, true)], refunded.Select(c => (c!["amount_refunded"]!.GetValue<int>(), c["refunded"]!.GetValue<bool>())));
        Assert.Equal("charge_already_refunded", Str("alreadyRefunded"));

        Assert.True(result["tamperRejected"]!.GetValue<bool>());
        Assert.Equal(
        [
            "checkout.session.completed", "customer.subscription.created", "invoice.paid", "payment_method.attached",
            .. Enumerable.Range(0, 3).SelectMany(_ => new[] { "customer.subscription.updated", "invoice.paid", "invoice.payment_succeeded" }),
            "customer.subscription.updated", "customer.subscription.deleted",
            "customer.subscription.created", "invoice.paid", "invoice.payment_succeeded",
            "customer.subscription.updated", "invoice.payment_failed", "invoice.payment_failed", "invoice.payment_failed", "invoice.payment_failed",
            "customer.subscription.updated",
            "refund.created", "charge.refunded", "refund.created", "charge.refunded",
        ], Strings("loggedTypes"));
        Assert.Equal(28, Int("eventsLogged"));
        Assert.True(result["clockDeleted"]!.GetValue<bool>());
        Assert.Equal(404, Int("clockGoneStatus"));

        // A 14-day trial: no payment now, a paid 0 invoice, trial_will_end, then the first charge at its end.
        Assert.Equal(("no_payment_required", "trialing", 14), (Str("trialPaymentStatus"), Str("trialStatus"), Int("trialDays")));
        Assert.Equal(["subscription_create", "0", "paid"], result["trialInvoice"]!.AsArray().Select(n => n!.ToString()));
        Assert.Equal([14], Ints("trialWillEndDays"));
        Assert.Equal(["subscription_cycle", "999", "14"], result["trialFirstCharge"]!.AsArray().Select(n => n!.ToString()));
        Assert.Equal("active", Str("trialEndedStatus"));
    }

    /// <summary>tests/sdk-clients/stripe-payment-methods.mjs: a card on file through stripe-node, its webhooks verified by it.</summary>
    [Fact]
    public async Task The_stripe_npm_SDK_saves_a_card_charges_it_off_session_and_detaches_it_unmodified()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("stripe-payment-methods.mjs", new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["STRIPE_BASE"] = sandbox.BaseUrl("stripe"),
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("[true,\"amex\",\"8431\",null]", result["created"]!.ToJsonString());
        Assert.True(result["attachedTo"]!.GetValue<bool>());
        Assert.Equal("[true]", result["listed"]!.ToJsonString());
        Assert.Equal("amex", result["label"]!.GetValue<string>());
        Assert.True(result["defaultSet"]!.GetValue<bool>());
        Assert.Equal("[\"succeeded\",true]", result["offSession"]!.ToJsonString());
        Assert.Null(result["detachedCustomer"]);
        Assert.Null(result["defaultAfterDetach"]);
        Assert.Equal("{\"status\":400,\"code\":\"payment_method_unexpected_state\"}", result["reused"]!.ToJsonString());
        Assert.Equal("[\"payment_method.attached\",\"payment_method.updated\",\"payment_method.detached\"]", result["methodEvents"]!.ToJsonString());
    }

    /// <summary>tests/sdk-clients/stripe-disputes.mjs: a disputed PaymentIntent, its refund refused, winning evidence, a closed inquiry, an early fraud warning, through stripe-node.</summary>
    [Fact]
    public async Task The_stripe_npm_SDK_answers_disputes_and_sees_their_events_unmodified()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("stripe-disputes.mjs", new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["STRIPE_BASE"] = sandbox.BaseUrl("stripe"),
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("[true,4200,\"fraudulent\",\"needs_response\",false]", result["opened"]!.ToJsonString());
        Assert.Equal("{\"status\":400,\"code\":\"charge_disputed\"}", result["refused"]!.ToJsonString());
        Assert.Equal("[\"won\",\"Node Buyer\",1,[-4200,4200]]", result["won"]!.ToJsonString());
        Assert.Equal("[\"warning_needs_response\",\"warning_closed\"]", result["closed"]!.ToJsonString());
        Assert.Equal(
            "[\"charge.dispute.created\",\"charge.dispute.funds_withdrawn\",\"charge.dispute.updated\",\"charge.dispute.closed\",\"charge.dispute.funds_reinstated\"]",
            result["disputeEvents"]!.ToJsonString());
        Assert.Equal("[true,\"radar.early_fraud_warning\",true,true,false]", result["warning"]!.ToJsonString());
        Assert.Equal("[\"radar.early_fraud_warning.created\",\"radar.early_fraud_warning.updated\"]", result["warningEvents"]!.ToJsonString());
    }

    /// <summary>tests/sdk-clients/stripe-incomplete.mjs: a subscription the client pays through its invoice's PaymentIntent, through stripe-node.</summary>
    [Fact]
    public async Task The_stripe_npm_SDK_pays_a_default_incomplete_subscription_through_its_invoice_intent_unmodified()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("stripe-incomplete.mjs", new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["STRIPE_BASE"] = sandbox.BaseUrl("stripe"),
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("[\"incomplete\",\"open\",\"requires_payment_method\"]", result["created"]!.ToJsonString());
        Assert.True(result["secretMatches"]!.GetValue<bool>());
        Assert.Equal("succeeded", result["confirmed"]!.GetValue<string>());
        Assert.Equal("[\"active\",true]", result["active"]!.ToJsonString());
        Assert.Equal("incomplete", result["previousStatus"]!.GetValue<string>());
        Assert.Equal("{\"status\":402,\"type\":\"StripeCardError\",\"code\":\"card_declined\"}", result["refused"]!.ToJsonString());
        Assert.Equal(0, result["leftAfterRefusal"]!.GetValue<int>());
        Assert.Equal("[\"trialing\",14]", result["trial"]!.ToJsonString());
    }

    /// <summary>tests/sdk-clients/stripe-plan-changes.mjs: a preview, an upgrade invoiced at once, an invoice item and a refused pay, through stripe-node.</summary>
    [Fact]
    public async Task The_stripe_npm_SDK_previews_and_makes_a_prorated_upgrade_and_manages_invoice_items_unmodified()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("stripe-plan-changes.mjs", new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["STRIPE_BASE"] = sandbox.BaseUrl("stripe"),
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("[true,\"subscription_update\",2000,[-999,2999]]", result["preview"]!.ToJsonString());
        Assert.Equal("[\"price_HarnessTeamMonthly\",\"subscription_update\",\"paid\",2000]", result["updated"]!.ToJsonString());
        Assert.Equal("[\"Unused time on Sandbox Pro after 23 Nov 2026\",\"Remaining time on Sandbox Team after 23 Nov 2026\"]", result["lines"]!.ToJsonString());
        Assert.Equal("price_HarnessProMonthly", result["previousPrice"]!.GetValue<string>());
        Assert.Equal("[-999,2999]", result["prorationEvents"]!.ToJsonString());
        Assert.Equal("[true]", result["pending"]!.ToJsonString());
        Assert.True(result["deleted"]!.GetValue<bool>());
        Assert.Equal("{\"status\":400,\"type\":\"StripeInvalidRequestError\",\"message\":\"Invoice is already paid\"}", result["refused"]!.ToJsonString());
    }

    /// <summary>tests/sdk-clients/stripe-discounts.mjs: a coupon, a promotion code on a checkout, and a discounted subscription, through stripe-node.</summary>
    [Fact]
    public async Task The_stripe_npm_SDK_creates_coupons_and_promotion_codes_and_pays_discounted_unmodified()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("stripe-discounts.mjs", new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["STRIPE_BASE"] = sandbox.BaseUrl("stripe"),
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("[\"node20\",\"NODE20\"]", result["code"]!.ToJsonString());
        Assert.Equal("[1000,800,200,true]", result["session"]!.ToJsonString());
        Assert.Equal("[\"paid\",800,200]", result["paid"]!.ToJsonString());
        Assert.Equal("[2,1]", result["redeemed"]!.ToJsonString());
        Assert.Equal("[999,799,1]", result["invoice"]!.ToJsonString());
        Assert.Equal("NODE20", result["couponEvent"]!.GetValue<string>());
    }

    /// <summary>tests/sdk-clients/stripe-catalog.mjs: a product with a default price, lookup keys moved between prices, auto-paging, refusals and a checkout, through stripe-node.</summary>
    [Fact]
    public async Task The_stripe_npm_SDK_builds_a_catalog_with_lookup_keys_and_sells_from_it_unmodified()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("stripe-catalog.mjs", new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["STRIPE_BASE"] = sandbox.BaseUrl("stripe"),
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("[\"prod_node_plan\",true,\"pro\"]", result["product"]!.ToJsonString());
        Assert.Equal("[\"recurring\",\"month\",3,1200]", result["defaultPrice"]!.ToJsonString());
        Assert.Equal("{\"status\":400,\"type\":\"StripeInvalidRequestError\",\"param\":\"lookup_key\"}", result["taken"]!.ToJsonString());
        Assert.Equal("[[true,700,\"Node plan\"]]", result["byKey"]!.ToJsonString());
        Assert.Equal("[false,null]", result["archived"]!.ToJsonString());
        Assert.Equal("[\"prod_node_plan\",\"prod_HarnessTeam\",\"prod_HarnessPro\",\"prod_HarnessCredits\"]", result["productIds"]!.ToJsonString());
        Assert.Equal("{\"status\":400,\"type\":\"StripeInvalidRequestError\",\"param\":null}", result["undeletable"]!.ToJsonString());
        Assert.Equal(2100, result["sessionTotal"]!.GetValue<int>());
        Assert.Equal("{\"status\":400,\"type\":\"StripeInvalidRequestError\",\"param\":\"line_items[0][price]\"}", result["inactive"]!.ToJsonString());
        Assert.Equal("[\"price.created\",\"price.created\",\"price.created\",\"price.updated\",\"price.updated\",\"product.created\"]", result["events"]!.ToJsonString());
    }
}
