using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Portaly's operations with well-formed bodies to spoil (docs/portaly.md's field rules: the document's own samples,
/// "x1" and 1, fail the first rule, so a spoiled field would never be reached) and, on every other case, the ids of a
/// plan, a discount code, an open checkout session and a completed one (its subscription and order) the campaign makes
/// first, so that the cases reach the routes behind "not found". A thing the target would not make is left a random id.
/// </summary>
public sealed class PortalyCatalog
{
    private const string Base = "/api/creator-subscription";

    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);

    private PortalyCatalog(IReadOnlyList<Operation> operations) => Operations = operations;

    public IReadOnlyList<Operation> Operations { get; private set; }

    /// <summary>The kinds of thing made up front (<c>planId</c>, <c>codeId</c>, …), for the log.</summary>
    public IReadOnlyCollection<string> Made => _ids.Keys;

    public static async Task<PortalyCatalog> ReadAsync(HttpClient http, PortalyCredentials credentials, CancellationToken cancellationToken)
    {
        var catalog = new PortalyCatalog(await OpenApiOperations.ReadAsync(http, cancellationToken));
        await catalog.MakeThingsAsync(http, credentials, cancellationToken);
        catalog.Operations = [.. catalog.Operations.Select(o => Bodies.TryGetValue($"{o.Method} {o.Path}", out var body) ? o with { BodySample = Filled(body, catalog._ids) } : o)];
        return catalog;
    }

    /// <summary>
    /// Even cases use the ids made up front in the path, odd ones the generator's strange values; the image uploads, which
    /// the document gives no JSON body, get spoiled multipart bodies (<see cref="Uploads"/>).
    /// </summary>
    public FuzzCase Generate(Operation operation, int seed, int index)
    {
        var target = index % 2 == 0 ? WithIds(operation) : operation;
        return operation.Method == "POST" && operation.Path.EndsWith("/images", StringComparison.Ordinal)
            ? Uploads.Case(target, seed, index)
            : MalformedInputs.Case(target, seed, index);
    }

    private Operation WithIds(Operation operation)
    {
        var known = operation.Parameters.Where(p => p.In == "path" && _ids.ContainsKey(p.Name)).ToList();
        return known.Count == 0 ? operation : operation with
        {
            Path = known.Aggregate(operation.Path, (path, p) => path.Replace("{" + p.Name + "}", Uri.EscapeDataString(_ids[p.Name]), StringComparison.Ordinal)),
            Parameters = [.. operation.Parameters.Except(known)],
        };
    }

    private async Task MakeThingsAsync(HttpClient http, PortalyCredentials credentials, CancellationToken cancellationToken)
    {
        async Task<JsonNode?> DataAsync(string method, string path, JsonObject? body)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(Base + path, UriKind.Relative));
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            credentials.Apply(request, new Operation(method, Base + path, [], body, new HashSet<string>()));
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? AnswerShapes.ObjectOf(await response.Content.ReadAsStringAsync(cancellationToken))?["data"] : null;
        }

        void Keep(string name, JsonNode? value)
        {
            if (value?.GetValueKind() == JsonValueKind.String)
            {
                _ids[name] = value.GetValue<string>();
            }
        }

        var stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Keep("planId", (await DataAsync("POST", "/plans", Filled(Bodies["POST " + Base + "/plans"], _ids)))?["id"]);
        Keep("codeId", (await DataAsync("POST", "/discount-codes", DiscountCode("CHAOS" + stamp)))?["id"]);
        if (!_ids.ContainsKey("planId"))
        {
            return;
        }

        var open = await DataAsync("POST", "/checkout-sessions", Filled(Bodies["POST " + Base + "/checkout-sessions"], _ids));
        Keep("sessionId", open?["sessionId"]);
        var paid = await DataAsync("POST", "/checkout-sessions", Filled(Bodies["POST " + Base + "/checkout-sessions"], _ids));
        if (paid?["sessionId"]?.GetValue<string>() is not { } paidId || paid["checkoutToken"]?.GetValue<string>() is not { } token)
        {
            return;
        }

        var completion = new JsonObject
        {
            ["checkoutToken"] = token, ["status"] = "completed", ["customerEmail"] = "buyer@example.test", ["customerName"] = "Chaos Buyer",
            ["paidAmount"] = paid["amount"]?.DeepClone(), ["paymentMethod"] = "manual", ["paymentReference"] = "chaos-" + stamp,
        };
        if (await DataAsync("POST", $"/checkout-sessions/{paidId}/complete", completion) is not null)
        {
            _ids["subscriptionId"] = paidId;
            Keep("orderId", (await DataAsync("GET", "/orders", null))?[0]?["id"]);
        }
    }

    private static JsonObject DiscountCode(string code) => new()
    {
        ["code"] = code,
        ["rules"] = new JsonArray(new JsonObject
        {
            ["appliesTo"] = new JsonObject { ["type"] = "all" },
            ["discount"] = new JsonObject { ["type"] = "percent", ["value"] = 10 },
            ["duration"] = new JsonObject { ["type"] = "repeating", ["cycles"] = 3 },
        }),
        ["redeemFrom"] = "2026-01-01T00:00:00Z", ["redeemBy"] = "2099-01-01T00:00:00Z", ["maxRedemptions"] = 100, ["maxRedemptionsPerCustomer"] = 2,
        ["status"] = "active",
    };

    // A body with "{planId}"-style values replaced by the ids made up front (or left as they are when none was made).
    private static JsonObject Filled(JsonObject body, Dictionary<string, string> ids) =>
        (JsonObject)JsonNode.Parse(ids.Aggregate(body.ToJsonString(), (text, id) => text.Replace($"{{{id.Key}}}", id.Value, StringComparison.Ordinal)))!;

    private static readonly Dictionary<string, JsonObject> Bodies = new(StringComparer.Ordinal)
    {
        ["POST " + Base + "/api-keys"] = new() { ["profileId"] = "chaos-profile", ["mode"] = "test", ["scope"] = "integration" },
        ["PUT " + Base + "/config"] = new()
        {
            ["merchantName"] = "Chaos Shop", ["merchantLogo"] = "https://merchant.test/logo.png", ["appBaseUrl"] = "https://merchant.test/",
            ["inviteRedirectPath"] = "/invite/chaos", ["brandDescription"] = "<p>Chaos <b>shop</b></p>",
        },
        ["POST " + Base + "/plans"] = Plan(),
        ["PUT " + Base + "/plans/{planId}"] = Plan(),
        ["POST " + Base + "/discount-codes"] = DiscountCode("CHAOSFIXED"),
        ["PUT " + Base + "/discount-codes/{codeId}"] = Without(DiscountCode("CHAOSFIXED"), "code"),
        ["POST " + Base + "/checkout-sessions"] = new()
        {
            ["planId"] = "{planId}", ["amount"] = 300, ["successRedirectUrl"] = "https://merchant.test/ok", ["cancelRedirectUrl"] = "https://merchant.test/no",
            ["callbackUrl"] = "http://127.0.0.1:9/callback", ["subscriptionCallbackUrl"] = "http://127.0.0.1:9/subscription", ["merchantOrderNumber"] = "chaos-1",
            ["metadata"] = new JsonObject { ["order"] = "o-1" }, ["customerEmail"] = "buyer@example.test", ["customerName"] = "Chaos Buyer",
            ["emailVerified"] = true, ["profitSharingId"] = "ps-1",
        },
        ["POST " + Base + "/portal-sessions"] = new() { ["customerEmail"] = "buyer@example.test", ["subscriptionId"] = "{subscriptionId}", ["returnUrl"] = "https://merchant.test/account" },
        ["PUT " + Base + "/signup-ref-codes"] = new() { ["customerEmail"] = "buyer@example.test", ["code"] = "CHAOSFIXED" },
        ["POST " + Base + "/subscriptions/{subscriptionId}/cancel"] = new() { ["reason"] = "customer_requested", ["reasonNote"] = "chaos" },
        ["POST " + Base + "/orders/{orderId}/refund"] = new() { ["reason"] = "duplicate", ["reasonNote"] = "chaos", ["amount"] = 300 },
        ["PUT /api/creator-email/templates/{type}"] = new() { ["enabled"] = true },
    };

    private static JsonObject Without(JsonObject body, string field)
    {
        body.Remove(field);
        return body;
    }

    private static JsonObject Plan() => new()
    {
        ["name"] = "Chaos plan", ["description"] = "<p>Monthly <a href=\"https://merchant.test\">chaos</a></p>", ["amount"] = 300, ["currency"] = "TWD",
        ["listPrice"] = 400, ["billingPeriod"] = "monthly", ["pricingType"] = "fixed", ["status"] = "active", ["merchantPlanId"] = "chaos-plan",
        ["collectPhone"] = false, ["externalInformationUrl"] = new JsonObject { ["url"] = "https://merchant.test/plan", ["text"] = "More" },
    };
}
