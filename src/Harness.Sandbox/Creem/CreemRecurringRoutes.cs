using System.Text.Json.Nodes;
using Harness.Sandbox.Control;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Creem's subscription, transaction and refund routes (the paths of the creem 1.13.0 SDK) and the Creem control
/// routes under <c>/control/creem</c>.
/// </summary>
public sealed partial class CreemProvider : ISandboxSubscriptions
{
    private static readonly HashSet<string> CancelFields = ["mode", "on_execute"];
    private static readonly HashSet<string> UpgradeFields = ["product_id", "update_behavior"];
    private static readonly HashSet<string> RefundFields = ["transaction_id"];

    public DateTimeOffset? NextDueAt() => _billing.NextDueAt();

    public Task RunDueAsync(CancellationToken cancellationToken)
    {
        _billing.RunDue();
        return Task.CompletedTask;
    }

    public void MapControl(IEndpointRouteBuilder control, SandboxScheduler scheduler)
    {
        control.MapGet("/subscriptions", () => _objects.List("subscription").Select(View))
            .WithSummary("Creem: every subscription, newest first, with its period, whether its charges fail and its end state after failed retries.");
        control.MapPost("/subscriptions/{id}/payment-failure", Results<Ok<CreemSubscriptionView>, NotFound<ControlError>, BadRequest<ControlError>> (string id, PaymentFailureRequest request) =>
            {
                if (request.Problem(CreemBilling.EndStates) is { } problem)
                {
                    return TypedResults.BadRequest(problem);
                }

                return _billing.SetFailing(id, request.Fail!.Value, request.EndStateOrDefault) is { } subscription
                    ? TypedResults.Ok(View(subscription))
                    : TypedResults.NotFound(new ControlError($"no Creem subscription '{id}'"));
            })
            .WithSummary("Creem: makes a subscription's charges decline from its next renewal or retry on, or succeed again; end_state (canceled or unpaid; default canceled) is its status once every retry failed.");
        control.MapPost("/subscriptions/{id}/renew", Results<Ok<CreemSubscriptionView>, NotFound<ControlError>, BadRequest<ControlError>> (string id) =>
                _billing.RunNext(id) switch
                {
                    (null, _) => TypedResults.NotFound(new ControlError($"no Creem subscription '{id}'")),
                    (_, { } refusal) => TypedResults.BadRequest(new ControlError(refusal)),
                    var (subscription, _) => TypedResults.Ok(View(subscription)),
                })
            .WithSummary("Creem: makes what of the subscription falls due next (its renewal, retry or scheduled end) happen now, as if its time had come, without moving the sandbox clock.");
    }

    public ISandboxSubscriptions Subscriptions => this;

    IReadOnlyList<string> ISandboxSubscriptions.EndStates => CreemBilling.EndStates;

    string ISandboxSubscriptions.RenewMeaning =>
        "Renew now makes what of the subscription falls due next (its renewal, a retry or a scheduled end) happen at once, without moving the sandbox clock.";

    IReadOnlyList<SubscriptionRow> ISandboxSubscriptions.Newest(int limit) => [.. _objects.Newest("subscription").Take(limit).Select(Row)];

    SubscriptionRow? ISandboxSubscriptions.SetFailing(string id, bool failing, string endState) =>
        _billing.SetFailing(id, failing, endState) is { } subscription ? Row(subscription) : null;

    Task<(SubscriptionRow? Row, string? Refusal)> ISandboxSubscriptions.RenewAsync(string id, SandboxScheduler scheduler, CancellationToken cancellationToken)
    {
        var (subscription, refusal) = _billing.RunNext(id);
        return Task.FromResult((subscription is null ? null : Row(subscription), refusal));
    }

    private static SubscriptionRow Row(JsonObject s) => new(
        s.Str("id")!, s["customer"].Str("id")!, s.Str("status")!, ParseIso(s.Str("current_period_end_date")!).UtcDateTime,
        s["_failing"]?.GetValue<bool>() == true, s.Str("_end_state") ?? "canceled");

