using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Disputes (docs.stripe.com/api/disputes): a chargeback or an inquiry opened on a succeeded charge, by one of Stripe's
/// dispute test cards or by the control API, with its events filed under the charge's id. Evidence, closing and the
/// outcomes are in <c>StripeDisputes.Evidence.cs</c>.
/// </summary>
public sealed partial class StripeDisputes(SandboxContext context, ProviderObjects objects, StripeWebhooks webhooks, StripeEarlyFraudWarnings warnings)
{
    public const string Type = "dispute";
    public const string Path = "/v1/disputes";

    /// <summary>Stripe's network fee for a chargeback, taken with the disputed amount (docs.stripe.com/disputes/how-disputes-work).</summary>
    public const long DisputeFee = 1500;

    /// <summary>The days, counted on the sandbox clock, a new dispute leaves for evidence; due at the end of that UTC day.</summary>
    public const int ResponseDays = 7;

    /// <summary>Stripe's dispute reasons (<c>dispute.reason</c>).</summary>
    public static readonly string[] Reasons =
    [
        "bank_cannot_process", "check_returned", "credit_not_processed", "customer_initiated", "debit_not_authorized", "duplicate", "fraudulent",
        "general", "incorrect_account_details", "insufficient_funds", "noncompliant", "product_not_received", "product_unacceptable",
        "subscription_canceled", "unrecognized",
    ];

    /// <summary>What follows an approved charge to one of Stripe's dispute test cards.</summary>
    public enum Aftermath
    {
        Chargeback,
        Inquiry,

        /// <summary>Two chargebacks on the one charge (<c>pm_card_createMultipleDisputes</c>).</summary>
        Chargebacks,

        /// <summary>An early fraud warning from the issuer, no dispute (<c>pm_card_createIssuerFraudRecord</c>).</summary>
        EarlyFraudWarning,
    }

    /// <summary>A test card whose approved charge Stripe follows with a dispute or a warning (docs.stripe.com/testing#disputes).</summary>
    public sealed record DisputeCard(string Number, string PaymentMethod, string Reason, Aftermath Follows, string Description);

    private static readonly DisputeCard[] Cards =
    [
        new("4000000000000259", "pm_card_createDispute", "fraudulent", Aftermath.Chargeback, "Succeeds, then disputed: fraudulent chargeback"),
        new("4000000000002685", "pm_card_createDisputeProductNotReceived", "product_not_received", Aftermath.Chargeback, "Succeeds, then disputed: product_not_received chargeback"),
        new("4000000000001976", "pm_card_createDisputeInquiry", "fraudulent", Aftermath.Inquiry, "Succeeds, then an inquiry (warning_needs_response)"),
        new("4000000000005423", "pm_card_createIssuerFraudRecord", "fraudulent", Aftermath.EarlyFraudWarning, "Succeeds, then an early fraud warning (no dispute)"),
        new("4000000404000079", "pm_card_createMultipleDisputes", "fraudulent", Aftermath.Chargebacks, "Succeeds, then disputed twice: two fraudulent chargebacks"),
    ];

    /// <summary>The dispute cards as the hosted page offers them: approved, the dispute follows the payment.</summary>
    public static IReadOnlyList<TestCard> TestCards { get; } = [.. Cards.Select(c => new TestCard(c.Number, CardOutcome.Approved, c.Description))];

    /// <summary>The dispute cards as Stripe's test PaymentMethods (<c>pm_card_createDispute</c>, …), approved when charged.</summary>
    internal static IEnumerable<StripeTestPaymentMethods.TestPaymentMethod> PaymentMethods =>
        Cards.Select(c => new StripeTestPaymentMethods.TestPaymentMethod(c.PaymentMethod, "visa", c.Number[^4..], "credit", CardOutcome.Approved));

    private static readonly string[] EvidenceFields =
    [
        "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure", "cancellation_rebuttal",
        "customer_communication", "customer_email_address", "customer_name", "customer_purchase_ip", "customer_signature",
        "duplicate_charge_documentation", "duplicate_charge_explanation", "duplicate_charge_id", "product_description", "receipt",
        "refund_policy", "refund_policy_disclosure", "refund_refusal_explanation", "service_date", "service_documentation",
        "shipping_address", "shipping_carrier", "shipping_date", "shipping_documentation", "shipping_tracking_number",
        "uncategorized_file", "uncategorized_text",
    ];

