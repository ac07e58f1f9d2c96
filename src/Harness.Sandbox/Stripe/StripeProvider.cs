using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Callbacks;
using Harness.Http;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Stripe: Checkout Sessions and the objects they create, Bearer-key auth, bracket forms, idempotency keys,
/// <c>Request-Id</c> on every answer, Stripe's error envelope, and signed webhook events (providers.md §5, §8.4).
/// </summary>
public sealed partial class StripeProvider : ISandboxProvider
{
    public const string SecretKey = "sk_test_51HarnessSandbox0StripeSecretKey000000000";
    public const string PublishableKey = "pk_test_51HarnessSandbox0StripePublishableKey00000";
    public const string WebhookSecret = "whsec_HarnessSandboxStripeWebhookSecret0000";

    private const string SessionsPath = "/v1/checkout/sessions";

    /// <summary>Objects other than sessions that can be retrieved by id, by URL collection.</summary>
    private static readonly Dictionary<string, string> Retrievable = new(StringComparer.Ordinal)
    {
        ["customers"] = "customer",
        ["payment_intents"] = "payment_intent",
        ["subscriptions"] = "subscription",
        ["invoices"] = "invoice",
        ["refunds"] = "refund",
        ["charges"] = "charge",
        ["events"] = "event",
    };

    private readonly SandboxContext _context;
    private readonly ProviderObjects _objects;
    private readonly CheckoutSessions _sessions;
    private readonly StripeWebhooks _webhooks;
    private readonly StripeWebhookEndpoints _endpoints;
    private readonly StripeIdempotency _idempotency;
    private readonly StripeCustomers _customers;
    private readonly StripeBilling _billing;
    private readonly StripeSubscriptions _subscriptions;
    private readonly StripeSubscriptionSchedules _schedules;
    private readonly StripeInvoiceItems _invoiceItems;
    private readonly StripeInvoices _invoices;
    private readonly StripeStandaloneInvoices _standalone;
    private readonly StripeInvoiceLines _lines;
    private readonly StripeRefunds _refunds;
    private readonly StripeBankDebits _debits;
    private readonly StripePaymentIntents _intents;
    private readonly StripePaymentMethods _methods;
    private readonly StripeSetupIntents _setupIntents;
    private readonly StripeAuthorizations _authorizations;
    private readonly StripeDisputes _disputes;
    private readonly StripeEarlyFraudWarnings _warnings;
    private readonly StripePortalConfigurations _portalConfigurations;
    private readonly StripePortalSessions _portalSessions;
    private readonly StripeTaxRates _taxRates;
    private readonly StripeBalance _balance;
    private readonly StripeCreditNotes _creditNotes;
    private readonly StripePaymentLinks _paymentLinks;
    private readonly StripeQuotes _quotes;

    public StripeProvider(SandboxContext context)
    {
        _context = context;
        _objects = new ProviderObjects(context.Store, "stripe_objects");
        var catalog = new StripeCatalog(_objects, context.Clock);
        catalog.Seed();
        _endpoints = new StripeWebhookEndpoints(_objects, context.Clock);
        _webhooks = new StripeWebhooks(context, WebhookSecret, _objects, _endpoints);
        _methods = new StripePaymentMethods(context, _objects, _webhooks);
        _customers = new StripeCustomers(context, _objects, _methods, _webhooks);
        _setupIntents = new StripeSetupIntents(context, _objects, _webhooks, _methods);
        _authorizations = new StripeAuthorizations(context, _objects, _webhooks);
        _warnings = new StripeEarlyFraudWarnings(context, _objects, _webhooks);
        _disputes = new StripeDisputes(context, _objects, _webhooks, _warnings);
        _intents = new StripePaymentIntents(context, _objects, _webhooks, _methods, _authorizations, _disputes);
        _billing = new StripeBilling(_objects, _customers, _webhooks, _intents);
        _taxRates = new StripeTaxRates(_objects, context.Clock, _webhooks);
        _balance = new StripeBalance(_objects, context.Clock);
        var discounts = CreateDiscounts(context);
        _subscriptions = new StripeSubscriptions(_objects, catalog, _customers, _billing, _webhooks, _methods, _intents, discounts);
        _schedules = new StripeSubscriptionSchedules(_objects, _customers, _subscriptions, _webhooks);
        _subscriptions.ScheduleEnds = _schedules.SubscriptionEnded;
        _invoiceItems = new StripeInvoiceItems(_objects, catalog, _customers, _webhooks);
        _standalone = new StripeStandaloneInvoices(context, _objects, _customers, _methods, discounts, _intents, _webhooks);
        _lines = new StripeInvoiceLines(_objects, _invoiceItems, _standalone, _webhooks);
        _invoices = new StripeInvoices(_objects, _customers, _billing, _intents, _methods, _webhooks, _standalone);
        _refunds = new StripeRefunds(context, _objects, _webhooks);
        _creditNotes = new StripeCreditNotes(context, _objects, _customers, _refunds, _invoices, _standalone, _webhooks);
        _quotes = new StripeQuotes(_objects, catalog, _customers, discounts, _webhooks, _subscriptions, _schedules, _standalone);
        _customers.ResumeAdvancing(RunDueOnClock);
        _sessions = new CheckoutSessions(context, _objects, catalog, _billing, _methods, discounts);
        _debits = new StripeBankDebits(context, _objects, _webhooks, _intents);
        _idempotency = new StripeIdempotency(context.Store);
        _portalConfigurations = new StripePortalConfigurations(_objects, _webhooks, context.Clock);
        _portalSessions = new StripePortalSessions(context, _objects, _portalConfigurations, _webhooks);
        _paymentLinks = new StripePaymentLinks(context, _objects, catalog, _webhooks);
    }

