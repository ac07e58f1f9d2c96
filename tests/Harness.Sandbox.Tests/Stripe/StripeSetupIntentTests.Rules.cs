using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>SetupIntents listed and paged, refused, kept across a restart, and the Checkout setup session's one among them.</summary>
public sealed partial class StripeSetupIntentTests
{
    [Fact]
    public async Task The_list_filters_by_customer_payment_method_and_created_and_pages_both_ways()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var first = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var second = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var mine = new List<SetupIntent>();
        for (var i = 0; i < 3; i++)
        {
            mine.Add(await stripe.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { Customer = first.Id }, cancellationToken: Ct));
            await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        }

        var theirs = await stripe.V1.SetupIntents.CreateAsync(Confirmed(second.Id, "pm_card_visa"), cancellationToken: Ct);

        var page = await stripe.V1.SetupIntents.ListAsync(new SetupIntentListOptions { Customer = first.Id, Limit = 2 }, cancellationToken: Ct);
        Assert.Equal([mine[2].Id, mine[1].Id], page.Data.Select(s => s.Id));
        Assert.True(page.HasMore);
        var next = await stripe.V1.SetupIntents.ListAsync(new SetupIntentListOptions { Customer = first.Id, Limit = 2, StartingAfter = mine[1].Id }, cancellationToken: Ct);
        Assert.Equal([mine[0].Id], next.Data.Select(s => s.Id));
        Assert.False(next.HasMore);
        var back = await stripe.V1.SetupIntents.ListAsync(new SetupIntentListOptions { Customer = first.Id, Limit = 1, EndingBefore = mine[0].Id }, cancellationToken: Ct);
        Assert.Equal([mine[1].Id], back.Data.Select(s => s.Id));
        Assert.True(back.HasMore);

        var byMethod = await stripe.V1.SetupIntents.ListAsync(new SetupIntentListOptions { PaymentMethod = theirs.PaymentMethodId }, cancellationToken: Ct);
        Assert.Equal([theirs.Id], byMethod.Data.Select(s => s.Id));
        var recent = await stripe.V1.SetupIntents.ListAsync(new SetupIntentListOptions { Created = new DateRangeOptions { GreaterThan = mine[1].Created } }, cancellationToken: Ct);
        Assert.Equal([theirs.Id, mine[2].Id], recent.Data.Select(s => s.Id));
    }

    [Fact]
    public async Task What_is_not_simulated_unknown_or_in_the_wrong_state_is_refused_in_Stripes_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var other = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);

        async Task<StripeError> Refused(Func<Task> call, HttpStatusCode status = HttpStatusCode.BadRequest)
        {
            var refusal = await Assert.ThrowsAsync<StripeException>(call);
            Assert.Equal(status, refusal.HttpStatusCode);
            return refusal.StripeError;
        }

        var idealOptions = new SetupIntentCreateOptions();
        idealOptions.AddExtraParam("payment_method_types[0]", "ideal");
        var ideal = await Refused(() => stripe.V1.SetupIntents.CreateAsync(idealOptions, cancellationToken: Ct));
        Assert.Equal("payment_method_types", ideal.Param);
        Assert.Contains("is not simulated by the sandbox", ideal.Message, StringComparison.Ordinal);
        var mandate = new SetupIntentCreateOptions { Customer = customer.Id };
        mandate.AddExtraParam("mandate_data[customer_acceptance][type]", "telepathic");
        Assert.Equal("mandate_data[customer_acceptance][type]", (await Refused(() => stripe.V1.SetupIntents.CreateAsync(mandate, cancellationToken: Ct))).Param);
        var unknown = new SetupIntentCreateOptions();
        unknown.AddExtraParam("amount", "100");
        var unknownRefusal = await Refused(() => stripe.V1.SetupIntents.CreateAsync(unknown, cancellationToken: Ct));
        Assert.Equal(("parameter_unknown", "amount"), (unknownRefusal.Code, unknownRefusal.Param));
        Assert.Equal("usage", (await Refused(() => stripe.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { Usage = "sometimes" }, cancellationToken: Ct))).Param);
        var network = new SetupIntentCreateOptions { PaymentMethodOptions = new() { Card = new() { Network = "visa" } } };
        Assert.Equal("payment_method_options[card][network]", (await Refused(() => stripe.V1.SetupIntents.CreateAsync(network, cancellationToken: Ct))).Param);
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), await RefusedWith(() => stripe.V1.SetupIntents.GetAsync("seti_missing", cancellationToken: Ct)));

        var bare = await stripe.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { Customer = customer.Id }, cancellationToken: Ct);
        var missing = await Refused(() => stripe.V1.SetupIntents.ConfirmAsync(bare.Id, cancellationToken: Ct));
        Assert.Equal(("setup_intent_unexpected_state", bare.Id), (missing.Code, missing.SetupIntent.Id));
        Assert.StartsWith("You cannot confirm this SetupIntent because it's missing a payment method.", missing.Message, StringComparison.Ordinal);
        var secret = await Refused(() => stripe.V1.SetupIntents.GetAsync(bare.Id, new SetupIntentGetOptions { ClientSecret = bare.Id + "_secret_wrong" }, cancellationToken: Ct));
        Assert.Equal("client_secret", secret.Param);

        var saved = await stripe.V1.SetupIntents.CreateAsync(Confirmed(other.Id, "pm_card_visa"), cancellationToken: Ct);
        var foreign = await Refused(() => stripe.V1.SetupIntents.ConfirmAsync(bare.Id, new SetupIntentConfirmOptions { PaymentMethod = saved.PaymentMethodId }, cancellationToken: Ct));
        Assert.Equal($"The PaymentMethod {saved.PaymentMethodId} does not belong to the Customer you supplied {customer.Id}. Please use this PaymentMethod with the Customer that it belongs to instead.", foreign.Message);
        var guest = await Refused(() => stripe.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { PaymentMethod = saved.PaymentMethodId }, cancellationToken: Ct));
        Assert.StartsWith($"The payment method supplied ({saved.PaymentMethodId}) belongs to the Customer {other.Id}.", guest.Message, StringComparison.Ordinal);
        var change = await Refused(() => stripe.V1.SetupIntents.UpdateAsync(saved.Id, new SetupIntentUpdateOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct));
        Assert.Equal(("setup_intent_unexpected_state", "You cannot update this SetupIntent because it has a status of succeeded."), (change.Code, change.Message));
        var relabeled = await stripe.V1.SetupIntents.UpdateAsync(saved.Id, new SetupIntentUpdateOptions { Metadata = new() { ["note"] = "kept" } }, cancellationToken: Ct);
        Assert.Equal("kept", relabeled.Metadata["note"]);
        Assert.Equal("setup_intent", (await Refused(() => stripe.V1.SetupAttempts.ListAsync(new SetupAttemptListOptions(), cancellationToken: Ct))).Param);
    }

    private static async Task<(HttpStatusCode, string)> RefusedWith(Func<Task> call)
    {
        var refusal = await Assert.ThrowsAsync<StripeException>(call);
        return (refusal.HttpStatusCode, refusal.StripeError.Code);
    }

    [Fact]
    public async Task A_setup_sessions_SetupIntent_is_listed_and_retrieved_by_the_same_routes_and_only_the_session_settles_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "setup", Currency = "usd", Customer = customer.Id, SuccessUrl = "https://merchant.example/saved",
        }, cancellationToken: Ct);

        var listed = await stripe.V1.SetupIntents.ListAsync(new SetupIntentListOptions { Customer = customer.Id }, cancellationToken: Ct);
        Assert.Equal([session.SetupIntentId], listed.Data.Select(s => s.Id));
        var cancel = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SetupIntents.CancelAsync(session.SetupIntentId, cancellationToken: Ct));
        Assert.Equal("setup_intent_unexpected_state", cancel.StripeError.Code);
        var confirm = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SetupIntents.ConfirmAsync(session.SetupIntentId, new SetupIntentConfirmOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct));
        Assert.Equal("setup_intent_unexpected_state", confirm.StripeError.Code);

        await sandbox.ActAsync(session.Id, "pay");
        var done = await stripe.V1.SetupIntents.GetAsync(session.SetupIntentId, cancellationToken: Ct);
        Assert.Equal(("succeeded", customer.Id), (done.Status, done.CustomerId));
        var attempt = Assert.Single(await AttemptsAsync(stripe, done.Id));
        Assert.Equal(("succeeded", done.PaymentMethodId), (attempt.Status, attempt.PaymentMethodId));
    }

    [Fact]
    public async Task SetupIntents_and_their_attempts_survive_a_restart_and_confirm_afterwards()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions
        {
            DataDirectory = data,
            BasePort = 0,
            Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)),
        };
        string pending, declined, customer;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            customer = (await before.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct)).Id;
            pending = (await before.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { Customer = customer, PaymentMethod = "pm_card_amex" }, cancellationToken: Ct)).Id;
            var refusal = await Assert.ThrowsAsync<StripeException>(() => before.V1.SetupIntents.CreateAsync(Confirmed(customer, "pm_card_chargeDeclinedExpiredCard"), cancellationToken: Ct));
            declined = refusal.StripeError.SetupIntent.Id;
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            Assert.Equal("expired_card", (await stripe.V1.SetupIntents.GetAsync(declined, cancellationToken: Ct)).LastSetupError.Code);
            Assert.Equal("failed", Assert.Single(await AttemptsAsync(stripe, declined)).Status);
            var confirmed = await stripe.V1.SetupIntents.ConfirmAsync(pending, cancellationToken: Ct);
            Assert.Equal(("succeeded", "amex"), (confirmed.Status, (await stripe.V1.PaymentMethods.GetAsync(confirmed.PaymentMethodId, cancellationToken: Ct)).Card.Brand));
            Assert.Equal(2, (await stripe.V1.SetupIntents.ListAsync(new SetupIntentListOptions { Customer = customer }, cancellationToken: Ct)).Data.Count);
        }

        Directory.Delete(data, recursive: true);
    }
}
