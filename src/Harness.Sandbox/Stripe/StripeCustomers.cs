using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Customers (<c>/v1/customers</c>) and Stripe's test clocks (<c>/v1/test_helpers/test_clocks</c>). A customer
/// created with <c>test_clock</c> lives on that clock: its subscriptions renew when the clock is advanced, not
/// with the sandbox clock.
/// </summary>
public sealed class StripeCustomers(SandboxContext context, ProviderObjects objects, StripePaymentMethods methods, StripeWebhooks webhooks)
{
    public const string ClockType = "test_helpers.test_clock";

    private static readonly HashSet<string> CustomerParams =
        ["email", "name", "description", "phone", "metadata", "test_clock", "expand", "preferred_locales", "payment_method", "invoice_settings"];

    private static readonly HashSet<string> UpdateParams = ["email", "name", "description", "phone", "address", "metadata", "expand", "invoice_settings"];

    /// <summary>The fields an update copies as they come (an empty value clears one, as at Stripe).</summary>
    private static readonly string[] PlainUpdates = ["email", "name", "description", "phone"];

    private const string DefaultParam = "invoice_settings[default_payment_method]";

    private static readonly HashSet<string> ClockParams = ["frozen_time", "name", "expand"];

    /// <summary>Stripe keeps a test clock for 30 days.</summary>
    private const long ClockLifetime = 30 * 86_400;

    /// <summary>Test clocks cannot be frozen before 2000 or beyond what Stripe.net's Int32-free timestamps and the sandbox's dates allow.</summary>
    private const long EarliestFrozen = 946_684_800;
    private const long LatestFrozen = 32_503_680_000; // 3000-01-01

    /// <summary>"Now" for a customer: its test clock's frozen time, or the sandbox clock.</summary>
    public long NowFor(string? customerId) =>
        TestClockOf(customerId) is { } clock ? clock["frozen_time"]!.GetValue<long>() : StripeJson.Unix(context.Clock.GetUtcNow());

