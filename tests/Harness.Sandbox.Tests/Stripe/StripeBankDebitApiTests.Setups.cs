using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>SEPA Direct Debit set up for later, charged off session, replayed, restarted mid-debit, and what is refused.</summary>
public sealed partial class StripeBankDebitApiTests
{
    [Fact]
    public async Task A_SetupIntent_with_a_mandate_succeeds_at_once_and_the_account_is_later_debited_off_session()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var method = await SepaAsync(stripe, Settles);

        var setup = await stripe.V1.SetupIntents.CreateAsync(Sepa(new SetupIntentCreateOptions
        {
            Customer = customer.Id,
            PaymentMethod = method.Id,
            Confirm = true,
            MandateData = new SetupIntentMandateDataOptions
            {
                CustomerAcceptance = new SetupIntentMandateDataCustomerAcceptanceOptions
                {
                    Type = "online",
                    Online = new SetupIntentMandateDataCustomerAcceptanceOnlineOptions { IpAddress = "203.0.113.7", UserAgent = "Mozilla/5.0" },
                },
            },
        }), cancellationToken: Ct);
        Assert.Equal("succeeded", setup.Status);
        Assert.Equal(["sepa_debit"], setup.PaymentMethodTypes);
        Assert.Equal(customer.Id, (await stripe.V1.PaymentMethods.GetAsync(method.Id, cancellationToken: Ct)).CustomerId);
        Assert.Equal(("active", method.Id), await MandateAsync(stripe, setup.MandateId));
        var attempts = await stripe.V1.SetupAttempts.ListAsync(new SetupAttemptListOptions { SetupIntent = setup.Id }, cancellationToken: Ct);
        Assert.Equal(("succeeded", "sepa_debit"), (attempts.Data[0].Status, attempts.Data[0].PaymentMethodDetails.Type));

