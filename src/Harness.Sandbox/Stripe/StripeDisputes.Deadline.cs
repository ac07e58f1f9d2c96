using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A dispute's deadline: when <c>evidence_details.due_by</c> passes on the sandbox clock and no evidence was submitted,
/// staged evidence goes to the bank as of the deadline, and a dispute with none is conceded (a chargeback lost, an
/// inquiry <c>warning_closed</c>).
/// </summary>
public sealed partial class StripeDisputes
{
    // The sandbox's own record of an open dispute's deadline: never served, so not a Stripe object type.
    private const string DeadlineType = "sandbox.dispute_deadline";

    private StripeDueRecords Deadlines => new(objects, DeadlineType, "lapses_at", "lapsed");

    /// <summary>When the next open dispute's deadline passes; null when none is waiting.</summary>
    public DateTimeOffset? NextDueAt() => Deadlines.NextDueAt();

    public void RunDue(long now) => Deadlines.RunDue(now, Lapse);

    /// <summary>The deadline passes the second after <c>due_by</c>, which evidence may still meet.</summary>
    private void ScheduleDeadline(JsonObject dispute) => objects.Put(new JsonObject
    {
        ["id"] = StripeJson.NewId("dpdue"),
        ["object"] = DeadlineType,
        ["dispute"] = dispute.Str("id"),
        ["lapses_at"] = dispute["evidence_details"]!["due_by"]!.GetValue<long>() + 1,
        ["lapsed"] = false,
    });

    private void Lapse(JsonObject deadline)
    {
        var dispute = objects.Get(deadline.Str("dispute")!, Type)!;
        if (dispute.Str("status") is not ("needs_response" or "warning_needs_response"))
        {
            return;
        }

        var details = (JsonObject)dispute["evidence_details"]!;
        var events = new List<StripeEvent>();
        if (details["has_evidence"]!.GetValue<bool>())
        {
            Submit(dispute, new JsonObject(), events, details["due_by"]!.GetValue<long>());
        }
        else
        {
            events.Add(Concede(dispute));
        }

        webhooks.Send(dispute.Str("charge")!, events);
    }
}
