using System.Text.Json.Nodes;
using Harness.Sandbox.Control;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The recurring-billing routes of the Stripe API (customers, test clocks, subscriptions, invoice items, paying an
/// invoice, refunds, charges, events) and the Stripe control routes under <c>/control/stripe</c>.
/// </summary>
public sealed partial class StripeProvider : ISandboxSubscriptions
{
    private const string ClocksPath = "/v1/test_helpers/test_clocks";

    /// <summary>9000-01-01, the furthest the control API moves the sandbox clock.</summary>
    private const long LatestRenewal = 221_845_392_000;

    /// <summary>The next renewal or retry on the sandbox clock, standalone invoice to advance, debit to settle, authorisation to lapse, test refund to settle, dispute deadline or quote to remind of or expire, whichever comes first.</summary>
    public DateTimeOffset? NextDueAt() =>
        new[] { _billing.NextDueAt(), _schedules.NextDueAt(), _standalone.NextDueAt(), _debits.NextDueAt(), _authorizations.NextDueAt(), _refunds.NextDueAt(), _disputes.NextDueAt(), _quotes.NextDueAt() }.Where(d => d is not null).Min();

    public Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = StripeJson.Unix(_context.Clock.GetUtcNow());
        RunDueOnClock(null, now);
        _debits.RunDue(now);
        _authorizations.RunDue(now);
        _refunds.RunDue(now);
        _disputes.RunDue(now);
        return Task.CompletedTask;
    }

    public void MapControl(IEndpointRouteBuilder control, SandboxScheduler scheduler)
    {
        control.MapGet("/subscriptions", () => _objects.List("subscription").Select(View))
            .WithSummary("Stripe: every subscription, newest first, with its period, whether its charges fail, its end state after failed retries and its paused collection (behavior, resumes_at), if any.");
        control.MapPost("/subscriptions/{id}/payment-failure", Results<Ok<StripeSubscriptionView>, NotFound<ControlError>, BadRequest<ControlError>> (string id, PaymentFailureRequest request) =>
            {
                if (request.Problem(StripeBilling.EndStates) is { } problem)
                {
                    return TypedResults.BadRequest(problem);
                }

                return _billing.SetFailing(id, request.Fail!.Value, request.EndStateOrDefault) is { } subscription
                    ? TypedResults.Ok(View(subscription))
                    : TypedResults.NotFound(new ControlError($"no Stripe subscription '{id}'"));
            })
            .WithSummary("Stripe: makes a subscription's charges decline (card_declined) from its next renewal or retry on, or succeed again; end_state (canceled, unpaid, past_due; default canceled) is its status once every retry failed.");
        control.MapPost("/subscriptions/{id}/renew", async Task<Results<Ok<StripeSubscriptionView>, NotFound<ControlError>, BadRequest<ControlError>>> (string id, CancellationToken ct) =>
                await RenewAsync(id, scheduler, ct) switch
                {
                    (null, _) => TypedResults.NotFound(new ControlError($"no Stripe subscription '{id}'")),
                    (_, { } refusal) => TypedResults.BadRequest(new ControlError(refusal)),
                    var (subscription, _) => TypedResults.Ok(View(subscription)),
                })
            .WithSummary("Stripe: moves the sandbox clock to the subscription's current_period_end and runs what fell due (its renewal, or the end of its trial with the first charge, and everything else due by then).");
        MapDisputeControl(control);
    }

    public ISandboxSubscriptions Subscriptions => this;

    IReadOnlyList<string> ISandboxSubscriptions.EndStates => StripeBilling.EndStates;

    string ISandboxSubscriptions.RenewMeaning =>
        "Renew now moves the sandbox clock to the subscription's period end (a trialing one's trial end: its first charge) and runs everything due by then (a subscription on a test clock renews when that clock is advanced).";

    IReadOnlyList<SubscriptionRow> ISandboxSubscriptions.Newest(int limit) => [.. _objects.Newest("subscription").Take(limit).Select(Row)];

    SubscriptionRow? ISandboxSubscriptions.SetFailing(string id, bool failing, string endState) =>
        _billing.SetFailing(id, failing, endState) is { } subscription ? Row(subscription) : null;

    async Task<(SubscriptionRow? Row, string? Refusal)> ISandboxSubscriptions.RenewAsync(string id, SandboxScheduler scheduler, CancellationToken cancellationToken)
    {
        var (subscription, refusal) = await RenewAsync(id, scheduler, cancellationToken);
        return (subscription is null ? null : Row(subscription), refusal);
    }

    private static SubscriptionRow Row(JsonObject s) => new(
        s.Str("id")!, s.Str("customer")!, s.Str("status")!, DateTimeOffset.FromUnixTimeSeconds(s["current_period_end"]!.GetValue<long>()).UtcDateTime,
        s["_failing"]?.GetValue<bool>() == true, s.Str("_end_state") ?? "canceled");

    /// <summary>
    /// Moves the sandbox clock to the subscription's period end and runs what fell due; no subscription when there is
    /// none, a refusal when it does not renew or lives on a test clock.
    /// </summary>
    private async Task<(JsonObject? Subscription, string? Refusal)> RenewAsync(string id, SandboxScheduler scheduler, CancellationToken cancellationToken)
    {
        if (_objects.Get(id, "subscription") is not { } subscription)
        {
            return (null, null);
        }

        if (subscription.Str("test_clock") is { } clock)
        {
            return (subscription, $"the subscription is on test clock {clock}: advance that clock (POST /v1/test_helpers/test_clocks/{clock}/advance)");
        }

        if (!StripeBilling.Bills(subscription))
        {
            return (subscription, $"the subscription is {subscription.Str("status")}: it does not renew");
        }

        var end = subscription["current_period_end"]!.GetValue<long>();
        if (end > LatestRenewal)
        {
            return (subscription, "the renewal is past the year 9000, where the sandbox clock does not go");
        }

        var due = DateTimeOffset.FromUnixTimeSeconds(end);
        if (due > _context.Clock.GetUtcNow())
        {
            _context.Clock.Advance(due - _context.Clock.GetUtcNow());
        }

        await scheduler.RunDueAsync(cancellationToken);
        return (_objects.Get(id, "subscription")!, null);
    }

    private void MapRecurring(WebApplication app)
    {
        app.MapPost("/v1/customers", (HttpRequest request) => PostAsync(request.HttpContext, "/v1/customers", _customers.Create));
        app.MapGet("/v1/customers", async (HttpRequest request) => Answer(request.HttpContext, _customers.List(await StripeForm.ReadAsync(request))));
        app.MapGet("/v1/customers/{id}", (string id, HttpContext http) => Answer(http, _customers.Retrieve(id)));
        app.MapPost("/v1/customers/{id}", (string id, HttpContext http) => PostAsync(http, $"/v1/customers/{id}", p => _customers.Update(id, p)));

        app.MapPost(ClocksPath, (HttpRequest request) => PostAsync(request.HttpContext, ClocksPath, _customers.CreateClock));
        app.MapGet(ClocksPath, async (HttpRequest request) => Answer(request.HttpContext, _customers.ListClocks(await StripeForm.ReadAsync(request))));
        app.MapGet(ClocksPath + "/{id}", (string id, HttpContext http) => Answer(http, _customers.RetrieveClock(id)));
        app.MapPost(ClocksPath + "/{id}/advance", (string id, HttpContext http) =>
            PostAsync(http, $"{ClocksPath}/{id}/advance", p => _customers.Advance(id, p, _billing.AdvanceLimit, RunDueOnClock)));
        app.MapDelete(ClocksPath + "/{id}", (string id, HttpContext http) => Answer(http, _customers.DeleteClock(id)));

        app.MapPost("/v1/subscriptions", (HttpRequest request) => PostAsync(request.HttpContext, "/v1/subscriptions", _subscriptions.Create));
        app.MapGet("/v1/subscriptions", async (HttpRequest request) => Answer(request.HttpContext, _subscriptions.List(await StripeForm.ReadAsync(request))));
        app.MapGet("/v1/subscriptions/{id}", async (string id, HttpContext http) => Answer(http, _subscriptions.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost("/v1/subscriptions/{id}", (string id, HttpContext http) => PostAsync(http, $"/v1/subscriptions/{id}", p => _subscriptions.Update(id, p)));
        app.MapPost("/v1/subscriptions/{id}/resume", (string id, HttpContext http) => PostAsync(http, $"/v1/subscriptions/{id}/resume", p => _subscriptions.Resume(id, p)));
        app.MapDelete("/v1/subscriptions/{id}", async (string id, HttpContext http) => Answer(http, _subscriptions.Cancel(id, await StripeForm.ReadAsync(http.Request))));

        const string subscriptionItems = StripeSubscriptions.ItemsPath;
        app.MapPost(subscriptionItems, (HttpRequest request) => PostAsync(request.HttpContext, subscriptionItems, _subscriptions.CreateItem));
        app.MapGet(subscriptionItems, async (HttpRequest request) => Answer(request.HttpContext, _subscriptions.ListItems(await StripeForm.ReadAsync(request))));
        app.MapGet(subscriptionItems + "/{id}", (string id, HttpContext http) => Answer(http, _subscriptions.RetrieveItem(id)));
        app.MapPost(subscriptionItems + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{subscriptionItems}/{id}", p => _subscriptions.UpdateItem(id, p)));
        app.MapDelete(subscriptionItems + "/{id}", async (string id, HttpContext http) => Answer(http, _subscriptions.DeleteItem(id, await StripeForm.ReadAsync(http.Request))));

        const string items = StripeInvoiceItems.Path;
        app.MapPost(items, (HttpRequest request) => PostAsync(request.HttpContext, items, _invoiceItems.Create));
        app.MapGet(items, async (HttpRequest request) => Answer(request.HttpContext, _invoiceItems.List(await StripeForm.ReadAsync(request))));
        app.MapGet(items + "/{id}", (string id, HttpContext http) => Answer(http, _invoiceItems.Retrieve(id)));
        app.MapPost(items + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{items}/{id}", p => _invoiceItems.Update(id, p)));
        app.MapDelete(items + "/{id}", (string id, HttpContext http) => Answer(http, _invoiceItems.Delete(id)));
        app.MapGet("/v1/customers/{id}/balance_transactions", async (string id, HttpContext http) => Answer(http, BalanceTransactions(id, await StripeForm.ReadAsync(http.Request))));

        app.MapPost("/v1/refunds", (HttpRequest request) => PostAsync(request.HttpContext, "/v1/refunds", _refunds.Create));
        app.MapGet("/v1/refunds", async (HttpRequest request) => Answer(request.HttpContext, _refunds.List(await StripeForm.ReadAsync(request))));
        app.MapPost("/v1/refunds/{id}", (string id, HttpContext http) => PostAsync(http, $"/v1/refunds/{id}", p => _refunds.Update(id, p)));
        app.MapPost("/v1/refunds/{id}/cancel", (string id, HttpContext http) => PostAsync(http, $"/v1/refunds/{id}/cancel", p => _refunds.Cancel(id, p)));
        app.MapGet("/v1/charges", async (HttpRequest request) => Answer(request.HttpContext, _refunds.ListCharges(await StripeForm.ReadAsync(request))));
        app.MapGet("/v1/events", async (HttpRequest request) => Answer(request.HttpContext, _refunds.ListEvents(await StripeForm.ReadAsync(request))));
    }

    /// <summary>A customer's balance transactions (what invoices took from or left on its credit balance), newest first.</summary>
    private StripeResponse BalanceTransactions(string customerId, JsonObject query) =>
        _objects.Get(customerId, "customer") is null
            ? StripeErrors.NoSuch("customer", customerId, "customer")
            : StripeLists.Page(
                $"/v1/customers/{customerId}/balance_transactions",
                _objects.Newest(StripeInvoicing.BalanceTransactionType, query.Str("starting_after")).Where(t => t.Str("customer") == customerId),
                query);

    private StripeSubscriptionView View(JsonObject s)
    {
        var retry = s.Str("_retry_invoice") is { } invoiceId ? _objects.Get(invoiceId, "invoice") : null;
        return new StripeSubscriptionView(
            s.Str("id")!,
            s.Str("customer")!,
            s.Str("status")!,
            s["current_period_start"]!.GetValue<long>(),
            s["current_period_end"]!.GetValue<long>(),
            s["cancel_at_period_end"]!.GetValue<bool>(),
            s.Str("test_clock"),
            s.Str("latest_invoice"),
            s["_failing"]?.GetValue<bool>() == true,
            s.Str("_end_state") ?? "canceled",
            retry?["next_payment_attempt"] is JsonValue next ? next.GetValue<long>() : null,
            s["pause_collection"]?.Str("behavior"),
            s["pause_collection"]?["resumes_at"] is JsonValue resumesAt ? resumesAt.GetValue<long>() : null);
    }
}

/// <summary>A Stripe subscription as the control API shows it (times are Unix seconds).</summary>
public sealed record StripeSubscriptionView(
    string Id,
    string Customer,
    string Status,
    long CurrentPeriodStart,
    long CurrentPeriodEnd,
    bool CancelAtPeriodEnd,
    string? TestClock,
    string? LatestInvoice,
    bool Failing,
    string EndState,
    long? NextPaymentAttempt,
    string? PauseCollectionBehavior,
    long? PauseCollectionResumesAt);
