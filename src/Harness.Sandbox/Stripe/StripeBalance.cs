using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The account's balance (docs.stripe.com/api/balance) and its balance transactions: every movement of money the
/// sandbox makes — a captured charge less Stripe's fee, a refund, a refund that failed, a dispute's withdrawal and
/// reinstatement — is recorded in the unit that moves it, and the balance is their sum, pending until each one's
/// <c>available_on</c> passes on the sandbox clock. Payouts are not simulated: available funds stay in the balance.
/// </summary>
public sealed class StripeBalance(ProviderObjects objects, TimeProvider clock)
{
    public const string TransactionsPath = "/v1/balance_transactions";
    public const string Type = "balance_transaction";

    /// <summary>Stripe's standard card pricing, the one fee rule of the sandbox: 2.9 % plus 30 minor units.</summary>
    public const long FeeBasisPoints = 290;

    public const long FeeFixed = 30;

    /// <summary>Charge funds become available at 00:00 UTC two days after the charge (Stripe's standard schedule).</summary>
    private const long AvailabilityDays = 2;

    private const long Day = 86_400;

    private static readonly HashSet<string> ListParams =
        ["created", "currency", "payout", "source", "type", "limit", "starting_after", "ending_before", "expand"];

    private static readonly HashSet<string> RetrieveParams = ["expand"];

    private static readonly string[] TextFilters = ["currency", "source", "type"];

    /// <summary>Stripe's processing fee on <paramref name="amount"/>, rounded to the nearest minor unit (half up).</summary>
    public static long FeeOn(long amount) => (amount * FeeBasisPoints + 5_000) / 10_000 + FeeFixed;

    /// <summary>
    /// Records <paramref name="charge"/>'s balance transaction once its money is in — succeeded and captured — and not
    /// before, or twice; sets the charge's <c>balance_transaction</c>. Call it before the charge is stored.
    /// </summary>
    public static void RecordCharge(ProviderObjects objects, JsonObject charge, long now)
    {
        if (charge.Str("status") != "succeeded" || charge["captured"]?.GetValue<bool>() != true || charge.Str("balance_transaction") is not null)
        {
            return;
        }

        var amount = charge["amount_captured"]!.GetValue<long>();
        var fee = FeeOn(amount);
        var bankDebit = charge["payment_method_details"]?["type"]?.ToString() is { } method && method != "card";
        var transaction = New(charge.Str("currency"), amount, fee, now, AvailableOn(now), charge.Str("id")!,
            bankDebit ? "payment" : "charge", "charge", charge.Str("description"));
        objects.Put(transaction);
        charge["balance_transaction"] = transaction.Str("id");
    }

    /// <summary>A refund's debit, recorded when the refund is made (pending or not): the money leaves the balance at once, and Stripe keeps its fee.</summary>
    public static void RecordRefund(ProviderObjects objects, JsonObject refund, JsonObject charge, long now)
    {
        var transaction = New(refund.Str("currency"), -refund["amount"]!.GetValue<long>(), 0, now, now, refund.Str("id")!, "refund", "refund",
            $"REFUND FOR CHARGE ({charge.Str("description") ?? charge.Str("id")})");
        objects.Put(transaction);
        refund["balance_transaction"] = transaction.Str("id");
    }

    /// <summary>A failed refund's money coming back: its <c>failure_balance_transaction</c>.</summary>
    public static void RecordRefundFailure(ProviderObjects objects, JsonObject refund, long now)
    {
        var transaction = New(refund.Str("currency"), refund["amount"]!.GetValue<long>(), 0, now, now, refund.Str("id")!, "refund_failure", "refund_failure",
            "REFUND FAILURE");
        objects.Put(transaction);
        refund["failure_balance_transaction"] = transaction.Str("id");
    }