    /// <summary>The customer's test clock; null when it has none (or it was deleted with its clock).</summary>
    public JsonObject? TestClockOf(string? customerId) =>
        customerId is not null && objects.Get(customerId, "customer").Str("test_clock") is { } clockId && objects.Get(clockId, ClockType) is { } clock && clock["deleted"] is null
            ? clock
            : null;

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CustomerParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error!;
        }

        string? clockId = null;
        if (p.Str("test_clock") is { } clock)
        {
            if (objects.Get(clock, ClockType) is null)
            {
                return StripeErrors.NoSuch("test_helpers.test_clock", clock, "test_clock");
            }

            clockId = clock;
        }

        if (ReadDefault(p, out var defaultMethod) is { } badDefault)
        {
            return badDefault;
        }

        var created = clockId is null ? StripeJson.Unix(context.Clock.GetUtcNow()) : objects.Get(clockId, ClockType)!["frozen_time"]!.GetValue<long>();
        var customer = new JsonObject
        {
            ["id"] = StripeJson.NewId("cus"),
            ["object"] = "customer",
            ["address"] = null,
            ["balance"] = 0,
            ["created"] = created,
            ["currency"] = null,
            ["default_source"] = null,
            ["delinquent"] = false,
            ["description"] = p.Str("description"),
            ["email"] = p.Str("email"),
            ["invoice_prefix"] = StripeJson.NewId("x")[2..10].ToUpperInvariant(),
            ["invoice_settings"] = new JsonObject { ["custom_fields"] = null, ["default_payment_method"] = null, ["footer"] = null, ["rendering_options"] = null },
            ["livemode"] = false,
            ["metadata"] = metadata,
            ["name"] = p.Str("name"),
            ["phone"] = p.Str("phone"),
            ["preferred_locales"] = new JsonArray(),
            ["shipping"] = null,
            ["tax_exempt"] = "none",
            ["test_clock"] = clockId,
        };
        return objects.Atomically(() =>
        {
            var id = customer.Str("id")!;
            // payment_method saves a card to the new customer, which invoice_settings may then name as its default.
            var methodId = p.Str("payment_method");
            if (defaultMethod is { Length: > 0 } && defaultMethod != methodId && methods.CheckSaved(defaultMethod, id, DefaultParam) is { } notSaved)
            {
                return notSaved;
            }

            if (methodId is not null)
            {
                if (methods.Materialize(methodId) is not { } method)
                {
                    return StripeErrors.NoSuch("PaymentMethod", StripeLists.Clip(methodId), "payment_method");
                }

                if (methods.Save(method, id) is { } refused)
                {
                    return refused;
                }

                defaultMethod = defaultMethod == methodId ? method.Str("id") : defaultMethod;
            }

            customer["invoice_settings"]!["default_payment_method"] = defaultMethod is { Length: > 0 } ? defaultMethod : null;
            objects.Put(customer);
            return StripeResponse.Ok(customer);
        });
    }

    /// <summary>
    /// <c>POST /v1/customers/{id}</c>: <c>email</c>, <c>name</c>, <c>description</c>, <c>phone</c>, <c>address</c> and <c>metadata</c> (merged)
    /// and <c>invoice_settings[default_payment_method]</c>, a card saved to the customer that its subscriptions' renewals
    /// charge; <c>customer.updated</c> with what changed.
    /// </summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error!;
        }

        if (ReadDefault(p, out var defaultMethod) is { } badDefault)
        {
            return badDefault;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, "customer") is not { } customer || customer["deleted"] is not null)
            {
                return StripeErrors.NoSuch("customer", id, "id");
            }

            if (defaultMethod is { Length: > 0 } && methods.CheckSaved(defaultMethod, id, DefaultParam) is { } notSaved)
            {
                return notSaved;
            }

            var previous = new JsonObject();
            foreach (var field in PlainUpdates.Where(f => p[f] is not null))
            {
                previous[field] = customer[field]?.DeepClone();
                customer[field] = p.Str(field) is { Length: > 0 } value ? value : null;
            }

            if (p["address"] is not null)
            {
                previous["address"] = customer["address"]?.DeepClone();
                if (p.Str("address") is "")
                {
                    customer["address"] = null;
                }
                else if (StripePaymentMethods.MergeAddress(p["address"], customer, "address") is { } badAddress)
                {
                    return badAddress;
                }
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(customer, metadata, previous);
            }

            if (defaultMethod is not null)
            {
                // Checkout's customers are stored without invoice settings; the update gives them some.
                var settings = customer["invoice_settings"] as JsonObject ?? new JsonObject { ["custom_fields"] = null, ["default_payment_method"] = null, ["footer"] = null, ["rendering_options"] = null };
                previous["invoice_settings"] = settings.DeepClone();
                settings["default_payment_method"] = defaultMethod.Length > 0 ? defaultMethod : null;
                customer["invoice_settings"] = settings;
            }

            objects.Put(customer);
            webhooks.Send(id, [new StripeEvent("customer.updated", customer, previous)]);
            return StripeResponse.Ok(customer);
        });
    }

    /// <summary><c>invoice_settings[default_payment_method]</c>: absent (null), empty to clear it, or an id.</summary>
    private static StripeResponse? ReadDefault(JsonObject p, out string? defaultMethod)
    {
        defaultMethod = null;
        if (p["invoice_settings"] is null)
        {
            return null;
        }

        if (p["invoice_settings"] is not JsonObject settings || settings.Any(kv => kv.Key != "default_payment_method" || kv.Value is not JsonValue))
        {
            return StripeErrors.InvalidParam("Invalid object", "invoice_settings");
        }

        defaultMethod = settings.Str("default_payment_method");
        return null;
    }

    public StripeResponse Retrieve(string id) =>
        objects.Get(id, "customer") is { } customer ? StripeResponse.Ok(customer) : StripeErrors.NoSuch("customer", id, "id");

    public StripeResponse List(JsonObject query)
    {
        IEnumerable<JsonObject> customers = objects.Newest("customer", query.Str("starting_after")).Where(c => c["deleted"] is null);
        if (query.Str("email") is { } email)
        {
            customers = customers.Where(c => c.Str("email") == email);
        }

        if (query.Str("test_clock") is { } clock)
        {
            customers = customers.Where(c => c.Str("test_clock") == clock);
        }

        return StripeLists.Page("/v1/customers", customers, query);
    }

    public StripeResponse CreateClock(JsonObject p)
    {
        if (StripeLists.Unknown(p, ClockParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("frozen_time") is not { } frozenText)
        {
            return StripeErrors.Missing("frozen_time");
        }

        if (!StripeJson.TryLong(frozenText, out var frozen) || frozen is < EarliestFrozen or > LatestFrozen)
        {
            return StripeErrors.InvalidParam($"Invalid frozen_time: must be a Unix timestamp between {EarliestFrozen} and {LatestFrozen}.", "frozen_time");
        }

        var now = StripeJson.Unix(context.Clock.GetUtcNow());
        var clock = new JsonObject
        {
            ["id"] = StripeJson.NewId("clock"),
            ["object"] = ClockType,
            ["created"] = now,
            ["deletes_after"] = now + ClockLifetime,
            ["frozen_time"] = frozen,
            ["livemode"] = false,
            ["name"] = p.Str("name"),
            ["status"] = "ready",
            ["status_details"] = new JsonObject(),
        };
        objects.Put(clock);
        return StripeResponse.Ok(clock);
    }

    public StripeResponse RetrieveClock(string id) =>
        objects.Get(id, ClockType) is { } clock && clock["deleted"] is null ? StripeResponse.Ok(clock) : StripeErrors.NoSuch(ClockType, id, "test_clock");

    public StripeResponse ListClocks(JsonObject query) =>
        StripeLists.Page("/v1/test_helpers/test_clocks", objects.Newest(ClockType, query.Str("starting_after")).Where(c => c["deleted"] is null), query);

    /// <summary>
    /// Starts advancing: the answer is the clock <c>advancing</c> towards <c>frozen_time</c>, as at Stripe; the
    /// renewals, retries and cancellations that fall due run in the background and the clock is <c>ready</c> after.
    /// </summary>
    public StripeResponse Advance(string id, JsonObject p, Func<string, long, long?> advanceLimit, Action<string, long> runUntil)
    {
        if (StripeLists.Unknown(p, ClockParams) is { } unknown)
        {
            return unknown;
        }

        if (objects.Get(id, ClockType) is not { } clock || clock["deleted"] is not null)
        {
            return StripeErrors.NoSuch(ClockType, id, "test_clock");
        }

        if (p.Str("frozen_time") is not { } frozenText)
        {
            return StripeErrors.Missing("frozen_time");
        }

        var current = clock["frozen_time"]!.GetValue<long>();
        if (!StripeJson.TryLong(frozenText, out var target) || target > LatestFrozen)
        {
            return StripeErrors.InvalidParam($"Invalid frozen_time: must be a Unix timestamp no later than {LatestFrozen}.", "frozen_time");
        }

        if (target <= current)
        {
            return StripeErrors.InvalidParam("The frozen_time must be after the test clock's current frozen_time.", "frozen_time");
        }

        // Stripe's rule: at most two intervals of the clock's shortest subscription interval per advance (calendar months for months).
        if (advanceLimit(id, current) is { } limit && target > limit)
        {
            return StripeErrors.InvalidParam(
                $"Cannot advance the test clock more than two intervals of its shortest subscription interval ({(limit - current) / 86_400} days) at a time.", "frozen_time");
        }

        if (clock.Str("status") == "advancing")
        {
            return StripeErrors.InvalidParam("The test clock is already advancing; wait until its status is ready.", null, "test_clock_advancing");
        }

        clock["status"] = "advancing";
        clock["status_details"] = new JsonObject { ["advancing"] = new JsonObject { ["target_frozen_time"] = target } };
        objects.Put(clock);
        _ = Task.Run(() => FinishAdvance(id, target, runUntil));
        return StripeResponse.Ok(clock);
    }

    /// <summary>Deletes the clock and, as Stripe does, the customers on it (their subscriptions stop with it).</summary>
    public StripeResponse DeleteClock(string id)
    {
        if (objects.Get(id, ClockType) is not { } clock || clock["deleted"] is not null)
        {
            return StripeErrors.NoSuch(ClockType, id, "test_clock");
        }

        foreach (var customer in objects.List("customer").Where(c => c.Str("test_clock") == id && c["deleted"] is null))
        {
            objects.Put(new JsonObject { ["id"] = customer.Str("id"), ["object"] = "customer", ["deleted"] = true, ["test_clock"] = id });
        }

        var deleted = new JsonObject { ["id"] = id, ["object"] = ClockType, ["deleted"] = true };
        objects.Put(deleted);
        return StripeResponse.Ok(deleted);
    }

    /// <summary>Clocks a stop left <c>advancing</c> finish their advance on the next start.</summary>
    public void ResumeAdvancing(Action<string, long> runUntil)
    {
        foreach (var clock in objects.List(ClockType).Where(c => c.Str("status") == "advancing"))
        {
            var target = clock["status_details"]?["advancing"]?["target_frozen_time"]?.GetValue<long>() ?? clock["frozen_time"]!.GetValue<long>();
            FinishAdvance(clock.Str("id")!, target, runUntil);
        }
    }

    private void FinishAdvance(string id, long target, Action<string, long> runUntil)
    {
        var status = "ready";
        try
        {
            runUntil(id, target);
        }
        catch (Exception)
        {
            status = "internal_failure";
        }

        try
        {
            if (objects.Get(id, ClockType) is { } clock && clock["deleted"] is null)
            {
                clock["frozen_time"] = target;
                clock["status"] = status;
                clock["status_details"] = new JsonObject();
                objects.Put(clock);
            }
        }
        catch (ObjectDisposedException)
        {
            // The sandbox stopped while the clock was advancing; nothing is left to update.
        }
    }
}