    /// <summary>
    /// After a payment's own events: the dispute its PaymentIntent's charge draws when the card was a dispute card. A
    /// subscription's first invoice names its intent privately.
    /// </summary>
    public void FollowPayment(JsonObject session)
    {
        var intentId = session.Str("payment_intent")
            ?? (session.Str("invoice") is { } invoice ? objects.Get(invoice, "invoice").Str("_payment_intent") : null);
        if (intentId is not null && objects.Get(intentId, "payment_intent").Str("latest_charge") is { } chargeId)
        {
            Follow(chargeId);
        }
    }

    /// <summary>Opens the dispute (or raises the early fraud warning) a captured charge to a dispute card draws, once.</summary>
    public void Follow(string chargeId) => objects.InTransaction(() =>
    {
        if (objects.Get(chargeId, "charge") is not { } charge || Disputable(charge) is not null
            || StripeTestCards.Last4(charge) is not { } last4
            || Cards.FirstOrDefault(c => c.Number[^4..] == last4) is not { } card)
        {
            return;
        }

        switch (card.Follows)
        {
            case Aftermath.EarlyFraudWarning:
                warnings.Raise(charge);
                break;
            case Aftermath.Chargebacks:
                Open(charge, card.Reason, inquiry: false);
                Open(charge, card.Reason, inquiry: false);
                break;
            default:
                Open(charge, card.Reason, card.Follows == Aftermath.Inquiry);
                break;
        }
    });

    /// <summary>What stops <paramref name="charge"/> from being disputed, or null.</summary>
    public static string? Disputable(JsonObject charge) =>
        charge.Str("status") != "succeeded" || charge["captured"]?.GetValue<bool>() != true ? $"charge {charge.Str("id")} has not succeeded and been captured"
        : charge["disputed"]?.GetValue<bool>() == true ? $"charge {charge.Str("id")} is already disputed"
        : Amount(charge) <= 0 ? $"charge {charge.Str("id")} is fully refunded"
        : null;

    /// <summary>Opens a dispute on a disputable charge for what is left of it, and sends its events under the charge's id.</summary>
    public JsonObject Open(JsonObject charge, string reason, bool inquiry)
    {
        var now = StripeJson.Unix(context.Clock.GetUtcNow());
        var chargeId = charge.Str("id")!;
        var dueBy = DateTimeOffset.FromUnixTimeSeconds(now).UtcDateTime.Date.AddDays(ResponseDays + 1).AddSeconds(-1);
        var dispute = new JsonObject
        {
            ["id"] = StripeJson.NewId("dp"),
            ["object"] = Type,
            ["amount"] = Amount(charge),
            ["balance_transactions"] = new JsonArray(),
            ["charge"] = chargeId,
            ["created"] = now,
            ["currency"] = charge.Str("currency"),
            ["enhanced_eligibility_types"] = new JsonArray(),
            ["evidence"] = EmptyEvidence(),
            ["evidence_details"] = new JsonObject
            {
                ["due_by"] = StripeJson.Unix(new DateTimeOffset(dueBy, TimeSpan.Zero)),
                ["enhanced_eligibility"] = new JsonObject(),
                ["has_evidence"] = false,
                ["past_due"] = false,
                ["submission_count"] = 0,
                ["submission_method"] = "not_submitted",
            },
            ["intended_submission_method"] = null,
            ["is_charge_refundable"] = inquiry,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["payment_intent"] = charge.Str("payment_intent"),
            ["payment_method_details"] = new JsonObject
            {
                ["card"] = new JsonObject
                {
                    ["brand"] = charge["payment_method_details"]?["card"].Str("brand") ?? "visa",
                    ["case_type"] = inquiry ? "inquiry" : "chargeback",
                    ["network_reason_code"] = NetworkReasonCode(reason),
                },
                ["type"] = "card",
            },
            ["reason"] = reason,
            ["status"] = inquiry ? "warning_needs_response" : "needs_response",
        };
        var events = new List<StripeEvent>();
        if (!inquiry)
        {
            Withdraw(dispute, now);
        }

        objects.Put(dispute);
        ScheduleDeadline(dispute);
        charge["disputed"] = true;
        objects.Put(charge);
        events.Add(new StripeEvent("charge.dispute.created", StripeLists.Public(dispute)));
        if (!inquiry)
        {
            events.Add(new StripeEvent("charge.dispute.funds_withdrawn", StripeLists.Public(dispute)));
        }

        if (StripeEarlyFraudWarnings.Settled(objects, chargeId) is { } warned)
        {
            events.Add(warned);
        }

        webhooks.Send(chargeId, events);
        return dispute;
    }