    /// <summary>A dispute's withdrawal or reinstatement (<c>adjustment</c>), its dispute fee as a Stripe fee; the dispute lists it in full.</summary>
    public static JsonObject RecordDisputeAdjustment(ProviderObjects objects, JsonObject dispute, long amount, long fee, string what, string category, long now)
    {
        var transaction = New(dispute.Str("currency"), amount, fee, now, now, dispute.Str("id")!, "adjustment", category,
            $"{what} for {dispute.Str("charge")}", "Dispute fee");
        objects.Put(transaction);
        return View(transaction, now);
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        StripeLists.Unknown(query, RetrieveParams)
        ?? (objects.Get(id, Type) is { } transaction
            ? StripeResponse.Ok(Expanded(View(transaction, Now()), query, "source"))
            : StripeErrors.NoSuch("balance transaction", id, "id"));

    public StripeResponse List(JsonObject query)
    {
        if (StripeLists.Unknown(query, ListParams) is { } unknown)
        {
            return unknown;
        }

        if (StripeLists.CreatedFilter(query, out var created) is { } badCreated)
        {
            return badCreated;
        }

        if (query["payout"] is not null)
        {
            return StripeErrors.InvalidParam("payout is not simulated by the sandbox: it makes no payouts, so no transaction was paid out.", "payout");
        }

        if (TextFilters.FirstOrDefault(f => query[f] is not null && query.Str(f) is null) is { } notText)
        {
            return StripeErrors.InvalidParam("Invalid string", notText);
        }

        var currency = query.Str("currency");
        var source = query.Str("source");
        var type = query.Str("type");
        var now = Now();
        return StripeLists.Page(TransactionsPath, after => objects.Newest(Type, after).Where(t =>
                (currency is null || t.Str("currency") == currency)
                && (source is null || t.Str("source") == source)
                && (type is null || t.Str("type") == type)
                && created(t["created"]!.GetValue<long>())),
            query, t => Expanded(View(t, now), query, "data.source"));
    }

    /// <summary>
    /// The balance: per currency, the net of the transactions already available and of those still pending, every
    /// payment method counted as Stripe counts cards and bank debits (<c>source_types.card</c>).
    /// </summary>
    public StripeResponse Balance(JsonObject query)
    {
        if (StripeLists.Unknown(query, RetrieveParams) is { } unknown)
        {
            return unknown;
        }

        var now = Now();
        var sums = new SortedDictionary<string, (long Available, long Pending)>(StringComparer.Ordinal);
        foreach (var transaction in objects.Newest(Type))
        {
            var currency = transaction.Str("currency") ?? "usd";
            var (available, pending) = sums.GetValueOrDefault(currency);
            var net = transaction["net"]!.GetValue<long>();
            sums[currency] = transaction["available_on"]!.GetValue<long>() <= now ? (available + net, pending) : (available, pending + net);
        }

        if (sums.Count == 0)
        {
            sums["usd"] = (0, 0);
        }

        return StripeResponse.Ok(new JsonObject
        {
            ["object"] = "balance",
            ["available"] = new JsonArray([.. sums.Select(s => (JsonNode)Amount(s.Key, s.Value.Available))]),
            ["livemode"] = false,
            ["pending"] = new JsonArray([.. sums.Select(s => (JsonNode)Amount(s.Key, s.Value.Pending))]),
        });
    }

    /// <summary>
    /// <c>expand[]=balance_transaction</c> (and <c>failure_balance_transaction</c>) on a charge or refund someone reads;
    /// the object is a public copy.
    /// </summary>
    public JsonObject ExpandOn(JsonObject copy, JsonObject? query)
    {
        foreach (var field in Expansions(query).Where(f => f is "balance_transaction" or "failure_balance_transaction"))
        {
            Expand(objects, copy, field, Now());
        }

        return copy;
    }

    /// <summary>Replaces the transaction id in <paramref name="copy"/>'s <paramref name="field"/> by the transaction.</summary>
    public static void Expand(ProviderObjects objects, JsonObject copy, string field, long now)
    {
        if (copy.Str(field) is { } id && objects.Get(id, Type) is { } transaction)
        {
            copy[field] = View(transaction, now);
        }
    }

    /// <summary><c>expand[]</c> of the transaction's <c>source</c> (<c>data.source</c> on a list).</summary>
    private JsonObject Expanded(JsonObject view, JsonObject query, string sourcePath)
    {
        if (Expansions(query).Contains(sourcePath) && view.Str("source") is { } source
            && (objects.Get(source, "charge") ?? objects.Get(source, "refund") ?? objects.Get(source, "dispute")) is { } found)
        {
            view["source"] = StripeLists.Public(found);
        }

        return view;
    }

    private static IEnumerable<string> Expansions(JsonObject? query) =>
        (query?["expand"] as JsonArray)?.OfType<JsonValue>().Select(e => e.ToString()) ?? [];

    private long Now() => StripeJson.Unix(clock.GetUtcNow());

    /// <summary>What a reader sees: the stored transaction, its <c>status</c> as of now.</summary>
    private static JsonObject View(JsonObject transaction, long now)
    {
        var view = StripeLists.Public(transaction);
        view["status"] = transaction["available_on"]!.GetValue<long>() <= now ? "available" : "pending";
        return view;
    }

    private static long AvailableOn(long now) => (now / Day + AvailabilityDays) * Day;

    private static JsonObject Amount(string currency, long amount) => new()
    {
        ["amount"] = amount,
        ["currency"] = currency,
        ["source_types"] = new JsonObject { ["card"] = amount },
    };

    private static JsonObject New(string? currency, long amount, long fee, long now, long availableOn, string source, string type, string category,
        string? description, string feeDescription = "Stripe processing fees") => new()
    {
        ["id"] = StripeJson.NewId("txn"),
        ["object"] = Type,
        ["amount"] = amount,
        ["available_on"] = availableOn,
        ["balance_type"] = "payments",
        ["created"] = now,
        ["currency"] = currency,
        ["description"] = description,
        ["exchange_rate"] = null,
        ["fee"] = fee,
        ["fee_details"] = fee == 0 ? new JsonArray() : new JsonArray(new JsonObject
        {
            ["amount"] = fee,
            ["application"] = null,
            ["currency"] = currency,
            ["description"] = feeDescription,
            ["type"] = "stripe_fee",
        }),
        ["net"] = amount - fee,
        ["reporting_category"] = category,
        ["source"] = source,
        ["status"] = availableOn <= now ? "available" : "pending",
        ["type"] = type,
    };
}
