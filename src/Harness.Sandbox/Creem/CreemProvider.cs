using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Http;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Faults;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Harness.Sandbox.Stripe;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Creem in test mode (providers.md §6, §8.5): <c>x-api-key</c>, checkout creation and retrieval with entities
/// that pass the official SDK's strict schemas (<c>mode</c> is always <c>test</c>), and webhooks with the
/// <c>{id, eventType, created_at (ms), object}</c> envelope signed by <c>creem-signature</c>, retried at
/// 30 s, 1 m, 5 m and 1 h until a 200. Subscriptions, transactions and refunds, and the catalog (products,
/// customers and their portal, discounts, licence keys) are its other partial files.
/// </summary>
public sealed partial class CreemProvider : ISandboxProvider
{
    public const string ApiKey = "creem_test_HarnessSandboxCreemApiKey0000";
    public const string WebhookSecret = "whsec_HarnessSandboxCreemWebhookSecret00";
    public const string OneTimeProduct = "prod_HarnessOneTime";
    public const string MonthlyProduct = "prod_HarnessMonthly";
    public const string ProMonthlyProduct = "prod_HarnessProMonthly";
    public const string YearlyProduct = "prod_HarnessYearly";
    public const string LicensedProduct = "prod_HarnessLicensed";
    public const string LicensedMonthlyProduct = "prod_HarnessLicensedMonthly";

    public static readonly DeliveryPolicy Policy = new(
        [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromHours(1)], CallbackAcknowledgement.Status(200));

    /// <summary>Creem documents no bound for <c>units</c>; this is the sandbox's (docs/sandbox/creem.md).</summary>
    private const long MaxUnits = 1_000;

    /// <summary>A checkout's amount (price × units) stays within custom_price's documented maximum, 99,999,999 cents.</summary>
    private const long MaxAmount = 99_999_999;

    private static readonly HashSet<string> CreateFields =
        ["product_id", "request_id", "units", "custom_price", "discount_code", "affiliate_code", "customer", "custom_fields", "success_url", "metadata"];

    private readonly SandboxContext _context;
    private readonly ProviderObjects _objects;
    private readonly CreemSigner _signer;
    private readonly CreemBilling _billing;
    private readonly CreemRefunds _refunds;
    private readonly CreemPortal _portal;

    public CreemProvider(SandboxContext context)
    {
        _context = context;
        _objects = new ProviderObjects(context.Store, "creem_objects");
        _signer = new CreemSigner(this);
        _billing = new CreemBilling(_objects, context.Clock, (subject, events) => Send(subject, events));
        _refunds = new CreemRefunds(_objects, context.Clock, (subject, events) => Send(subject, events));
        _portal = new CreemPortal(_objects, context.Clock, _billing);
        SeedProducts();
    }

    public string Name => "creem";

    public string Title => "Creem";

    public JsonObject? ObjectOf(SandboxPayment payment) => _objects.Get(payment.Id, "checkout") is { } checkout ? CreemJson.Public(checkout) : null;

    public IErrorEnvelope Errors => CreemErrors.Instance;

    public IEnumerable<ICallbackSigner> Signers => [_signer];

