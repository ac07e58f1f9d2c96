using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// SEPA Direct Debit through the PaymentMethods, PaymentIntents, SetupIntents and Mandates APIs, read through Stripe.net:
/// a debit is <c>processing</c>, then settles on the sandbox clock as its test IBAN says.
/// </summary>
public sealed partial class StripeBankDebitApiTests
{
    internal const string Settles = "DE89370400440532013000";
    internal const string Fails = "DE62370400440532013001";

    private const string Invalid = "The IBAN provided appears to be invalid. Request the customer to check their information and try again.";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sepa_debit_PaymentMethod_shows_its_account_and_is_attached_listed_by_type_and_detached()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);

        var method = await SepaAsync(stripe, "de89 3704 0044 0532 0130 00");
        Assert.Equal(("sepa_debit", "3000", "37040044", "DE"), (method.Type, method.SepaDebit.Last4, method.SepaDebit.BankCode, method.SepaDebit.Country));
        Assert.Equal(("Jenny Rosen", "jenny@example.com"), (method.BillingDetails.Name, method.BillingDetails.Email));
        Assert.Equal((await SepaAsync(stripe, Settles)).SepaDebit.Fingerprint, method.SepaDebit.Fingerprint);
        Assert.NotEqual((await SepaAsync(stripe, Fails)).SepaDebit.Fingerprint, method.SepaDebit.Fingerprint);
        Assert.Null(method.Card);

        await stripe.V1.PaymentMethods.AttachAsync(method.Id, new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct);
        await stripe.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct);
        var debits = await stripe.V1.Customers.PaymentMethods.ListAsync(customer.Id, new CustomerPaymentMethodListOptions { Type = "sepa_debit" }, cancellationToken: Ct);
        Assert.Equal([method.Id], debits.Data.Select(m => m.Id));
        Assert.Equal(2, (await stripe.V1.Customers.PaymentMethods.ListAsync(customer.Id, cancellationToken: Ct)).Data.Count);

        var detached = await stripe.V1.PaymentMethods.DetachAsync(method.Id, cancellationToken: Ct);
        Assert.Null(detached.CustomerId);
        Assert.Empty((await stripe.V1.Customers.PaymentMethods.ListAsync(customer.Id, new CustomerPaymentMethodListOptions { Type = "sepa_debit" }, cancellationToken: Ct)).Data);
    }

    [Theory]
    [InlineData("sepa_debit[iban]=DE00370400440532013000&billing_details[name]=J&billing_details[email]=j@example.com", "sepa_debit[iban]", Invalid)]
    [InlineData("sepa_debit[iban]=DE89&billing_details[name]=J&billing_details[email]=j@example.com", "sepa_debit[iban]", Invalid)]
    [InlineData("sepa_debit[iban]=&billing_details[name]=J&billing_details[email]=j@example.com", "sepa_debit[iban]", Invalid)]
    [InlineData("sepa_debit[iban]=GB82WEST12345698765432&billing_details[name]=J&billing_details[email]=j@example.com", "sepa_debit[iban]", "Your request was in test mode, but used a non test bank account. Use one of the test IBANs below.")]
    [InlineData("billing_details[name]=J&billing_details[email]=j@example.com", "sepa_debit", "Missing required param: sepa_debit.")]
    [InlineData("sepa_debit[bic]=X&billing_details[name]=J", "sepa_debit[bic]", "Received unknown parameter: sepa_debit[bic]")]
    [InlineData("sepa_debit[iban]=DE89370400440532013000&billing_details[email]=j@example.com", "billing_details[name]", "Missing required param: billing_details[name].")]
    [InlineData("sepa_debit[iban]=DE89370400440532013000&billing_details[name]=J", "billing_details[email]", "Missing required param: billing_details[email].")]
    [InlineData("sepa_debit[iban]=DE89370400440532013000&billing_details[name]=J&billing_details[email]=j@example.com&card[token]=tok_visa", "card", "You cannot provide `card` when `type` is `sepa_debit`.")]
    public async Task A_bad_sepa_debit_PaymentMethod_is_refused_naming_the_param(string form, string param, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = StripeErrorTests.Http(sandbox);

        using var response = await http.PostAsync("/v1/payment_methods", new StringContent("type=sepa_debit&" + form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal(("invalid_request_error", param, message), (error["type"]!.GetValue<string>(), error["param"]!.GetValue<string>(), error["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_debit_is_processing_then_succeeds_on_the_clock_with_the_charge_mandate_balance_and_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var method = await SepaAsync(stripe, Settles);

        var intent = await stripe.V1.PaymentIntents.CreateAsync(Debit(method.Id, online: true), cancellationToken: Ct);
        Assert.Equal(("processing", 0L), (intent.Status, intent.AmountReceived));
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct);
        Assert.Equal(("pending", false, "sepa_debit", "3000"), (charge.Status, charge.Paid, charge.PaymentMethodDetails.Type, charge.PaymentMethodDetails.SepaDebit.Last4));
        Assert.Null(charge.BalanceTransactionId);
        var mandate = await stripe.V1.Mandates.GetAsync(charge.PaymentMethodDetails.SepaDebit.Mandate, cancellationToken: Ct);
        Assert.Equal(("active", "multi_use", method.Id, "online"), (mandate.Status, mandate.Type, mandate.PaymentMethodId, mandate.CustomerAcceptance.Type));
        Assert.Equal(("203.0.113.7", "Mozilla/5.0"), (mandate.CustomerAcceptance.Online.IpAddress, mandate.CustomerAcceptance.Online.UserAgent));
        Assert.Equal("sepa_debit", mandate.PaymentMethodDetails.Type);
        Assert.Equal(mandate.Id, await MandateOfAsync(sandbox, intent.Id));

        await sandbox.AdvanceAsync(StripeBankDebits.SettlementDelay - TimeSpan.FromSeconds(1));
        Assert.Equal("processing", (await stripe.V1.PaymentIntents.GetAsync(intent.Id, cancellationToken: Ct)).Status);
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));

        intent = await stripe.V1.PaymentIntents.GetAsync(intent.Id, cancellationToken: Ct);
        Assert.Equal(("succeeded", 1500L), (intent.Status, intent.AmountReceived));
        charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, new ChargeGetOptions { Expand = ["balance_transaction"] }, cancellationToken: Ct);
        Assert.Equal(("succeeded", true, 1500L), (charge.Status, charge.Paid, charge.BalanceTransaction.Amount));
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "payment_intent.succeeded") == 1);
        Assert.Equal(["payment_intent.created", "charge.pending", "payment_intent.processing", "charge.succeeded", "payment_intent.succeeded"], events.Select(e => e.Type));

        // Settled once: a day later nothing more is sent.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(5, receiver.All.Count);
    }

    [Fact]
    public async Task A_debit_from_the_failing_IBAN_goes_back_to_requires_payment_method_with_payment_failed()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var method = await SepaAsync(stripe, Fails);

        var intent = await stripe.V1.PaymentIntents.CreateAsync(Debit(method.Id, online: false), cancellationToken: Ct);
        Assert.Equal("processing", intent.Status);
        var again = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.ConfirmAsync(intent.Id, cancellationToken: Ct));
        Assert.Equal(("payment_intent_unexpected_state", "You cannot confirm this PaymentIntent because it has a status of processing."), (again.StripeError.Code, again.StripeError.Message));
        await sandbox.AdvanceAsync(StripeBankDebits.SettlementDelay);

        intent = await stripe.V1.PaymentIntents.GetAsync(intent.Id, cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", "insufficient_funds", 0L), (intent.Status, intent.LastPaymentError.Code, intent.AmountReceived));
        Assert.Equal(method.Id, intent.LastPaymentError.PaymentMethod.Id);
        Assert.Null(intent.PaymentMethodId);
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct);
        Assert.Equal(("failed", "insufficient_funds"), (charge.Status, charge.FailureCode));
        Assert.Equal(["charge.failed", "payment_intent.payment_failed"], await NewestTypesAsync(stripe, 2));
        var offline = await stripe.V1.Mandates.GetAsync(charge.PaymentMethodDetails.SepaDebit.Mandate, cancellationToken: Ct);
        Assert.Equal("offline", offline.CustomerAcceptance.Type);
    }

    [Fact]
    public async Task A_settled_debit_refunds_pending_then_succeeded_and_a_processing_one_does_not_refund()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var intent = await stripe.V1.PaymentIntents.CreateAsync(Debit((await SepaAsync(stripe, Settles)).Id, online: true), cancellationToken: Ct);

        var early = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }, cancellationToken: Ct));
        Assert.Equal("charge_not_refundable", early.StripeError.Code);
        await sandbox.AdvanceAsync(StripeBankDebits.SettlementDelay);

        var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 500 }, cancellationToken: Ct);
        Assert.Equal(("pending", 500L), (refund.Status, refund.Amount));
        await sandbox.AdvanceAsync(StripeRefunds.SettlementDelay);
        Assert.Equal("succeeded", (await stripe.V1.Refunds.GetAsync(refund.Id, cancellationToken: Ct)).Status);
        Assert.Equal(500, (await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).AmountRefunded);
    }

    internal static StripeClient Client(TestSandbox sandbox) => new(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));

    internal static Task<PaymentMethod> SepaAsync(StripeClient stripe, string iban) => stripe.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions
    {
        Type = "sepa_debit",
        SepaDebit = new PaymentMethodSepaDebitOptions { Iban = iban },
        BillingDetails = new PaymentMethodBillingDetailsOptions { Name = "Jenny Rosen", Email = "jenny@example.com" },
    }, cancellationToken: Ct);

    /// <summary>A euro PaymentIntent for SEPA Direct Debit confirmed at once with <paramref name="method"/> and a mandate accepted online or offline.</summary>
    internal static PaymentIntentCreateOptions Debit(string method, bool online, string? customer = null) => Sepa(new PaymentIntentCreateOptions
    {
        Amount = 1500,
        Currency = "eur",
        Customer = customer,
        PaymentMethod = method,
        Confirm = true,
        MandateData = new PaymentIntentMandateDataOptions
        {
            CustomerAcceptance = online
                ? new PaymentIntentMandateDataCustomerAcceptanceOptions
                {
                    Type = "online",
                    Online = new PaymentIntentMandateDataCustomerAcceptanceOnlineOptions { IpAddress = "203.0.113.7", UserAgent = "Mozilla/5.0" },
                }
                : new PaymentIntentMandateDataCustomerAcceptanceOptions { Type = "offline" },
        },
    });

    /// <summary>
    /// <c>payment_method_types[]=sepa_debit</c>, which Stripe.net 53's options no longer model (Stripe prefers dynamic
    /// payment methods); the API still takes it.
    /// </summary>
    internal static T Sepa<T>(T options)
        where T : BaseOptions
    {
        options.AddExtraParam("payment_method_types[0]", "sepa_debit");
        return options;
    }

    /// <summary>The newest events' types, oldest of them first.</summary>
    internal static async Task<List<string>> NewestTypesAsync(StripeClient stripe, int count) =>
        [.. (await stripe.V1.Events.ListAsync(new EventListOptions { Limit = count }, cancellationToken: Ct)).Data.Select(e => e.Type).Reverse()];

    /// <summary>The intent's <c>mandate</c>, which Stripe.net's PaymentIntent does not model: read from the raw answer.</summary>
    private static async Task<string?> MandateOfAsync(TestSandbox sandbox, string intentId)
    {
        using var http = StripeErrorTests.Http(sandbox);
        return JsonNode.Parse(await http.GetStringAsync(new Uri($"/v1/payment_intents/{intentId}", UriKind.Relative), Ct))!["mandate"]?.GetValue<string>();
    }
}
