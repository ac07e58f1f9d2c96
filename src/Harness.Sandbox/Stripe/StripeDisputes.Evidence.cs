using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A dispute's answer: evidence staged or submitted (<c>POST /v1/disputes/{id}</c>), accepted (<c>/close</c>), and the
/// outcome, which test mode decides from <c>uncategorized_text</c> and the control API decides for other evidence.
/// </summary>
public sealed partial class StripeDisputes
{
    /// <summary>Stripe test mode's evidence texts that decide a dispute at once (docs.stripe.com/testing#disputes).</summary>
    public const string WinningEvidence = "winning_evidence";
    public const string LosingEvidence = "losing_evidence";

    private static readonly HashSet<string> UpdateParams = ["evidence", "metadata", "submit", "intended_submission_method"];

    private static readonly string[] SubmissionMethods = ["manual", "prefer_manual", "prefer_smart_disputes", "smart_disputes"];

    private static bool IsClosed(JsonObject dispute) => dispute.Str("status") is "won" or "lost" or "warning_closed" or "prevented";

    private static bool IsInquiry(JsonObject dispute) => dispute["payment_method_details"]?["card"].Str("case_type") == "inquiry";

    /// <summary>
    /// Merges <c>evidence[…]</c> and <c>metadata</c>; unless <c>submit=false</c> (Stripe's default is to submit) the
    /// evidence goes to the bank: test mode's winning or losing text decides at once, other evidence waits under review.
    /// </summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "submit", out var submit, out error))
        {
            return error!;
        }

        if (p["intended_submission_method"] is not null && !SubmissionMethods.Contains(p.Str("intended_submission_method")))
        {
            return StripeErrors.InvalidParam($"Invalid intended_submission_method: must be one of {string.Join(", ", SubmissionMethods)}", "intended_submission_method");
        }

        if (p["evidence"] is not null and not JsonObject)
        {
            return StripeErrors.InvalidParam("Invalid object", "evidence");
        }

