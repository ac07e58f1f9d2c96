using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Creem's customers on the paths of the creem 1.13.0 SDK: create, retrieve by id or email, list, update, their
/// subscriptions, orders and licences, and billing-portal links (the portal page is <see cref="CreemPortal"/>).
/// </summary>
public sealed partial class CreemProvider
{
    private static readonly HashSet<string> CustomerCreateFields = ["email", "name", "metadata", "external_id"];
    private static readonly HashSet<string> CustomerUpdateFields = ["customer_id", "email", "name", "metadata", "external_id"];
    private static readonly HashSet<string> PortalFields = ["customer_id"];
    private static readonly string[] RenamingFields = ["email", "name"];

    private void MapCustomers(WebApplication app)
    {
        app.MapPost("/v1/customers", async (HttpRequest request) =>
        {
            if (await StrictJsonBody.ReadObjectAsync(request) is not { } body)
            {
                return CreemErrors.BadRequest("request body must be a JSON object");
            }

            var problems = Unknown(body, CustomerCreateFields);
            if (body.Str("name") is not { Length: > 0 })
            {
                problems.Add("name must be a string");
            }

            problems.AddRange(CustomerFieldProblems(body));
            if (body["email"] is null)
            {
                problems.Add("email must be an email");
            }

            if (problems.Count > 0)
            {
                return CreemErrors.BadRequest([.. problems]);
            }

            return _objects.Atomically(() =>
            {
                if (CustomerByEmail(body.Str("email")!) is not null)
                {
                    return CreemErrors.BadRequest("A customer with this email already exists");
                }

                var now = Iso(_context.Clock.GetUtcNow());
                var customer = new JsonObject
                {
                    ["id"] = NewId("cust"),
                    ["mode"] = "test",
                    ["object"] = "customer",
                    ["email"] = body.Str("email"),
                    ["name"] = body.Str("name"),
                    ["metadata"] = body["metadata"]?.DeepClone() ?? new JsonObject(),
                    ["country"] = null,
                    ["external_id"] = body.Str("external_id"),
                    ["created_at"] = now,
                    ["updated_at"] = now,
                };
                _objects.Put(customer);
                return Ok(customer);
            });
        });
        app.MapGet("/v1/customers", (string? customer_id, string? email) =>
            (customer_id, email) switch
            {
                ({ Length: > 0 } id, _) => _objects.Get(id, "customer") is { } customer ? Ok(customer) : CreemErrors.NotFound("Customer not found"),
                (_, { Length: > 0 } address) => CustomerByEmail(address) is { } customer ? Ok(customer) : CreemErrors.NotFound("Customer not found"),
                _ => CreemErrors.BadRequest("customer_id or email must be provided"),
            });
        app.MapGet("/v1/customers/list", (HttpRequest request) =>
            TryPaging(request, out var page, out var size) ?? Page(_objects.List("customer"), page, size));
        app.MapPatch("/v1/customers", async (HttpRequest request) =>
        {
            if (await StrictJsonBody.ReadObjectAsync(request) is not { } body)
            {
                return CreemErrors.BadRequest("request body must be a JSON object");
            }

            var problems = Unknown(body, CustomerUpdateFields);
            if (body.Str("customer_id") is not { Length: > 0 })
            {
                problems.Add("customer_id must be a string");
            }

            if (body["name"] is not null && body.Str("name") is not { Length: > 0 })
            {
                problems.Add("name must be a string");
            }

            problems.AddRange(CustomerFieldProblems(body));
            return problems.Count > 0 ? CreemErrors.BadRequest([.. problems]) : UpdateCustomer(body);
        });
        app.MapGet("/v1/customers/{id}/subscriptions", (string id, HttpRequest request) =>
            CustomerPage(id, request, () => [.. _objects.List("subscription").Where(s => s["customer"].Str("id") == id)]));
        app.MapGet("/v1/customers/{id}/orders", (string id, HttpRequest request) =>
            CustomerPage(id, request, () => [.. Orders(id)]));
        app.MapGet("/v1/customers/{id}/licenses", (string id, HttpRequest request) =>
            CustomerPage(id, request, () => [.. _objects.List("license").Where(l => l.Str("_customer") == id).Select(l => PresentLicense(l))]));
        app.MapPost("/v1/customers/billing", async (HttpRequest request) =>
        {
            if (await StrictJsonBody.ReadObjectAsync(request) is not { } body)
            {
                return CreemErrors.BadRequest("request body must be a JSON object");
            }

            var problems = Unknown(body, PortalFields);
            if (body.Str("customer_id") is not { Length: > 0 })
            {
                problems.Add("customer_id must be a string");
            }

            if (problems.Count > 0)
            {
                return CreemErrors.BadRequest([.. problems]);
            }

            if (_objects.Get(body.Str("customer_id")!, "customer") is null)
            {
                return CreemErrors.NotFound("Customer not found");
            }

            var link = _portal.Open(body.Str("customer_id")!, $"{request.Scheme}://{request.Host}");
            return Results.Json(new JsonObject { ["customer_portal_link"] = link });
        });
    }

    private IResult UpdateCustomer(JsonObject body) => _objects.Atomically(() =>
    {
        if (_objects.Get(body.Str("customer_id")!, "customer") is not { } customer)
        {
            return CreemErrors.NotFound("Customer not found");
        }

        if (body.Str("email") is { } email && email != customer.Str("email") && CustomerByEmail(email) is not null)
        {
            return CreemErrors.BadRequest("A customer with this email already exists");
        }

        foreach (var field in RenamingFields.Where(f => body.Str(f) is not null))
        {
            customer[field] = body.Str(field);
        }

        // external_id alone may be cleared (null), as the SDK's request allows.
        if (body.ContainsKey("external_id"))
        {
            customer["external_id"] = body.Str("external_id");
        }

        if (body["metadata"] is JsonObject metadata)
        {
            customer["metadata"] = metadata.DeepClone();
        }

        customer["updated_at"] = Iso(_context.Clock.GetUtcNow());
        _objects.Put(customer);
        return Ok(customer);
    });

    private static List<string> CustomerFieldProblems(JsonObject body)
    {
        var problems = new List<string>();
        if (body["email"] is not null && (body.Str("email") is not { } email || !LooksLikeEmail(email)))
        {
            problems.Add("email must be an email");
        }

        if (body["metadata"] is not (null or JsonObject))
        {
            problems.Add("metadata must be an object");
        }

        if (body["external_id"] is not null && body.Str("external_id") is null)
        {
            problems.Add("external_id must be a string");
        }

        return problems;
    }

    private static bool LooksLikeEmail(string email) =>
        email.Length <= 254 && email.IndexOf('@') is var at && at > 0 && at < email.Length - 1 && !email.Any(char.IsWhiteSpace);

    private JsonObject? CustomerByEmail(string email) =>
        _objects.Newest("customer").FirstOrDefault(c => string.Equals(c.Str("email"), email, StringComparison.OrdinalIgnoreCase));

    /// <summary>A customer's orders, newest first: the orders of the checkouts they paid.</summary>
    private IEnumerable<JsonObject> Orders(string customerId) =>
        _objects.Newest("checkout").Where(c => c["customer"].Str("id") == customerId && c["order"] is JsonObject).Select(c => (JsonObject)c["order"]!);

    private IResult CustomerPage(string id, HttpRequest request, Func<IReadOnlyList<JsonObject>> items)
    {
        if (TryPaging(request, out var page, out var size) is { } refused)
        {
            return refused;
        }

        return _objects.Get(id, "customer") is null ? CreemErrors.NotFound("Customer not found") : Page(items(), page, size);
    }
}
