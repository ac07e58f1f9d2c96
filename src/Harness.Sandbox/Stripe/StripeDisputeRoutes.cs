using System.Text.Json.Nodes;
using Harness.Sandbox.Control;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The disputes API (<c>/v1/disputes</c>), Radar's early fraud warnings (<c>/v1/radar/early_fraud_warnings</c>) and the
/// dispute control routes: open a dispute on a charge, decide one under review.
/// </summary>
public sealed partial class StripeProvider
{
    private void MapDisputes(WebApplication app)
    {
        const string path = StripeDisputes.Path;
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _disputes.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", (string id, HttpContext http) => Answer(http, _disputes.Retrieve(id)));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _disputes.Update(id, p)));
        app.MapPost(path + "/{id}/close", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/close", _ => _disputes.Close(id)));
        app.MapGet(StripeEarlyFraudWarnings.Path, async (HttpRequest request) => Answer(request.HttpContext, _warnings.List(await StripeForm.ReadAsync(request))));
        app.MapGet(StripeEarlyFraudWarnings.Path + "/{id}", (string id, HttpContext http) => Answer(http, _warnings.Retrieve(id)));
    }

    private void MapDisputeControl(IEndpointRouteBuilder control)
    {
        control.MapPost("/charges/{id}/dispute", Results<Ok<StripeDisputeView>, NotFound<ControlError>, BadRequest<ControlError>> (string id, StripeDisputeRequest? request) =>
            {
                var reason = request?.Reason ?? "fraudulent";
                if (!StripeDisputes.Reasons.Contains(reason))
                {
                    return TypedResults.BadRequest(new ControlError($"reason must be one of {string.Join(", ", StripeDisputes.Reasons)}"));
                }

                return _objects.Atomically<Results<Ok<StripeDisputeView>, NotFound<ControlError>, BadRequest<ControlError>>>(() =>
                    _objects.Get(id, "charge") is not { } charge ? TypedResults.NotFound(new ControlError($"no Stripe charge '{id}'"))
                    : StripeDisputes.Disputable(charge) is { } refusal ? TypedResults.BadRequest(new ControlError(refusal))
                    : TypedResults.Ok(StripeDisputeView.Of(_disputes.Open(charge, reason, request?.Inquiry == true))));
            })
            .WithSummary("Stripe: opens a dispute on a succeeded charge (one paid by the control API too) for what is left of it unrefunded, as a dispute test card does: reason (default fraudulent), inquiry (default false: a chargeback, its funds withdrawn). charge.dispute.created (and charge.dispute.funds_withdrawn) go out under the charge's id.");
        control.MapPost("/disputes/{id}/resolve", Results<Ok<StripeDisputeView>, NotFound<ControlError>, BadRequest<ControlError>> (string id, StripeDisputeResolution? request) =>
            {
                if (request?.Outcome is not ("won" or "lost"))
                {
                    return TypedResults.BadRequest(new ControlError("outcome must be won or lost"));
                }

                return _disputes.Resolve(id, request.Outcome == "won") switch
                {
                    (null, _) => TypedResults.NotFound(new ControlError($"no Stripe dispute '{id}'")),
                    (_, { } refusal) => TypedResults.BadRequest(new ControlError(refusal)),
                    var (dispute, _) => TypedResults.Ok(StripeDisputeView.Of(dispute)),
                };
            })
            .WithSummary("Stripe: the bank's verdict on a dispute under review (evidence submitted other than test mode's winning_evidence or losing_evidence): won (an inquiry: warning_closed) or lost, with charge.dispute.closed and, for a won chargeback, charge.dispute.funds_reinstated.");
    }
}

/// <summary>The body of <c>POST /control/stripe/charges/{id}/dispute</c>.</summary>
public sealed record StripeDisputeRequest(string? Reason, bool? Inquiry);

/// <summary>The body of <c>POST /control/stripe/disputes/{id}/resolve</c>: <c>won</c> or <c>lost</c>.</summary>
public sealed record StripeDisputeResolution(string? Outcome);

/// <summary>A Stripe dispute as the control API shows it (times are Unix seconds).</summary>
public sealed record StripeDisputeView(string Id, string Charge, string? PaymentIntent, long Amount, string Currency, string Reason, string Status, long DueBy)
{
    internal static StripeDisputeView Of(JsonObject d) => new(
        d.Str("id")!, d.Str("charge")!, d.Str("payment_intent"), d["amount"]!.GetValue<long>(), d.Str("currency")!, d.Str("reason")!, d.Str("status")!,
        d["evidence_details"]!["due_by"]!.GetValue<long>());
}
