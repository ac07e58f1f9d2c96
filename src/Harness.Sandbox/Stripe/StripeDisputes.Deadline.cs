using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Dispute work that falls due later. A dispute's deadline: when <c>evidence_details.due_by</c> passes on the sandbox
/// clock and no evidence was submitted, staged evidence goes to the bank as of the deadline, and a dispute with none is
/// conceded (a chargeback lost, an inquiry <c>warning_closed</c>). And the dispute an invoice's charge to a saved
/// dispute card draws, opened after the invoice's own events.
/// </summary>
public sealed partial class StripeDisputes
{
    // The sandbox's own records of an open dispute's deadline and of a charge to follow: never served, so not Stripe object types.
    private const string DeadlineType = "sandbox.dispute_deadline";
    private const string FollowType = "sandbox.dispute_follow";

    private StripeDueRecords Deadlines => new(objects, DeadlineType, "lapses_at", "lapsed");

    private StripeDueRecords Follows => new(objects, FollowType, "follows_at", "followed");

    /// <summary>When the next charge is to be followed or open dispute's deadline passes; null when none is waiting.</summary>
    public DateTimeOffset? NextDueAt() => new[] { Follows.NextDueAt(), Deadlines.NextDueAt() }.Where(d => d is not null).Min();

    public void RunDue(long now)
    {
        Follows.RunDue(now, follow => Follow(follow.Str("charge")!));
        Deadlines.RunDue(now, Lapse);
    }

    /// <summary>
    /// An invoice's succeeded charge (a renewal's, a retry's, a subscription's first) to a saved dispute card: its dispute
    /// opens on the next run of due work, which the scheduler makes at once, so after the invoice's events. The invoice's
    /// time may be a test clock's, so the record is due whatever the sandbox clock says.
    /// </summary>
    internal static void FollowLater(ProviderObjects objects, JsonObject charge)
    {
        if (StripeTestCards.Last4(charge) is { } last4 && Cards.Any(c => c.Number[^4..] == last4))
        {
            objects.Put(new JsonObject
            {
                ["id"] = StripeJson.NewId("dpfol"),
                ["object"] = FollowType,
                ["charge"] = charge.Str("id"),
                ["follows_at"] = 0L,
                ["followed"] = false,
            });
        }
    }

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