    /// <summary>
    /// A refund of a charged-back charge is refused as Stripe refuses it (<c>charge_disputed</c>); an inquiry's charge
    /// (<c>is_charge_refundable</c>) still refunds.
    /// </summary>
    public static StripeResponse? RefundRefusal(ProviderObjects objects, JsonObject charge) =>
        charge["disputed"]?.GetValue<bool>() == true
        && objects.Newest(Type).FirstOrDefault(d => d.Str("charge") == charge.Str("id")) is { } dispute
        && dispute["is_charge_refundable"]?.GetValue<bool>() != true
            ? StripeErrors.Envelope(400, "invalid_request_error", $"Charge {charge.Str("id")} has been charged back; cannot issue a refund.", "charge_disputed", null)
            : null;

    public StripeResponse Retrieve(string id) =>
        objects.Get(id, Type) is { } dispute ? StripeResponse.Ok(StripeLists.Public(dispute)) : StripeErrors.NoSuch(Type, id, "dispute");

    /// <summary>Disputes newest first, by <c>charge</c>, <c>payment_intent</c> and <c>created</c> (a time or <c>gt</c>/<c>gte</c>/<c>lt</c>/<c>lte</c>).</summary>
    public StripeResponse List(JsonObject query)
    {
        if (StripeLists.CreatedFilter(query, out var created) is { } bad)
        {
            return bad;
        }

        return StripeLists.Page(Path, after => objects.Newest(Type, after).Where(d =>
            (query.Str("charge") is not { } charge || d.Str("charge") == charge)
            && (query.Str("payment_intent") is not { } intent || d.Str("payment_intent") == intent)
            && created(d["created"]!.GetValue<long>())), query);
    }

    /// <summary>What a dispute takes: the charge's captured amount less what was refunded.</summary>
    private static long Amount(JsonObject charge) =>
        (charge["amount_captured"]?.GetValue<long>() ?? 0) - (charge["amount_refunded"]?.GetValue<long>() ?? 0);

    private static JsonObject EmptyEvidence()
    {
        var evidence = new JsonObject();
        foreach (var field in EvidenceFields)
        {
            evidence[field] = null;
        }

        evidence["enhanced_evidence"] = new JsonObject();
        return evidence;
    }

    /// <summary>Visa's code for the reason, as the test cards' disputes carry it; null where the sandbox has none.</summary>
    private static string? NetworkReasonCode(string reason) => reason switch
    {
        "fraudulent" => "10.4",
        "product_not_received" => "13.1",
        "product_unacceptable" => "13.3",
        "subscription_canceled" => "13.2",
        "credit_not_processed" => "13.6",
        "duplicate" => "12.6.1",
        _ => null,
    };

    /// <summary>The chargeback's withdrawal: the disputed amount and the dispute fee leave the balance.</summary>
    private void Withdraw(JsonObject dispute, long now) =>
        ((JsonArray)dispute["balance_transactions"]!).Add(StripeBalance.RecordDisputeAdjustment(objects, dispute, -dispute["amount"]!.GetValue<long>(), DisputeFee, "Chargeback withdrawal", "dispute", now));

    /// <summary>A won chargeback's reinstatement: the amount comes back; the dispute fee does not.</summary>
    private void Reinstate(JsonObject dispute, long now) =>
        ((JsonArray)dispute["balance_transactions"]!).Add(StripeBalance.RecordDisputeAdjustment(objects, dispute, dispute["amount"]!.GetValue<long>(), 0, "Chargeback reversal", "dispute_reversal", now));
}
