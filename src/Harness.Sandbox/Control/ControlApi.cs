using Harness.Callbacks;
using Harness.Sandbox.Faults;
using Harness.Sandbox.Payments;
using Harness.Sandbox.PayPages;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Control;

/// <summary>
/// The operator's and the tests' handle on the sandbox: published credentials, payments, the delivery log and
/// resend, the clock, and scripted faults. JSON in snake_case; errors are <c>{"error": "…"}</c>.
/// </summary>
public static class ControlApi
{
    /// <summary>The <c>status</c> filters' values: the names the lists show.</summary>
    private static readonly Dictionary<string, PaymentStatus> PaymentStatuses =
        Enum.GetValues<PaymentStatus>().ToDictionary(s => s.ToString().ToLowerInvariant(), StringComparer.Ordinal);

    private static readonly Dictionary<string, CallbackStatus> DeliveryStatuses =
        Enum.GetValues<CallbackStatus>().ToDictionary(s => s.ToString().ToLowerInvariant(), StringComparer.Ordinal);

    public static void MapControlApi(
        this IEndpointRouteBuilder routes,
        SandboxContext context,
        IReadOnlyDictionary<string, ISandboxProvider> providers,
        Func<string, string> providerBaseUrl,
        SandboxScheduler scheduler,
        Action? restart)
    {
        var control = routes.MapGroup("/control").WithTags("Sandbox control");

        control.MapGet("/providers", () => providers.Values.Select(p => DescribeProvider(p, context, providerBaseUrl)))
            .WithSummary("Every provider with its base URL, merchant credentials and settings.");
        control.MapGet("/providers/{name}", Results<Ok<ProviderView>, NotFound<ControlError>> (string name) =>
                providers.TryGetValue(name, out var p) ? TypedResults.Ok(DescribeProvider(p, context, providerBaseUrl)) : NotFound($"no provider '{name}'"))
            .WithSummary("One provider's base URL, merchant credentials and settings.");
        control.MapPut("/providers/{name}/settings", Results<Ok<ProviderView>, NotFound<ControlError>, BadRequest<ControlError>> (string name, Dictionary<string, string?> values) =>
            {
                if (!providers.TryGetValue(name, out var provider))
                {
                    return NotFound($"no provider '{name}'");
                }

                if (ControlActions.SetSettings(context, provider, values) is { } refused)
                {
                    return TypedResults.BadRequest(new ControlError(refused));
                }

                return TypedResults.Ok(DescribeProvider(provider, context, providerBaseUrl));
            })
            .WithSummary("Sets merchant settings (webhook_url; stripe: api_version, secret_key (a test-mode key of your own, accepted beside the published one), webhook_secret (your endpoint's whsec_…, signing events from then on); creem: api_key (a test-mode key of your own), webhook_secret; epay: notify_method GET|POST, mapi_answer payurl|qrcode|urlscheme, transfer_outcome success|processing, merchant_public_key (V2, PEM or bare base64); alipay: app_public_key, PEM, bare base64 or an app certificate, sign_mode cert|public_key, and refund_period_days 0-365, default 90; wechatpay: merchant_certificates, platform_auth certificate|public_key|switching). An empty value removes a setting.");

        control.MapGet("/payments", Results<Ok<IEnumerable<SandboxPayment>>, BadRequest<ControlError>, NotFound<ControlError>> (
                string? provider, string? status, string? limit, [FromQuery(Name = "starting_after")] string? startingAfter, HttpResponse response) =>
            {
                if (provider is not null && !providers.ContainsKey(provider))
                {
                    return NotFound($"no provider '{provider}'");
                }

                var (wanted, error) = ControlLists.Status(status, PaymentStatuses);
                if (error is not null)
                {
                    return TypedResults.BadRequest(new ControlError(error));
                }

                var (page, refused) = ControlLists.Page(
                    (after, count) => context.Payments.Page(provider is null ? providers.Keys : [provider], after, count),
                    id => context.Payments.Get(id) is { } p && (provider is null || p.Provider == provider) ? p : null,
                    wanted is { } only ? p => p.Status == only : null,
                    p => p,
                    limit,
                    startingAfter,
                    response);
                return page is null ? TypedResults.BadRequest(new ControlError(refused!)) : TypedResults.Ok<IEnumerable<SandboxPayment>>(page);
            })
            .WithSummary("Payments of every provider (or one; status open|paid|expired|canceled), oldest first (ties by id); limit (1–1000) and starting_after page through them, X-Has-More says whether more follow.");
        control.MapGet("/payments/{id}", Results<Ok<SandboxPayment>, NotFound<ControlError>> (string id) =>
                context.Payments.Get(id) is { } payment ? TypedResults.Ok(payment) : NotFound($"no payment '{id}'"))
            .WithSummary("One payment.");
        control.MapPost("/payments/{id}/{action}", async Task<Results<Ok<PayActionView>, NotFound<ControlError>, BadRequest<ControlError>>> (string id, string action, string? iban) =>
            {
                if (action is not ("pay" or "fail" or "cancel"))
                {
                    return TypedResults.BadRequest(new ControlError("action must be pay, fail or cancel"));
                }

                if (context.Payments.Get(id) is not { } payment)
                {
                    return NotFound($"no payment '{id}'");
                }

                if (iban is not null)
                {
                    return await PayByDebitAsync(context, providers, payment, action, iban);
                }

                var outcome = await PayPageEndpoints.ActAsync(context, providers, id, action);
                return TypedResults.Ok(new PayActionView(outcome.RedirectUrl, outcome.Message, context.Payments.Get(id)!));
            })
            .WithSummary("Plays the buyer on the hosted pay page: pay, fail (declined, stays open) or cancel; pay?iban= pays by debit from a test account where the checkout offers one (Stripe's SEPA Direct Debit).");

        control.MapGet("/deliveries", Results<Ok<IEnumerable<DeliveryView>>, BadRequest<ControlError>, NotFound<ControlError>> (
                [FromQuery(Name = "payment_id")] string? paymentId, string? provider, string? status, string? limit,
                [FromQuery(Name = "starting_after")] string? startingAfter, HttpResponse response) =>
            {
                if (provider is not null && !providers.ContainsKey(provider))
                {
                    return NotFound($"no provider '{provider}'");
                }

                var (wanted, error) = ControlLists.Status(status, DeliveryStatuses);
                if (error is not null)
                {
                    return TypedResults.BadRequest(new ControlError(error));
                }

                // One payment's deliveries are few: read whole. The whole log is read a page at a time.
                var ofPayment = paymentId is null ? null : context.Dispatcher.List(paymentId);
                var (page, refused) = ControlLists.Page(
                    ofPayment is null ? context.Dispatcher.Page : ControlLists.Reader(ofPayment),
                    id => ofPayment is null ? context.Dispatcher.Get(id) : ofPayment.FirstOrDefault(d => d.Id == id),
                    provider is null && wanted is null ? null : d => (provider is null || d.Source == provider) && (wanted is null || d.Status == wanted),
                    DeliveryView.From,
                    limit,
                    startingAfter,
                    response);
                return page is null ? TypedResults.BadRequest(new ControlError(refused!)) : TypedResults.Ok<IEnumerable<DeliveryView>>(page);
            })
            .WithSummary("The callback log: every delivery with every attempt (time, URL, exact request, response, latency), oldest first; by payment_id, provider, status (pending|delivered|exhausted|dropped); limit (1–1000) and starting_after page through it, X-Has-More says whether more follow.");
        control.MapGet("/deliveries/{id}", Results<Ok<DeliveryView>, NotFound<ControlError>> (string id) =>
                context.Dispatcher.Get(id) is { } d ? TypedResults.Ok(DeliveryView.From(d)) : NotFound($"no delivery '{id}'"))
            .WithSummary("One delivery with its attempts.");
        control.MapPost("/deliveries/{id}/resend", async Task<Results<Ok<DeliveryView>, NotFound<ControlError>>> (string id, CancellationToken ct) =>
                await context.Dispatcher.ResendAsync(id, ct) is null ? NotFound($"no delivery '{id}'") : TypedResults.Ok(DeliveryView.From(context.Dispatcher.Get(id)!)))
            .WithSummary("Sends a delivery once more, now, with the same body (re-signed where the scheme has a timestamp).");

        control.MapGet("/health", () => context.Ready
                ? Results.Ok(new HealthView("ok", context.Instance, context.StartedAt))
                : Results.Json(new HealthView("starting", context.Instance, context.StartedAt), statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithSummary("Readiness: 200 once every listener is up (503 while starting), which run of the sandbox answers (instance changes on every start) and since when.");
        control.MapGet("/clock", () => ClockView.Of(context))
            .WithSummary("The sandbox clock.");
        control.MapPost("/clock/advance", async Task<Results<Ok<ClockView>, BadRequest<ControlError>>> (AdvanceRequest request, CancellationToken ct) =>
            {
                var (clock, refused) = await ControlActions.AdvanceClockAsync(context, scheduler, request.Seconds, ct);
                return clock is null ? TypedResults.BadRequest(new ControlError(refused!)) : TypedResults.Ok(clock);
            })
            .WithSummary("Moves the sandbox clock forward, then expires payments and makes every callback attempt that fell due, before answering.");
        control.MapPost("/clock/run-due", async (CancellationToken ct) =>
                ClockView.Of(context) with { AttemptsMade = await scheduler.RunDueAsync(ct) })
            .WithSummary("Makes every attempt due now (and waits for any in progress) without moving the clock.");

        control.MapGet("/faults", () => context.Faults.List())
            .WithSummary("Scripted faults, live and used up.");
        control.MapPost("/faults", Results<Created<FaultRule>, BadRequest<ControlError>> (FaultRequest request) =>
            {
                if (request.Validate(providers) is { } problem)
                {
                    return TypedResults.BadRequest(new ControlError(problem));
                }

                var rule = context.Faults.Add(request.ToRule());
                return TypedResults.Created($"/control/faults/{rule.Id}", rule);
            })
            .WithSummary("Adds a fault: latency | server_error (provider API); duplicate | out_of_order | delayed | tampered_signature | stale_timestamp | wrong_amount | dropped (callbacks). Scope by provider and payment_id; count limits how often it fires.");
        control.MapDelete("/faults/{id}", Results<NoContent, NotFound<ControlError>> (string id) =>
                context.Faults.Remove(id) ? TypedResults.NoContent() : NotFound($"no fault '{id}'"))
            .WithSummary("Removes one fault.");
        control.MapDelete("/faults", () =>
            {
                context.Faults.Clear();
                return TypedResults.NoContent();
            })
            .WithSummary("Removes every fault.");

        foreach (var provider in providers.Values)
        {
            provider.MapControl(control.MapGroup("/" + provider.Name), scheduler);
        }

        if (restart is not null)
        {
            // Answered first: the restart stops this very listener, so it begins once the answer is out.
            control.MapPost("/restart", (HttpContext http) =>
                {
                    http.Response.OnCompleted(() =>
                    {
                        restart();
                        return Task.CompletedTask;
                    });
                    return TypedResults.Accepted((string?)null, new HealthView("restarting", context.Instance, context.StartedAt));
                })
                .WithSummary("Restarts the sandbox on its data folder and ports (offered with serve --test-restart): state must survive it.");
        }
    }

    private static NotFound<ControlError> NotFound(string message) => TypedResults.NotFound(new ControlError(message));

    /// <summary>The control API's <c>pay?iban=</c>: the debit form of the hosted page, refused as a 400 where the page shows a notice.</summary>
    private static async Task<Results<Ok<PayActionView>, NotFound<ControlError>, BadRequest<ControlError>>> PayByDebitAsync(
        SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers, SandboxPayment payment, string action, string iban)
    {
        var provider = providers[payment.Provider];
        if (action != "pay" || payment.Status != PaymentStatus.Open || provider.DebitAccounts(payment) is not { } accounts)
        {
            return TypedResults.BadRequest(new ControlError(action != "pay"
                ? "iban goes with pay only"
                : payment.Status != PaymentStatus.Open
                    ? $"the payment is {payment.Status.ToString().ToLowerInvariant()}: nothing was charged"
                    : $"this {provider.Title} checkout offers no debit (a Stripe session does when payment_method_types lists sepa_debit)"));
        }

        var (outcome, problem) = await DebitCheckout.PayAsync(context, provider, payment, accounts, iban);
        return problem is not null
            ? TypedResults.BadRequest(new ControlError(problem))
            : TypedResults.Ok(new PayActionView(outcome!.RedirectUrl, outcome.Message, context.Payments.Get(payment.Id)!));
    }

    private static ProviderView DescribeProvider(ISandboxProvider provider, SandboxContext context, Func<string, string> baseUrl) =>
        new(provider.Name, provider.Title, baseUrl(provider.Name), provider.Credentials, context.Settings.All(provider.Name));
}

public sealed record ControlError(string Error);

/// <summary>The control API's readiness answer; a restart answers with the instance that is stopping.</summary>
public sealed record HealthView(string Status, string Instance, DateTime StartedAt);

public sealed record ProviderView(
    string Name, string Title, string BaseUrl, IReadOnlyDictionary<string, string> Credentials, IReadOnlyDictionary<string, string> Settings);

public sealed record PayActionView(string? RedirectUrl, string Message, SandboxPayment Payment);

public sealed record AdvanceRequest(long Seconds);

/// <summary>A provider's <c>/control/{provider}/subscriptions/{id}/payment-failure</c> body.</summary>
public sealed record PaymentFailureRequest(bool? Fail, string? EndState)
{
    /// <summary>What is wrong with the body for a provider whose subscriptions may end in <paramref name="endStates"/>, or null.</summary>
    public ControlError? Problem(IReadOnlyCollection<string> endStates) =>
        Fail is null ? new ControlError("fail is required (true: its charges decline from the next one on; false: they succeed again)")
        : !endStates.Contains(EndStateOrDefault) ? new ControlError($"end_state must be one of {string.Join(", ", endStates)}")
        : null;

    public string EndStateOrDefault => EndState ?? "canceled";
}

public sealed record ClockView(DateTimeOffset Now, long OffsetSeconds, int? AttemptsMade)
{
    public static ClockView Of(SandboxContext context) =>
        new(context.Clock.GetUtcNow(), (long)context.Clock.Offset.TotalSeconds, null);
}

public sealed record FaultRequest(FaultKind? Kind, string? Provider, string? PaymentId, int? Count, int? Seconds, int? Status)
{
    public string? Validate(IReadOnlyDictionary<string, ISandboxProvider> providers) => this switch
    {
        { Kind: null } => "kind is required",
        { Provider: { } p } when !providers.ContainsKey(p) => $"no provider '{p}'",
        { Count: <= 0 } => "count must be at least 1 (omit it for a fault that always fires)",
        { Seconds: < 0 } => "seconds must not be negative",
        { Status: { } s } when s is not (500 or 503) => "status must be 500 or 503",
        _ => null,
    };

    public FaultRule ToRule() => new()
    {
        Kind = Kind!.Value,
        Provider = Provider?.ToLowerInvariant(),
        PaymentId = PaymentId,
        Remaining = Count,
        Seconds = Seconds,
        Status = Status,
    };
}

public sealed record DeliveryView(
    string Id,
    string Provider,
    string PaymentId,
    string EventType,
    string Method,
    string Url,
    string Status,
    DateTime CreatedAt,
    DateTime? NextAttemptAt,
    IReadOnlyList<long> RetryDelaysSeconds,
    string Body,
    IReadOnlyList<AttemptView> Attempts)
{
    public static DeliveryView From(CallbackDelivery d) => new(
        d.Id, d.Source, d.Subject, d.EventType, d.Method, d.Url, d.Status.ToString().ToLowerInvariant(), d.CreatedAt, d.NextAttemptAt,
        d.RetryDelaysSeconds, CallbackDispatcher.BodyText(d.Body), [.. d.Attempts.Select(AttemptView.From)]);
}

public sealed record AttemptView(
    int Number,
    string Trigger,
    DateTime At,
    string Method,
    string Url,
    IReadOnlyDictionary<string, string> RequestHeaders,
    string RequestBody,
    int? ResponseStatus,
    string ResponseBody,
    string? Error,
    long LatencyMs,
    bool Acknowledged)
{
    public static AttemptView From(CallbackAttempt a) => new(
        a.Number, a.Trigger, a.At, a.Method, a.Url, a.RequestHeaders, CallbackDispatcher.BodyText(a.RequestBody),
        a.ResponseStatus, a.ResponseBody, a.Error, a.LatencyMs, a.Acknowledged);
}