    public void MapApi(WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/v1") && !Authenticates(http.Request.Headers["x-api-key"].ToString()))
            {
                await CreemErrors.Instance.Error(ApiErrorKind.Forbidden, "Forbidden").ExecuteAsync(http);
                return;
            }

            await next(http);
        });

        app.MapPost("/v1/checkouts", async (HttpRequest request) => await CreateAsync(await StrictJsonBody.ReadObjectAsync(request)));
        app.MapGet("/v1/checkouts", (string? checkout_id) => checkout_id is not { Length: > 0 }
            ? CreemErrors.BadRequest("checkout_id must be a string")
            : _objects.Get(checkout_id, "checkout") is { } checkout ? Ok(checkout) : CreemErrors.NotFound("Checkout not found"));
        app.MapGet("/v1/products", (string? product_id) => product_id is not { Length: > 0 }
            ? CreemErrors.BadRequest("product_id must be a string")
            : _objects.Get(product_id, "product") is { } product ? Ok(product) : CreemErrors.NotFound("Product not found"));
        MapRecurring(app);
        MapProducts(app);
        MapCustomers(app);
        MapDiscounts(app);
        MapLicenses(app);
        _portal.Map(app);
    }

    /// <summary>Creem's checkout runs on Stripe and takes Stripe's test cards.</summary>
    public IReadOnlyList<TestCard>? CheckoutCards(SandboxPayment payment) =>
        _objects.Get(payment.Id, "checkout")?["product"].Str("billing_type") == "recurring" ? StripeTestCards.Subscription : StripeTestCards.OneTimeWithChargesFail;

    public PayPageOutcome OnPaid(SandboxPayment payment)
    {
        var checkout = _objects.Get(payment.Id, "checkout")!;
        var product = (JsonObject)checkout["product"]!;
        var now = _context.Clock.GetUtcNow();
        var amount = payment.Amount;
        var recurring = product.Str("billing_type") == "recurring";
        // A trial's checkout charges nothing, or a paid trial's price: its order is for that, the first full charge comes at the trial's end.
        var trial = recurring && product["trial_period_days"] is not null;
        var subtotal = trial ? amount : checkout["_sub_total"]?.GetValue<long>() ?? amount;
        var discount = checkout.Str("_discount") is { } discountId ? _objects.Get(discountId, "discount") : null;
        var customer = Customer(checkout, Iso(now));
        var order = new JsonObject
        {
            ["id"] = NewId("ord"),
            ["mode"] = "test",
            ["object"] = "order",
            ["customer"] = customer.Str("id"),
            ["product"] = product.Str("id"),
            ["discount"] = discount?.Str("id"),
            ["amount"] = amount,
            ["sub_total"] = subtotal,
            ["tax_amount"] = 0,
            ["discount_amount"] = subtotal - amount,
            ["amount_due"] = amount,
            ["amount_paid"] = amount,
            ["currency"] = product.Str("currency"),
            ["status"] = "paid",
            ["type"] = recurring ? "recurring" : "onetime",
            ["created_at"] = Iso(now),
            ["updated_at"] = Iso(now),
        };
        checkout["status"] = "completed";
        checkout["customer"] = customer;
        JsonObject? subscription = null;
        if (recurring)
        {
            subscription = _billing.Start(product, customer, checkout["units"]!.GetValue<long>(), checkout["metadata"] as JsonObject, order.Str("id")!, discount);
            // Paid with 0341 (a one-time checkout declines it): the first charge succeeds (a trial's is at its end), later ones decline.
            if (payment.CardLast4 == StripeTestCards.ChargesFail[^4..])
            {
                subscription = _billing.SetFailing(subscription.Str("id")!, true, "canceled")!;
            }

            order["transaction"] = subscription.Str("last_transaction_id");
            checkout["subscription"] = Public(subscription);
        }
        else
        {
            order["transaction"] = _refunds.RecordPayment(order, customer.Str("id")!, now).Str("id");
        }

        if (discount is not null)
        {
            Redeem(discount.Str("id")!);
        }

        IssueLicenses(checkout, customer, subscription, order.Str("transaction"));
        checkout["order"] = order;
        _objects.Put(checkout);
        var events = new List<CreemEvent> { new("checkout.completed", checkout) };
        if (subscription is not null)
        {
            events.AddRange(!trial ? [new("subscription.active", subscription), new("subscription.paid", subscription)]
                : amount > 0 ? [new("subscription.trialing", subscription), new("subscription.paid", subscription)]
                : [new("subscription.trialing", subscription)]);
        }

        Send(payment.Id, events);
        return checkout.Str("success_url") is { } successUrl
            ? new PayPageOutcome(ReturnUrl(successUrl, checkout, order, customer, subscription), "Paid.")
            : new PayPageOutcome(null, "Payment complete.");
    }

    public PayPageOutcome OnCanceled(SandboxPayment payment) =>
        new(null, "You left the checkout; it stays pending until it expires.");

    public void OnExpired(SandboxPayment payment)
    {
        var checkout = _objects.Get(payment.Id, "checkout")!;
        checkout["status"] = "expired";
        _objects.Put(checkout);
    }

    private async Task<IResult> CreateAsync(JsonObject? body)
    {
        if (body is null)
        {
            return CreemErrors.BadRequest("request body must be a JSON object");
        }

        var problems = new List<string>();
        problems.AddRange(body.Select(kv => kv.Key).Where(k => !CreateFields.Contains(k)).Select(k => $"property {k} should not exist"));
        var productId = body.Str("product_id");
        if (productId is null)
        {
            problems.Add("product_id must be a string");
        }

        var units = 1L;
        if (body["units"] is { } unitsNode)
        {
            if (!TryInt(unitsNode, out units) || units < 1)
            {
                problems.Add("units must be a positive integer");
            }
            else if (units > MaxUnits)
            {
                problems.Add($"units must not be greater than {MaxUnits}");
            }
        }

        long? customPrice = null;
        if (body["custom_price"] is { } priceNode)
        {
            if (!TryInt(priceNode, out var price) || price is < 100 or > 99_999_999)
            {
                problems.Add("custom_price must be an integer between 100 and 99999999");
            }

            customPrice = price;
        }

        if (body["success_url"] is not null && (body.Str("success_url") is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out _)))
        {
            problems.Add("success_url must be a URL address");
        }

        if (body["metadata"] is { } metadata and not JsonObject)
        {
            problems.Add("metadata must be an object");
        }

        if (body["custom_fields"] is JsonArray { Count: > 3 })
        {
            problems.Add("custom_fields must contain no more than 3 elements");
        }

        var customerInput = body["customer"] as JsonObject;
        if (body["customer"] is not null && customerInput is null)
        {
            problems.Add("customer must be an object");
        }

        if (problems.Count > 0)
        {
            return CreemErrors.BadRequest([.. problems]);
        }

        if (_objects.Get(productId!, "product") is not { } product)
        {
            return CreemErrors.NotFound("Product not found");
        }

        if (product.Str("status") != "active")
        {
            return CreemErrors.BadRequest("Product is archived");
        }

        if (customPrice is not null && product.Str("billing_type") == "recurring")
        {
            return CreemErrors.BadRequest("custom_price is only supported for one-time products");
        }

        JsonObject? discount = null;
        if (body["discount_code"] is not null)
        {
            if (body.Str("discount_code") is not { Length: > 0 } code)
            {
                return CreemErrors.BadRequest("discount_code must be a string");
            }

            (discount, var refused) = Redeemable(code, product);
            if (refused is not null)
            {
                return refused;
            }
        }

        if (customerInput?.Str("id") is { } customerId && _objects.Get(customerId, "customer") is null)
        {
            return CreemErrors.NotFound("Customer not found");
        }

        // Bounded inputs keep this far from overflow; checked all the same, so a slip is an error, never a wrapped amount.
        var subtotal = checked((customPrice ?? product["price"]!.GetValue<long>()) * units);
        if (subtotal > MaxAmount)
        {
            return CreemErrors.BadRequest($"the checkout amount (price × units) must not be greater than {MaxAmount}");
        }

        var amount = subtotal - (discount is null ? 0 : DiscountOff(discount, subtotal));

        var now = _context.Clock.GetUtcNow();
        var id = NewId("ch");
        var checkout = new JsonObject
        {
            ["id"] = id,
            ["mode"] = "test",
            ["object"] = "checkout",
            ["status"] = "pending",
            ["product"] = product,
            ["units"] = units,
            ["checkout_url"] = _context.PayPageUrl(id),
            ["success_url"] = body.Str("success_url"),
            ["metadata"] = body["metadata"]?.DeepClone() ?? new JsonObject(),
            // Not Creem fields: who pays, stripped before answering.
            ["_customer"] = customerInput?.DeepClone(),
        };
        if (body.Str("request_id") is { } requestId)
        {
            checkout["request_id"] = requestId;
        }

        if (customPrice is not null)
        {
            checkout["custom_price"] = customPrice;
        }

        if (discount is not null)
        {
            checkout["discount"] = DiscountSummary(discount);
            checkout["_discount"] = discount.Str("id");
            checkout["_sub_total"] = subtotal;
        }

        // The checkout and its payment land together: a checkout whose pay page finds no payment is never left behind.
        await _objects.InTransactionAsync(() =>
        {
            _objects.Put(checkout);
            _context.Payments.Add(new SandboxPayment
            {
                Id = id,
                Provider = Name,
                Status = PaymentStatus.Open,
                Amount = CreemBilling.TrialCharge(product, units) ?? amount,
                Currency = product.Str("currency")!.ToLowerInvariant(),
                Description = product.Str("name")!,
                MerchantReference = body.Str("request_id"),
                CreatedAt = now.UtcDateTime,
                ExpiresAt = now.AddHours(24).UtcDateTime,
            });
        });
        return Ok(checkout);
    }

    /// <summary>Sends one action's webhooks, in order, keyed by what they concern (a checkout, a subscription, a refund).</summary>
    private void Send(string subject, IReadOnlyList<CreemEvent> events)
    {
        if (events.Count == 0 || _context.Settings.Get(Name, ProviderSettings.WebhookUrl) is not { } url)
        {
            return;
        }

        _context.Notifier.Send(Name, subject, Policy, faults => [.. events.Select(e => Render(url, e.Type, e.Object, faults))]);
    }

    private CallbackDelivery Render(string url, string type, JsonObject obj, DeliveryFaults faults)
    {
        var data = Public(obj);
        if (faults.WrongAmount && data["order"] is JsonObject order)
        {
            order["amount"] = order["amount"]!.GetValue<long>() + 1;
            order["amount_paid"] = order["amount_paid"]!.GetValue<long>() + 1;
        }

        var evt = new JsonObject
        {
            ["id"] = NewId("evt"),
            ["eventType"] = type,
            // Creem has no signed timestamp; a stale event shows in created_at (milliseconds).
            ["created_at"] = (_context.WallClock.GetUtcNow() - faults.StaleBy).ToUnixTimeMilliseconds(),
            ["object"] = data,
        };
        return SignedJsonCallback.Create(type, url, evt.ToJsonString(Compact), _signer.Name, faults);
    }

    /// <summary>
    /// The buyer's return to <c>success_url</c> carries the ids and a <c>signature</c>: SHA-256 hex of the
    /// parameters as <c>k=v</c> joined by <c>|</c> with <c>salt=&lt;api key&gt;</c> last, as Creem's return URLs do (<see cref="SaltKey"/>).
    /// </summary>
    private string ReturnUrl(string successUrl, JsonObject checkout, JsonObject order, JsonObject customer, JsonObject? subscription)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("checkout_id", checkout.Str("id")!),
            new("order_id", order.Str("id")!),
            new("customer_id", customer.Str("id")!),
            new("product_id", ((JsonObject)checkout["product"]!).Str("id")!),
        };
        if (subscription is not null)
        {
            parameters.Add(new("subscription_id", subscription.Str("id")!));
        }

        if (checkout.Str("request_id") is { } requestId)
        {
            parameters.Add(new("request_id", requestId));
        }

        var signed = string.Join('|', parameters.Select(p => $"{p.Key}={p.Value}").Append("salt=" + SaltKey));
        parameters.Add(new("signature", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signed)))));
        return QueryHelpers.AddQueryString(successUrl, parameters!);
    }

    private JsonObject Customer(JsonObject checkout, string now)
    {
        if (checkout["_customer"].Str("id") is { } existingId && _objects.Get(existingId, "customer") is { } existing)
        {
            return existing;
        }

        // A buyer whose email is already a customer's is that customer, as on Creem.
        if (checkout["_customer"].Str("email") is { } email && CustomerByEmail(email) is { } known)
        {
            return known;
        }

        var customer = new JsonObject
        {
            ["id"] = NewId("cust"),
            ["mode"] = "test",
            ["object"] = "customer",
            ["email"] = checkout["_customer"].Str("email") ?? "buyer@example.com",
            ["name"] = "Sandbox Buyer",
            ["country"] = null,
            ["metadata"] = new JsonObject(),
            ["created_at"] = now,
            ["updated_at"] = now,
        };
        _objects.Put(customer);
        return customer;
    }
}

/// <summary>Creem's (NestJS) error body: <c>{"statusCode":400,"message":[…],"error":"Bad Request"}</c>.</summary>
public sealed class CreemErrors : IErrorEnvelope
{
    public static readonly CreemErrors Instance = new();

    public IResult Error(ApiErrorKind kind, string message)
    {
        var status = ApiErrorStatus.Default(kind);
        return Body(status, status == 400 ? new JsonArray(message) : JsonValue.Create(message));
    }

    public static IResult BadRequest(params string[] messages) => Body(400, new JsonArray([.. messages.Select(m => (JsonNode)m)]));

    public static IResult NotFound(string message) => Body(404, JsonValue.Create(message));

    private static IResult Body(int status, JsonNode message) => Results.Json(
        new JsonObject
        {
            ["statusCode"] = status,
            ["message"] = message,
            ["error"] = ReasonPhrases.GetReasonPhrase(status),
        },
        statusCode: status);
}
