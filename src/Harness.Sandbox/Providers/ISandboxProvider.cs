using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Http;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Providers;

/// <summary>Where the pay page sends the buyer next: the merchant's URL, or a message when there is none.</summary>
public sealed record PayPageOutcome(string? RedirectUrl, string Message);

/// <summary>
/// One simulated provider. The sandbox core gives it a listener of its own, the pay page, expiry, the
/// callback dispatcher and faults; the provider supplies its wire API, its error shape, its credentials and
/// what paying or expiring means for its objects. Adding a provider is one folder implementing this.
/// </summary>
public interface ISandboxProvider
{
    /// <summary>Lowercase key used in URLs, settings and faults (<c>stripe</c>).</summary>
    string Name { get; }

    string Title { get; }

    /// <summary>The merchant settings it reads besides <c>webhook_url</c>, which every provider has (the dashboard offers them).</summary>
    IReadOnlyList<string> SettingNames => [];

    /// <summary>
    /// What a callback's body says where the wire hides it from a person (WeChat Pay's encrypted resource), for the
    /// dashboard; null when the body says it all.
    /// </summary>
    string? Readable(CallbackDelivery delivery) => null;

    /// <summary>Its own recurring billing as the operator drives it (Stripe, Creem); null when it bills nothing by itself.</summary>
    ISandboxSubscriptions? Subscriptions => null;

    /// <summary>
    /// The provider's own object behind a payment, as its API answers for it (a Checkout Session, an Epay order's
    /// query), for the dashboard; null if the provider holds none under the payment's id.
    /// </summary>
    JsonObject? ObjectOf(SandboxPayment payment);

    /// <summary>Error shape for requests no handler answered (unknown route, unreadable body, injected 5xx).</summary>
    IErrorEnvelope Errors { get; }

    /// <summary>Signers the dispatcher calls for this provider's callbacks.</summary>
    IEnumerable<ICallbackSigner> Signers { get; }

    /// <summary>The merchant credentials a backend is configured with, as published by the control API.</summary>
    IReadOnlyDictionary<string, string> Credentials { get; }

    /// <summary>
    /// Middleware that wraps everything else on the provider's listener, error answers included (WeChat Pay signs
    /// every answer); null when the provider needs none.
    /// </summary>
    Action<IApplicationBuilder>? Outermost => null;

    /// <summary>Why a merchant setting cannot take this value (the control API answers 400 with it); null when it can.</summary>
    string? RefuseSetting(string key, string value) => null;

    /// <summary>Adds the provider's wire API (and any middleware it needs) to its own listener.</summary>
    void MapApi(WebApplication app);

    /// <summary>
    /// The buyer opened the pay page of an open payment (GET /pay/{id}): for Alipay this is the "scan" that makes a
    /// precreated trade exist. Most providers have nothing to do.
    /// </summary>
    void OnViewed(SandboxPayment payment)
    {
    }

    /// <summary>
    /// The test cards the hosted page asks for and lists when the provider's checkout takes a card (Stripe, Creem): their
    /// outcomes decide the payment. Null keeps the page's plain Pay, Fail and Cancel (QR codes, redirects, 3-D Secure).
    /// </summary>
    IReadOnlyList<TestCard>? CheckoutCards(SandboxPayment payment) => null;

    /// <summary>Whether the hosted page of this open payment offers a promotion-code field (Stripe's <c>allow_promotion_codes</c>).</summary>
    bool OffersPromotionCodes(SandboxPayment payment) => false;

    /// <summary>
    /// The buyer applied a promotion code on the page: null when it now applies (the payment's amount revised), else
    /// the words the page shows, nothing changed.
    /// </summary>
    string? ApplyPromotionCode(SandboxPayment payment, string code) => "This checkout does not take promotion codes.";

    /// <summary>
    /// The test bank accounts of a debit the hosted page offers beside the card form (Stripe's SEPA Direct Debit when the
    /// session lists it); null when the checkout takes no debit.
    /// </summary>
    IReadOnlyList<TestBankAccount>? DebitAccounts(SandboxPayment payment) => null;

    /// <summary>The buyer paid: the core has already moved the payment from open to paid, exactly once.</summary>
    PayPageOutcome OnPaid(SandboxPayment payment);

    /// <summary>
    /// The buyer's card was declined on the pay page (<paramref name="card"/> with its test outcome), or the control API
    /// failed the payment (no card): the payment stays open. A provider whose object records the attempt (a Stripe
    /// PaymentIntent) answers where the buyer goes; null keeps the page's own message.
    /// </summary>
    PayPageOutcome? OnDeclined(SandboxPayment payment, CardEntry? card, CardOutcome? outcome) => null;

    /// <summary>
    /// The buyer authorised a debit from one of <see cref="DebitAccounts"/>: the core has moved the payment to paid (the
    /// buyer's part is done), and the provider settles the debit later, as the bank would.
    /// </summary>
    PayPageOutcome OnDebited(SandboxPayment payment, TestBankAccount account) =>
        throw new NotSupportedException($"{Name} offers no debit, so none can be authorised.");

    /// <summary>The buyer left the pay page; the payment stays open until it expires, as on the real hosted pages.</summary>
    PayPageOutcome OnCanceled(SandboxPayment payment);

    /// <summary>Called once when an open payment passes its expiry time.</summary>
    void OnExpired(SandboxPayment payment);

    /// <summary>The next moment the provider has time-driven work of its own (Stripe: a renewal or retry); null when none.</summary>
    DateTimeOffset? NextDueAt() => null;

    /// <summary>Does the provider's time-driven work that the sandbox clock has reached; the scheduler calls it on every step.</summary>
    Task RunDueAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Adds hosted pages of the provider's own to the control listener, beside the pay pages (Stripe's customer portal);
    /// they are for a browser, so they stay out of the control API's OpenAPI document.
    /// </summary>
    void MapPages(IEndpointRouteBuilder pages)
    {
    }

    /// <summary>
    /// Adds provider-specific control routes under <c>/control/{name}</c> (they appear in the control app's OpenAPI
    /// document); <paramref name="scheduler"/> runs what a clock move made due before a route answers.
    /// </summary>
    void MapControl(IEndpointRouteBuilder control, SandboxScheduler scheduler)
    {
    }
}