    public string Name => "stripe";

    public string Title => "Stripe";

    /// <summary>A test-mode secret key of the merchant's own, accepted beside the published one (the same account).</summary>
    public const string SecretKeySetting = "secret_key";

    public IReadOnlyList<string> SettingNames => [StripeWebhooks.ApiVersionSetting, SecretKeySetting, StripeWebhooks.WebhookSecretSetting];

    public string? RefuseSetting(string key, string value) => key switch
    {
        SecretKeySetting when value.StartsWith("sk_live_", StringComparison.Ordinal) || value.StartsWith("rk_live_", StringComparison.Ordinal) =>
            "secret_key must be a test-mode key (sk_test_… or rk_test_…): the sandbox plays test mode, and a live key does not belong in it",
        SecretKeySetting when !TestKey().IsMatch(value) => "secret_key must be a test-mode secret or restricted key: sk_test_ or rk_test_ followed by letters and digits",
        StripeWebhooks.WebhookSecretSetting when !WebhookSecretText().IsMatch(value) => "webhook_secret must be whsec_ followed by letters and digits",
        StripeWebhooks.ApiVersionSetting when !ApiVersion().IsMatch(value) =>
            $"api_version must be a Stripe API version: a date with its release (such as {StripeWebhooks.DefaultApiVersion}) or, for older versions, the date alone",
        _ => null,
    };

    public JsonObject? ObjectOf(SandboxPayment payment) => _sessions.Shown(payment.Id) ?? _intents.Shown(payment.Id) ?? _setupIntents.Shown(payment.Id);

    public IErrorEnvelope Errors => StripeErrors.Instance;

    public IEnumerable<ICallbackSigner> Signers => [_webhooks];