        // Off session: no mandate_data, the PaymentMethod's mandate is used.
        var intent = await stripe.V1.PaymentIntents.CreateAsync(Sepa(new PaymentIntentCreateOptions
        {
            Amount = 2500, Currency = "eur", Customer = customer.Id, PaymentMethod = method.Id, Confirm = true, OffSession = true,
        }), cancellationToken: Ct);
        Assert.Equal("processing", intent.Status);
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct);
        Assert.Equal(setup.MandateId, charge.PaymentMethodDetails.SepaDebit.Mandate);

        // The mandate may also be named.
        var named = await stripe.V1.PaymentIntents.CreateAsync(Sepa(new PaymentIntentCreateOptions
        {
            Amount = 700, Currency = "eur", Customer = customer.Id, PaymentMethod = method.Id, Confirm = true, OffSession = true, Mandate = setup.MandateId,
        }), cancellationToken: Ct);
        Assert.Equal("processing", named.Status);
        await sandbox.AdvanceAsync(StripeBankDebits.SettlementDelay);

        var settled = await stripe.V1.PaymentIntents.GetAsync(intent.Id, cancellationToken: Ct);
        Assert.Equal(("succeeded", 2500L), (settled.Status, settled.AmountReceived));
        Assert.Equal("succeeded", (await stripe.V1.PaymentIntents.GetAsync(named.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Debits_without_a_mandate_in_another_currency_or_on_a_card_only_intent_are_refused_in_Stripes_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var method = await SepaAsync(stripe, Settles);

        async Task<StripeError> Refused(Func<Task> call)
        {
            var refusal = await Assert.ThrowsAsync<StripeException>(call);
            Assert.Equal(HttpStatusCode.BadRequest, refusal.HttpStatusCode);
            return refusal.StripeError;
        }

        var noMandate = Debit(method.Id, online: true);
        noMandate.MandateData = null;
        var missing = await Refused(() => stripe.V1.PaymentIntents.CreateAsync(noMandate, cancellationToken: Ct));
        Assert.Equal(("mandate_data", "payment_intent_unexpected_state"), (missing.Param, missing.Code));
        Assert.StartsWith("This PaymentIntent requires a mandate, but no existing mandate was found.", missing.Message, StringComparison.Ordinal);

        var dollars = Debit(method.Id, online: true);
        dollars.Currency = "usd";
        Assert.Equal("The currency provided (usd) is invalid. Payments with sepa_debit support the following currencies: eur.",
            (await Refused(() => stripe.V1.PaymentIntents.CreateAsync(dollars, cancellationToken: Ct))).Message);

        var cardOnly = Debit(method.Id, online: true);
        cardOnly.ExtraParams["payment_method_types[0]"] = "card";
        var notAllowed = await Refused(() => stripe.V1.PaymentIntents.CreateAsync(cardOnly, cancellationToken: Ct));
        Assert.StartsWith("The PaymentMethod provided (sepa_debit) is not allowed for this PaymentIntent.", notAllowed.Message, StringComparison.Ordinal);

        var ideal = Debit(method.Id, online: true);
        ideal.ExtraParams["payment_method_types[0]"] = "ideal";
        var notSimulated = await Refused(() => stripe.V1.PaymentIntents.CreateAsync(ideal, cancellationToken: Ct));
        Assert.Equal("payment_method_types", notSimulated.Param);
        Assert.Contains("is not simulated by the sandbox", notSimulated.Message, StringComparison.Ordinal);

        var noAgent = Debit(method.Id, online: true);
        noAgent.MandateData.CustomerAcceptance.Online.UserAgent = null;
        Assert.Equal("mandate_data[customer_acceptance][online][user_agent]", (await Refused(() => stripe.V1.PaymentIntents.CreateAsync(noAgent, cancellationToken: Ct))).Param);
        var badType = Debit(method.Id, online: false);
        badType.MandateData.CustomerAcceptance.Type = "telepathic";
        Assert.Equal("mandate_data[customer_acceptance][type]", (await Refused(() => stripe.V1.PaymentIntents.CreateAsync(badType, cancellationToken: Ct))).Param);
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), await RefusedWith(() => stripe.V1.Mandates.GetAsync("mandate_missing", cancellationToken: Ct)));

        // A SetupIntent for a bank account needs the mandate the customer accepts.
        var bare = await Refused(() => stripe.V1.SetupIntents.CreateAsync(Sepa(new SetupIntentCreateOptions { PaymentMethod = method.Id, Confirm = true }), cancellationToken: Ct));
        Assert.Equal(("mandate_data", "setup_intent_unexpected_state"), (bare.Param, bare.Code));

        // Subscriptions and invoices charge cards in the sandbox: a bank account as their default is refused by name.
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        await stripe.V1.PaymentMethods.AttachAsync(method.Id, new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct);
        var subscription = await Refused(() => stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, DefaultPaymentMethod = method.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct));
        Assert.Equal("default_payment_method", subscription.Param);
        Assert.Contains("is not simulated by the sandbox", subscription.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_confirmation_answers_the_same_and_debits_once()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var method = await SepaAsync(stripe, Settles);
        var intent = await stripe.V1.PaymentIntents.CreateAsync(Sepa(new PaymentIntentCreateOptions { Amount = 1500, Currency = "eur" }), cancellationToken: Ct);
        var confirm = new PaymentIntentConfirmOptions { PaymentMethod = method.Id, MandateData = Debit(method.Id, online: true).MandateData };
        var once = new RequestOptions { IdempotencyKey = "sepa-confirm-1" };

        var first = await stripe.V1.PaymentIntents.ConfirmAsync(intent.Id, confirm, once, Ct);
        var replay = await stripe.V1.PaymentIntents.ConfirmAsync(intent.Id, confirm, once, Ct);

        Assert.Equal(("processing", first.LatestChargeId), (replay.Status, replay.LatestChargeId));
        Assert.Single((await stripe.V1.Charges.ListAsync(new ChargeListOptions { PaymentIntent = intent.Id }, cancellationToken: Ct)).Data);
        await sandbox.AdvanceAsync(StripeBankDebits.SettlementDelay);
        var settled = await stripe.V1.Events.ListAsync(new EventListOptions { Type = "payment_intent.succeeded" }, cancellationToken: Ct);
        Assert.Single(settled.Data);
        Assert.Equal(1500, (await stripe.V1.PaymentIntents.GetAsync(intent.Id, cancellationToken: Ct)).AmountReceived);
    }

    [Fact]
    public async Task A_debit_processing_when_the_sandbox_stops_still_settles_after_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var options = new SandboxOptions { DataDirectory = data, BasePort = 0, Clock = clock };
        string intentId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            intentId = (await before.V1.PaymentIntents.CreateAsync(Debit((await SepaAsync(before, Fails)).Id, online: true), cancellationToken: Ct)).Id;
        }

        await using var second = await SandboxServer.StartAsync(options, Ct);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
        Assert.Equal("processing", (await stripe.V1.PaymentIntents.GetAsync(intentId, cancellationToken: Ct)).Status);
        using var control = new HttpClient { BaseAddress = new Uri(second.ControlBaseUrl) };
        using var advanced = await control.PostAsync(new Uri("/control/clock/advance", UriKind.Relative),
            System.Net.Http.Json.JsonContent.Create(new { seconds = (long)StripeBankDebits.SettlementDelay.TotalSeconds }), Ct);
        advanced.EnsureSuccessStatusCode();

        var intent = await stripe.V1.PaymentIntents.GetAsync(intentId, cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", "insufficient_funds"), (intent.Status, intent.LastPaymentError.Code));
    }

    private static async Task<(string Status, string Method)> MandateAsync(StripeClient stripe, string id)
    {
        var mandate = await stripe.V1.Mandates.GetAsync(id, cancellationToken: Ct);
        return (mandate.Status, mandate.PaymentMethodId);
    }

    private static async Task<(HttpStatusCode, string)> RefusedWith(Func<Task> call)
    {
        var refusal = await Assert.ThrowsAsync<StripeException>(call);
        return (refusal.HttpStatusCode, refusal.StripeError.Code);
    }
}