    private void MapRecurring(WebApplication app)
    {
        app.MapGet("/v1/subscriptions", (string? subscription_id) => subscription_id is not { Length: > 0 }
            ? CreemErrors.BadRequest("subscription_id must be a string")
            : _objects.Get(subscription_id, "subscription") is { } subscription ? Ok(subscription) : CreemErrors.NotFound("Subscription not found"));
        app.MapGet("/v1/subscriptions/search", (HttpRequest request) =>
            TryPaging(request, out var page, out var size) ?? Page(_objects.List("subscription"), page, size));
        app.MapPost("/v1/subscriptions/{id}/cancel", async (string id, HttpRequest request) =>
        {
            if (await OptionalBodyAsync(request) is not { } body)
            {
                return CreemErrors.BadRequest("request body must be a JSON object");
            }

            var problems = Unknown(body, CancelFields);
            var mode = body.Str("mode") ?? "immediate";
            if (mode is not ("immediate" or "scheduled"))
            {
                problems.Add("mode must be one of the following values: immediate, scheduled");
            }

            var onExecute = body.Str("on_execute") ?? "cancel";
            if (onExecute is not ("cancel" or "pause"))
            {
                problems.Add("on_execute must be one of the following values: cancel, pause");
            }

            return problems.Count > 0 ? CreemErrors.BadRequest([.. problems]) : Answer(_billing.Cancel(id, mode == "immediate", onExecute));
        });
        app.MapPost("/v1/subscriptions/{id}/pause", (string id) => Answer(_billing.Pause(id)));
        app.MapPost("/v1/subscriptions/{id}/resume", (string id) => Answer(_billing.Resume(id)));
        app.MapPost("/v1/subscriptions/{id}/upgrade", async (string id, HttpRequest request) =>
        {
            if (await StrictJsonBody.ReadObjectAsync(request) is not { } body)
            {
                return CreemErrors.BadRequest("request body must be a JSON object");
            }

            var problems = Unknown(body, UpgradeFields);
            if (body.Str("product_id") is not { Length: > 0 })
            {
                problems.Add("product_id must be a string");
            }

            var behaviour = body.Str("update_behavior") ?? CreemBilling.UpdateBehaviours[0];
            if (!CreemBilling.UpdateBehaviours.Contains(behaviour))
            {
                problems.Add($"update_behavior must be one of the following values: {string.Join(", ", CreemBilling.UpdateBehaviours)}");
            }

            if (problems.Count > 0)
            {
                return CreemErrors.BadRequest([.. problems]);
            }

            if (_objects.Get(body.Str("product_id")!, "product") is not { } product)
            {
                return CreemErrors.NotFound("Product not found");
            }

            return product.Str("billing_type") != "recurring" || product.Str("status") != "active"
                ? CreemErrors.BadRequest("A subscription can only move to an active recurring product")
                : Answer(_billing.Upgrade(id, product, behaviour));
        });

        app.MapPost("/v1/subscriptions/{id}", async (string id, HttpRequest request) =>
            await StrictJsonBody.ReadObjectAsync(request) is { } body ? UpdateSubscription(id, body) : CreemErrors.BadRequest("request body must be a JSON object"));

        app.MapGet("/v1/transactions", (string? transaction_id) => transaction_id is not { Length: > 0 }
            ? CreemErrors.BadRequest("transaction_id must be a string")
            : _refunds.Transaction(transaction_id) is { } transaction ? Ok(transaction) : CreemErrors.NotFound("Transaction not found"));
        app.MapGet("/v1/transactions/search", (HttpRequest request) =>
            TryPaging(request, out var page, out var size)
            ?? Page(_refunds.Search(Query(request, "customer_id"), Query(request, "order_id"), Query(request, "product_id")), page, size));
        app.MapPost("/v1/refunds", async (HttpRequest request) =>
        {
            if (await StrictJsonBody.ReadObjectAsync(request) is not { } body)
            {
                return CreemErrors.BadRequest("request body must be a JSON object");
            }

            var problems = Unknown(body, RefundFields);
            var transactionId = body.Str("transaction_id");
            if (transactionId is not { Length: > 0 })
            {
                problems.Add("transaction_id must be a string");
            }

            return problems.Count > 0 ? CreemErrors.BadRequest([.. problems]) : _refunds.Refund(transactionId!) switch
            {
                (null, null) => CreemErrors.NotFound("Transaction not found"),
                (_, { } refusal) => CreemErrors.BadRequest(refusal),
                (var refund, _) => Results.Json(new JsonObject { ["status"] = refund!.Str("status") }),
            };
        });
    }

    private static IResult Answer((JsonObject? Subscription, string? Refusal) outcome) => outcome switch
    {
        (null, _) => CreemErrors.NotFound("Subscription not found"),
        (_, { } refusal) => CreemErrors.BadRequest(refusal),
        var (subscription, _) => Ok(subscription),
    };

    /// <summary>The SDK sends no body when none of a route's optional fields is set.</summary>
    private static async Task<JsonObject?> OptionalBodyAsync(HttpRequest request) =>
        request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0 ? [] : await StrictJsonBody.ReadObjectAsync(request);

    private static List<string> Unknown(JsonObject body, HashSet<string> fields) =>
        [.. body.Select(kv => kv.Key).Where(k => !fields.Contains(k)).Select(k => $"property {k} should not exist")];

    private static string? Query(HttpRequest request, string name) => request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    private static CreemSubscriptionView View(JsonObject s) => new(
        s.Str("id")!,
        s["customer"].Str("id")!,
        s["product"].Str("id")!,
        s.Str("status")!,
        ParseIso(s.Str("current_period_start_date")!),
        ParseIso(s.Str("current_period_end_date")!),
        s.Str("next_transaction_date") is { } next ? ParseIso(next) : null,
        s.Str("last_transaction_id"),
        s["_failing"]?.GetValue<bool>() == true,
        s.Str("_end_state") ?? "canceled");
}

/// <summary>A Creem subscription as the control API shows it.</summary>
public sealed record CreemSubscriptionView(
    string Id,
    string Customer,
    string Product,
    string Status,
    DateTimeOffset CurrentPeriodStart,
    DateTimeOffset CurrentPeriodEnd,
    DateTimeOffset? NextTransactionDate,
    string? LastTransactionId,
    bool Failing,
    string EndState);
