using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>PaymentMethod objects through Stripe.net: made from test tokens and test ids, saved to customers, updated, detached.</summary>
public sealed class StripePaymentMethodTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static PaymentMethodCreateOptions FromToken(string token) =>
        new() { Type = "card", Card = new PaymentMethodCardOptions { Token = token }, BillingDetails = new PaymentMethodBillingDetailsOptions { Name = "Ada Lovelace" } };

    [Fact]
    public async Task A_card_from_a_test_token_is_saved_to_a_customer_listed_updated_and_detached_with_its_webhooks()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "ada@example.com" }, cancellationToken: Ct);

        var method = await stripe.V1.PaymentMethods.CreateAsync(FromToken("tok_mastercard"), cancellationToken: Ct);
        Assert.StartsWith("pm_", method.Id, StringComparison.Ordinal);
        Assert.Equal(("card", "mastercard", "4444", "credit", "US"), (method.Type, method.Card.Brand, method.Card.Last4, method.Card.Funding, method.Card.Country));
        Assert.Equal((12L, 2034L, "Ada Lovelace"), (method.Card.ExpMonth, method.Card.ExpYear, method.BillingDetails.Name));
        Assert.Null(method.CustomerId);
        // One card number, one fingerprint.
        var again = await stripe.V1.PaymentMethods.CreateAsync(FromToken("tok_mastercard"), cancellationToken: Ct);
        Assert.Equal(method.Card.Fingerprint, again.Card.Fingerprint);
        Assert.NotEqual(method.Card.Fingerprint, (await stripe.V1.PaymentMethods.CreateAsync(FromToken("tok_visa"), cancellationToken: Ct)).Card.Fingerprint);

        var attached = await stripe.V1.PaymentMethods.AttachAsync(method.Id, new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct);
        Assert.Equal(customer.Id, attached.CustomerId);
        var listed = await stripe.V1.Customers.PaymentMethods.ListAsync(customer.Id, cancellationToken: Ct);
        Assert.Equal([method.Id], listed.Data.Select(m => m.Id));
        var byQuery = await stripe.V1.PaymentMethods.ListAsync(new PaymentMethodListOptions { Customer = customer.Id, Type = "card" }, cancellationToken: Ct);
        Assert.Equal([method.Id], byQuery.Data.Select(m => m.Id));
        Assert.Equal(method.Id, (await stripe.V1.Customers.PaymentMethods.GetAsync(customer.Id, method.Id, cancellationToken: Ct)).Id);

        var updated = await stripe.V1.PaymentMethods.UpdateAsync(method.Id, new PaymentMethodUpdateOptions
        {
            BillingDetails = new PaymentMethodBillingDetailsOptions { Email = "ada@example.com", Address = new AddressOptions { Country = "GB", PostalCode = "N1 9GU" } },
            Metadata = new() { ["label"] = "work card" },
        }, cancellationToken: Ct);
        Assert.Equal(("Ada Lovelace", "ada@example.com", "GB", "N1 9GU", "work card"),
            (updated.BillingDetails.Name, updated.BillingDetails.Email, updated.BillingDetails.Address.Country, updated.BillingDetails.Address.PostalCode, updated.Metadata["label"]));

        var detached = await stripe.V1.PaymentMethods.DetachAsync(method.Id, cancellationToken: Ct);
        Assert.Null(detached.CustomerId);
        Assert.Empty((await stripe.V1.Customers.PaymentMethods.ListAsync(customer.Id, cancellationToken: Ct)).Data);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "payment_method.detached") == 1);
        Assert.Equal(["payment_method.attached", "payment_method.updated", "payment_method.detached"], events.Select(e => e.Type));
        Assert.Equal(customer.Id, ((PaymentMethod)events[0].Data.Object).CustomerId);
        Assert.Equal("work card", ((PaymentMethod)events[1].Data.Object).Metadata["label"]);
        Assert.True(events[1].Data.PreviousAttributes is not null);
        Assert.Null(((PaymentMethod)events[2].Data.Object).CustomerId);
    }

    [Fact]
    public async Task A_test_id_used_on_a_customer_or_an_intent_makes_a_fresh_PaymentMethod_each_time()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { PaymentMethod = "pm_card_visa", InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = "pm_card_visa" } }, cancellationToken: Ct);
        var saved = customer.InvoiceSettings.DefaultPaymentMethodId;
        Assert.StartsWith("pm_", saved, StringComparison.Ordinal);
        Assert.NotEqual(StripeTestPaymentMethods.Visa, saved);
        Assert.Equal(customer.Id, (await stripe.V1.PaymentMethods.GetAsync(saved, cancellationToken: Ct)).CustomerId);

        var second = await stripe.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct);
        Assert.NotEqual(saved, second.Id);
        Assert.Equal(2, (await stripe.V1.Customers.PaymentMethods.ListAsync(customer.Id, cancellationToken: Ct)).Data.Count);

        var intent = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1000, Currency = "usd", PaymentMethod = "pm_card_amex", Confirm = true }, cancellationToken: Ct);
        Assert.StartsWith("pm_", intent.PaymentMethodId, StringComparison.Ordinal);
        Assert.NotEqual("pm_card_amex", intent.PaymentMethodId);
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct);
        Assert.Equal((intent.PaymentMethodId, "8431"), (charge.PaymentMethod, charge.PaymentMethodDetails.Card.Last4));

        // Reading a test id makes nothing: it reads as its card.
        var read = await stripe.V1.PaymentMethods.GetAsync("pm_card_mastercard", cancellationToken: Ct);
        Assert.Equal(("pm_card_mastercard", "4444"), (read.Id, read.Card.Last4));
        Assert.Equal(3, (await stripe.V1.PaymentMethods.ListAsync(cancellationToken: Ct)).Data.Count);
    }

    [Fact]
    public async Task The_usual_mistakes_get_Stripes_errors()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var ada = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "ada@example.com" }, cancellationToken: Ct);
        var bob = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "bob@example.com" }, cancellationToken: Ct);
        var card = await stripe.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = ada.Id }, cancellationToken: Ct);

        var unknown = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentMethods.GetAsync("pm_nothing", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing", "No such PaymentMethod: 'pm_nothing'"), (unknown.HttpStatusCode, unknown.StripeError.Code, unknown.StripeError.Message));

        var taken = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentMethods.AttachAsync(card.Id, new PaymentMethodAttachOptions { Customer = bob.Id }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "The payment method you provided has already been attached to a customer."), (taken.HttpStatusCode, taken.StripeError.Message));
        // Attaching it to its own customer again changes nothing.
        Assert.Equal(ada.Id, (await stripe.V1.PaymentMethods.AttachAsync(card.Id, new PaymentMethodAttachOptions { Customer = ada.Id }, cancellationToken: Ct)).CustomerId);

        await stripe.V1.PaymentMethods.DetachAsync(card.Id, cancellationToken: Ct);
        var detachedAgain = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentMethods.DetachAsync(card.Id, cancellationToken: Ct));
        Assert.Equal("The payment method you provided is not attached to a customer so detachment is impossible.", detachedAgain.StripeError.Message);
        var reused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentMethods.AttachAsync(card.Id, new PaymentMethodAttachOptions { Customer = bob.Id }, cancellationToken: Ct));
        Assert.Equal(("payment_method_unexpected_state", true), (reused.StripeError.Code, reused.StripeError.Message.StartsWith("This PaymentMethod was previously used without being attached", StringComparison.Ordinal)));
        var payWithIt = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.CreateAsync(
            new PaymentIntentCreateOptions { Amount = 1000, Currency = "usd", PaymentMethod = card.Id, Confirm = true }, cancellationToken: Ct));
        Assert.Equal(("payment_method_unexpected_state", "payment_method"), (payWithIt.StripeError.Code, payWithIt.StripeError.Param));

        var loose = await stripe.V1.PaymentMethods.CreateAsync(FromToken("tok_visa"), cancellationToken: Ct);
        var notSaved = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentMethods.UpdateAsync(loose.Id, new PaymentMethodUpdateOptions { Metadata = new() { ["a"] = "b" } }, cancellationToken: Ct));
        Assert.Equal("You must save this PaymentMethod to a customer before you can update it.", notSaved.StripeError.Message);

        // Attaching checks the card, as Stripe does: a declining test card cannot be saved; 0341 can (its charges fail).
        var declined = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentMethods.AttachAsync("pm_card_chargeDeclined", new PaymentMethodAttachOptions { Customer = bob.Id }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_error", "card_declined"), (declined.HttpStatusCode, declined.StripeError.Type, declined.StripeError.Code));
        Assert.Equal(bob.Id, (await stripe.V1.PaymentMethods.AttachAsync("pm_card_chargeCustomerFail", new PaymentMethodAttachOptions { Customer = bob.Id }, cancellationToken: Ct)).CustomerId);

        var notBobs = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Customers.UpdateAsync(bob.Id, new CustomerUpdateOptions
        {
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = loose.Id },
        }, cancellationToken: Ct));
        Assert.Equal(("invoice_settings[default_payment_method]", $"The customer does not have a payment method with the ID {loose.Id}. The payment method must be attached to the customer."),
            (notBobs.StripeError.Param, notBobs.StripeError.Message));
    }

    [Theory]
    [InlineData("card[token]=tok_visa", "type", "parameter_missing")]
    [InlineData("type=ideal&card[token]=tok_visa", "type", "parameter_invalid")]
    [InlineData("type=card", "card", "parameter_missing")]
    [InlineData("type=card&card[exp_month]=12", "card[token]", "parameter_missing")]
    [InlineData("type=card&card[token]=tok_nonsense", "card[token]", "resource_missing")]
    [InlineData("type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034", "card[number]", "parameter_invalid")]
    [InlineData("type=card&card[token]=tok_visa&billing_details[colour]=blue", "billing_details", "parameter_invalid")]
    [InlineData("type=card&card[token]=tok_visa&allow_redisplay=sometimes", "allow_redisplay", "parameter_invalid")]
    [InlineData("type=card&card[token]=tok_visa&colour=blue", "colour", "parameter_unknown")]
    public async Task Bad_creates_are_refused_in_Stripes_envelope_naming_the_param(string form, string param, string code)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = StripeErrorTests.Http(sandbox);
        using var response = await http.PostAsync("/v1/payment_methods", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode is 400 or 404, body);
        Assert.Contains($"\"param\":\"{param}\"", body, StringComparison.Ordinal);
        Assert.Contains($"\"code\":\"{code}\"", body, StringComparison.Ordinal);
        Assert.Empty((await Client(sandbox).V1.PaymentMethods.ListAsync(cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task Saved_cards_and_defaults_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-pm-" + Guid.NewGuid().ToString("N"));
        string customerId, methodId;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var stripe = Client(first);
            customerId = (await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "kept@example.com" }, cancellationToken: Ct)).Id;
            methodId = (await stripe.V1.PaymentMethods.AttachAsync("pm_card_mastercard", new PaymentMethodAttachOptions { Customer = customerId }, cancellationToken: Ct)).Id;
            await stripe.V1.Customers.UpdateAsync(customerId, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = methodId } }, cancellationToken: Ct);
        }

        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var stripe = Client(second);
            Assert.Equal(methodId, (await stripe.V1.Customers.GetAsync(customerId, cancellationToken: Ct)).InvoiceSettings.DefaultPaymentMethodId);
            var kept = await stripe.V1.PaymentMethods.GetAsync(methodId, cancellationToken: Ct);
            Assert.Equal((customerId, "4444"), (kept.CustomerId, kept.Card.Last4));
            var paid = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = 1200, Currency = "usd", Customer = customerId, PaymentMethod = methodId, Confirm = true, OffSession = true,
            }, cancellationToken: Ct);
            Assert.Equal(("succeeded", methodId), (paid.Status, paid.PaymentMethodId));
        }

        Directory.Delete(data, recursive: true);
    }
}