        var evidence = p["evidence"] as JsonObject ?? new JsonObject();
        foreach (var (field, value) in evidence)
        {
            if (field == "enhanced_evidence" ? value is not JsonObject : !EvidenceFields.Contains(field))
            {
                return StripeErrors.InvalidParam($"Received unknown parameter: evidence[{field}]", $"evidence[{field}]", "parameter_unknown");
            }

            if (field != "enhanced_evidence" && value is not JsonValue)
            {
                return StripeErrors.InvalidParam("Invalid string", $"evidence[{field}]");
            }
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } dispute)
            {
                return StripeErrors.NoSuch(Type, id, "dispute");
            }

            var answering = evidence.Count > 0 || p["submit"] is not null;
            if (answering && Refusal(dispute) is { } refused)
            {
                return refused;
            }

            var previous = new JsonObject();
            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(dispute, metadata, previous);
            }

            if (p.Str("intended_submission_method") is { } method && method != dispute.Str("intended_submission_method"))
            {
                previous["intended_submission_method"] = dispute.Str("intended_submission_method");
                dispute["intended_submission_method"] = method;
            }

            if (evidence.Count > 0)
            {
                previous["evidence"] = dispute["evidence"]!.DeepClone();
                previous["evidence_details"] = dispute["evidence_details"]!.DeepClone();
                var stored = (JsonObject)dispute["evidence"]!;
                foreach (var (field, value) in evidence)
                {
                    // An empty string unsets a field, as Stripe's form encoding does.
                    stored[field] = value is JsonValue && value.ToString().Length == 0 ? null : value!.DeepClone();
                }

                dispute["evidence_details"]!["has_evidence"] = EvidenceFields.Any(f => stored[f] is not null);
            }

            var events = new List<StripeEvent>();
            if (answering && submit != false)
            {
                Submit(dispute, previous, events, StripeJson.Unix(context.Clock.GetUtcNow()));
            }
            else if (previous.Count > 0)
            {
                objects.Put(dispute);
                events.Add(new StripeEvent("charge.dispute.updated", StripeLists.Public(dispute), previous));
            }

            webhooks.Send(dispute.Str("charge")!, events);
            return StripeResponse.Ok(StripeLists.Public(dispute));
        });
    }

    /// <summary>Accepts the dispute: a chargeback is lost, an inquiry closes (<c>warning_closed</c>).</summary>
    public StripeResponse Close(string id) => objects.Atomically(() =>
    {
        if (objects.Get(id, Type) is not { } dispute)
        {
            return StripeErrors.NoSuch(Type, id, "dispute");
        }

        if (IsClosed(dispute))
        {
            return Refusal(dispute)!;
        }

        webhooks.Send(dispute.Str("charge")!, [Concede(dispute)]);
        return StripeResponse.Ok(StripeLists.Public(dispute));
    });

    /// <summary>The merchant gives the dispute up (or lets its deadline pass): a chargeback is lost, an inquiry closes.</summary>
    private StripeEvent Concede(JsonObject dispute)
    {
        var previous = new JsonObject { ["status"] = dispute.Str("status") };
        dispute["status"] = IsInquiry(dispute) ? "warning_closed" : "lost";
        objects.Put(dispute);
        return new StripeEvent("charge.dispute.closed", StripeLists.Public(dispute), previous);
    }

    /// <summary>
    /// The control API's verdict on a dispute under review (evidence submitted that test mode does not decide): the
    /// dispute, or why it cannot be decided; null when there is no such dispute.
    /// </summary>
    public (JsonObject? Dispute, string? Refusal) Resolve(string id, bool won) => objects.Atomically(() =>
    {
        if (objects.Get(id, Type) is not { } dispute)
        {
            return ((JsonObject?)null, (string?)null);
        }

        if (dispute.Str("status") is not ("under_review" or "warning_under_review"))
        {
            return (StripeLists.Public(dispute), $"dispute {id} is {dispute.Str("status")}: only a dispute under review (evidence submitted) is decided");
        }

        var events = new List<StripeEvent>();
        Decide(dispute, won, events);
        webhooks.Send(dispute.Str("charge")!, events);
        return (StripeLists.Public(dispute), null);
    });

    /// <summary>Why evidence cannot be given now: the dispute is closed, or its evidence was submitted already.</summary>
    private static StripeResponse? Refusal(JsonObject dispute) =>
        IsClosed(dispute)
            ? StripeErrors.Envelope(400, "invalid_request_error", $"This dispute is already closed ({dispute.Str("status")}): it cannot be updated.", null, null)
            : dispute.Str("status") is "under_review" or "warning_under_review"
                ? StripeErrors.Envelope(400, "invalid_request_error", "This dispute's evidence has already been submitted and is under review: it cannot be updated.", null, null)
                : null;

    /// <summary>The evidence goes to the bank <paramref name="at"/>: under review, then decided at once by test mode's texts.</summary>
    private void Submit(JsonObject dispute, JsonObject previous, List<StripeEvent> events, long at)
    {
        var details = (JsonObject)dispute["evidence_details"]!;
        previous["evidence_details"] ??= details.DeepClone();
        previous["status"] = dispute.Str("status");
        details["submission_count"] = details["submission_count"]!.GetValue<long>() + 1;
        details["submission_method"] = "manual";
        details["past_due"] = at > details["due_by"]!.GetValue<long>();
        dispute["status"] = IsInquiry(dispute) ? "warning_under_review" : "under_review";
        objects.Put(dispute);
        events.Add(new StripeEvent("charge.dispute.updated", StripeLists.Public(dispute), previous));
        switch (dispute["evidence"].Str("uncategorized_text"))
        {
            case WinningEvidence:
                Decide(dispute, won: true, events);
                break;
            case LosingEvidence:
                Decide(dispute, won: false, events);
                break;
        }
    }

    /// <summary>
    /// The bank's verdict. A chargeback is won (its amount reinstated) or lost; an inquiry won closes
    /// (<c>warning_closed</c>), one lost escalates into a chargeback that is lost, its funds withdrawn then.
    /// </summary>
    private void Decide(JsonObject dispute, bool won, List<StripeEvent> events)
    {
        var now = StripeJson.Unix(context.Clock.GetUtcNow());
        var previous = new JsonObject { ["status"] = dispute.Str("status") };
        var inquiry = IsInquiry(dispute);
        dispute["status"] = won ? (inquiry ? "warning_closed" : "won") : "lost";
        if (won && !inquiry)
        {
            Reinstate(dispute, now);
        }

        if (!won && inquiry)
        {
            dispute["is_charge_refundable"] = false;
            dispute["payment_method_details"]!["card"]!["case_type"] = "chargeback";
            Withdraw(dispute, now);
            events.Add(new StripeEvent("charge.dispute.funds_withdrawn", StripeLists.Public(dispute)));
        }

        objects.Put(dispute);
        events.Add(new StripeEvent("charge.dispute.closed", StripeLists.Public(dispute), previous));
        if (won && !inquiry)
        {
            events.Add(new StripeEvent("charge.dispute.funds_reinstated", StripeLists.Public(dispute)));
        }
    }
}