    /// <summary>Read anew each time: <c>webhook_secret</c> is the one events are signed with now (a registered one, or the published one).</summary>
    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["secret_key"] = SecretKey,
        ["publishable_key"] = PublishableKey,
        ["webhook_secret"] = _webhooks.Secret,
        ["one_time_price"] = StripeCatalog.CreditsPrice,
        ["recurring_price"] = StripeCatalog.MonthlyPrice,
    };

    public void MapApi(WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments("/v1"))
            {
                await next(http);
                return;
            }

            if (Authenticate(http.Request) is { } denied)
            {
                await StripeErrors.Json(denied).ExecuteAsync(http);
                return;
            }

            // The version is echoed in the answer's headers, which carry no control or non-ASCII characters.
            if (http.Request.Headers["Stripe-Version"].ToString() is { Length: > 0 } version && !ApiVersion().IsMatch(version))
            {
                await StripeErrors.Json(StripeErrors.InvalidParam($"Invalid Stripe API version: {version}", null, "api_version_invalid")).ExecuteAsync(http);
                return;
            }

            await next(http);
        });

        app.MapPost(SessionsPath, (HttpRequest request) => PostAsync(request.HttpContext, SessionsPath, _sessions.Create));
        app.MapGet(SessionsPath, async (HttpRequest request) =>
            Answer(request.HttpContext, _sessions.List(await StripeForm.ReadAsync(request))));
        app.MapGet(SessionsPath + "/{id}", async (string id, HttpContext http) =>
            Answer(http, _sessions.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapGet(SessionsPath + "/{id}/line_items", (string id, HttpContext http) => Answer(http, _sessions.LineItems(id)));
        app.MapPost(SessionsPath + "/{id}/expire", (string id, HttpContext http) =>
            PostAsync(http, $"{SessionsPath}/{id}/expire", _ => _sessions.Expire(id, _webhooks)));
        MapPaymentIntents(app);
        MapPaymentMethods(app);
        MapSetupIntents(app);
        MapRecurring(app);
        MapSubscriptionSchedules(app);
        MapInvoices(app);
        MapCreditNotes(app);
        MapDiscounts(app);
        MapTaxRates(app);
        MapCatalog(app);
        MapMeters(app);
        MapDisputes(app);
        MapWebhookEndpoints(app);
        MapBillingPortal(app);
        MapBalance(app);
        MapPaymentLinks(app);
        MapQuotes(app);
        app.MapGet("/v1/{collection}/{id}", async (string collection, string id, HttpContext http) =>
            Retrievable.TryGetValue(collection, out var type)
                ? Answer(http, _objects.Get(id, type) is { } obj
                    ? StripeResponse.Ok(_balance.ExpandOn(StripeLists.Public(obj), await StripeForm.ReadAsync(http.Request)))
                    : StripeErrors.NoSuch(type, id, "id"))
                : Answer(http, StripeErrors.Envelope(404, "invalid_request_error", $"Unrecognized request URL (GET: /v1/{collection}/{id}).", null, null)));
    }

    /// <summary>A PaymentIntent's page takes a card as the Payment Element does, except while it waits for its challenge.</summary>
    public IReadOnlyList<TestCard>? CheckoutCards(SandboxPayment payment) =>
        payment.Id.StartsWith("seti_", StringComparison.Ordinal) ? null
        : payment.Id.StartsWith("pi_", StringComparison.Ordinal)
        ? (_intents.AwaitsChallenge(payment.Id) ? null : [.. StripeTestCards.OneTime, .. StripeDisputes.TestCards])
        : [.. _objects.Get(payment.Id, "checkout.session")?.Str("mode") == "subscription" ? StripeTestCards.Subscription : StripeTestCards.OneTimeWithChargesFail, .. StripeDisputes.TestCards];

    public PayPageOutcome? OnDeclined(SandboxPayment payment, CardEntry? card, CardOutcome? outcome) =>
        _intents.Holds(payment.Id) ? _intents.Declined(payment, card, outcome)
        : _setupIntents.Holds(payment.Id) ? _setupIntents.Failed(payment) : null;

    public PayPageOutcome OnPaid(SandboxPayment payment)
    {
        if (_intents.Holds(payment.Id))
        {
            return _intents.Paid(payment);
        }

        if (_setupIntents.Holds(payment.Id))
        {
            return _setupIntents.Passed(payment);
        }

        var (session, events) = _sessions.Complete(payment);
        // Only a subscription gets this far with 0341 (a one-time checkout declines it): its renewals are the charges that fail.
        if (payment.CardLast4 == StripeTestCards.ChargesFail[^4..] && session.Str("subscription") is { } subscription)
        {
            _billing.SetFailing(subscription, true, "canceled");
        }

        _webhooks.Send(payment.Id, events);
        _disputes.FollowPayment(session);
        return Completed(session, payment.Id, "Paid.", "Thanks for your payment.");
    }

    public IReadOnlyList<TestBankAccount>? DebitAccounts(SandboxPayment payment) =>
        _objects.Get(payment.Id, "checkout.session") is { } session && StripeBankDebits.Offered(session) ? StripeBankDebits.TestAccounts : null;

    public PayPageOutcome OnDebited(SandboxPayment payment, TestBankAccount account)
    {
        var (session, events) = _sessions.Complete(payment, account);
        _debits.Schedule(session, account);
        _webhooks.Send(payment.Id, events);
        return Completed(session, payment.Id, "Debit authorised.", "Thanks: your bank will be debited, and the merchant told when it settles.");
    }

    private static PayPageOutcome Completed(JsonObject session, string paymentId, string redirectMessage, string pageMessage) =>
        session.Str("success_url") is { } url
            ? new PayPageOutcome(CheckoutSessions.ReplaceSessionTemplate(url, paymentId), redirectMessage)
            : new PayPageOutcome(null, session.Str("_confirmation_message") ?? pageMessage);

    public PayPageOutcome OnCanceled(SandboxPayment payment) =>
        _intents.Holds(payment.Id) ? new PayPageOutcome(null, "You left the payment; the PaymentIntent waits for a payment method until it is canceled.")
        : _setupIntents.Holds(payment.Id) ? new PayPageOutcome(null, "You left the authentication; the SetupIntent waits for it until it is canceled.")
        : _objects.Get(payment.Id, "checkout.session")?.Str("cancel_url") is { } url
            ? new PayPageOutcome(CheckoutSessions.ReplaceSessionTemplate(url, payment.Id), "Canceled.")
            : new PayPageOutcome(null, "You left the checkout; the session stays open until it expires.");

    public void OnExpired(SandboxPayment payment)
    {
        var session = _sessions.MarkExpired(payment.Id);
        _webhooks.Send(payment.Id, [("checkout.session.expired", _sessions.Public(session, null))]);
    }

    private void MapPaymentIntents(WebApplication app)
    {
        const string path = StripePaymentIntents.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _intents.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _intents.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", async (string id, HttpContext http) => Answer(http, _intents.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _intents.Update(id, p)));
        app.MapPost(path + "/{id}/confirm", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/confirm", p => _intents.Confirm(id, p)));
        app.MapPost(path + "/{id}/capture", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/capture", p => _intents.Capture(id, p)));
        app.MapPost(path + "/{id}/cancel", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/cancel", p => _intents.Cancel(id, p)));
    }

    private void MapPaymentMethods(WebApplication app)
    {
        const string path = StripePaymentMethods.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _methods.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _methods.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", (string id, HttpContext http) => Answer(http, _methods.Retrieve(id)));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _methods.Update(id, p)));
        app.MapPost(path + "/{id}/attach", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/attach", p => _methods.Attach(id, p)));
        app.MapPost(path + "/{id}/detach", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/detach", p => _methods.Detach(id, p)));
        app.MapGet("/v1/customers/{id}/payment_methods", async (string id, HttpContext http) => Answer(http, _methods.ListFor(id, await StripeForm.ReadAsync(http.Request))));
        app.MapGet("/v1/customers/{customer}/payment_methods/{id}", (string customer, string id, HttpContext http) => Answer(http, _methods.RetrieveFor(customer, id)));
        var mandates = new StripeMandates(_objects);
        app.MapGet(StripeMandates.Path + "/{id}", async (string id, HttpContext http) => Answer(http, mandates.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
    }

    /// <summary>
    /// Bearer (what the SDKs send) or Basic with the key as user name, the published key or the merchant's registered
    /// one (<see cref="SecretKeySetting"/>); 401 in Stripe's shape otherwise.
    /// </summary>
    private StripeResponse? Authenticate(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) || string.IsNullOrEmpty(header.Parameter))
        {
            return StripeErrors.Envelope(401, "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
                null, null);
        }

        var key = header.Scheme.ToUpperInvariant() switch
        {
            "BEARER" => header.Parameter,
            "BASIC" => TryDecodeBasicUser(header.Parameter),
            _ => null,
        };
        return key is not null && (SignatureComparison.Equal(SecretKey, key)
            || (_context.Settings.Get(Name, SecretKeySetting) is { } registered && SignatureComparison.Equal(registered, key)))
            ? null
            : StripeErrors.Envelope(401, "invalid_request_error", $"Invalid API Key provided: {Mask(key)}", null, null);
    }

    private static string? TryDecodeBasicUser(string parameter)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(parameter)).Split(':')[0];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Mask(string? key) => key is { Length: > 8 } ? key[..8] + new string('*', key.Length - 12 > 0 ? key.Length - 12 : 0) + key[^4..] : "****";

    private async Task<IResult> PostAsync(HttpContext http, string endpoint, Func<JsonObject, StripeResponse> handler)
    {
        var parameters = await StripeForm.ReadAsync(http.Request);
        var (response, replayed) = await _idempotency.RunAsync(SecretKey, http.Request.Headers["Idempotency-Key"].ToString(), endpoint, parameters, () => handler(parameters));
        if (replayed)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
        }

        return Answer(http, response);
    }

    /// <summary>Stripe API versions: a date, then the release train (<c>2026-10-28.endive</c>); older ones are the date alone.</summary>
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}(\.[a-z]+)?$")]
    internal static partial Regex ApiVersion();

    [GeneratedRegex("^(sk|rk)_test_[A-Za-z0-9]+$")]
    private static partial Regex TestKey();

    [GeneratedRegex("^whsec_[A-Za-z0-9]+$")]
    private static partial Regex WebhookSecretText();

    private static IResult Answer(HttpContext http, StripeResponse response)
    {
        http.Response.Headers["Stripe-Version"] = http.Request.Headers["Stripe-Version"].ToString() is { Length: > 0 } v ? v : StripeWebhooks.DefaultApiVersion;
        return StripeErrors.Json(response);
    }
}
