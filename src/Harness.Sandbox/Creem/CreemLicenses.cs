using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Creem's licence keys: a paid checkout of a product with the <c>licenseKey</c> feature issues one (in the
/// checkout's <c>license_keys</c> and deprecated <c>feature</c>), and the <c>/v1/licenses</c> routes of the creem
/// 1.13.0 SDK activate, validate and deactivate its instances. A key stops working (status <c>disabled</c>) once the
/// payment that bought it is refunded, and (<c>expired</c>) once the subscription that pays for it has ended.
/// </summary>
public sealed partial class CreemProvider
{
    /// <summary>The seeded licensed products' activation limit (devices per key), as their dashboard would set it.</summary>
    internal const int LicenseActivationLimit = 3;

    private static readonly HashSet<string> ActivateFields = ["key", "instance_name"];
    private static readonly HashSet<string> InstanceFields = ["key", "instance_id"];

    /// <summary>Subscription states after which its licence has expired: it ended, and nothing renews it.</summary>
    private static readonly string[] EndedStatuses = ["canceled", "unpaid", "expired"];

    private void MapLicenses(WebApplication app)
    {
        app.MapPost("/v1/licenses/activate", async (HttpRequest request) =>
        {
            var (body, refusal) = await LicenseRequestAsync(request, ActivateFields, "instance_name");
            if (refusal is not null)
            {
                return refusal;
            }

            return _objects.Atomically(() =>
            {
                if (LicenseByKey(body!.Str("key")!) is not { } license)
                {
                    return CreemErrors.NotFound("License key not found");
                }

                var status = PresentLicense(license).Str("status");
                if (status is not ("active" or "inactive"))
                {
                    return CreemErrors.BadRequest($"License key is {status}");
                }

                var activations = license["activation"]!.GetValue<long>();
                if (license["activation_limit"] is { } limit && activations >= limit.GetValue<long>())
                {
                    return CreemErrors.BadRequest("License key has reached its activation limit");
                }

                var instance = new JsonObject
                {
                    ["id"] = NewId("lki"),
                    ["mode"] = "test",
                    ["object"] = "license-instance",
                    ["name"] = body.Str("instance_name"),
                    ["status"] = "active",
                    ["created_at"] = Iso(_context.Clock.GetUtcNow()),
                    ["_license"] = license.Str("id"),
                };
                license["activation"] = activations + 1;
                license["status"] = "active";
                _objects.Put(instance);
                _objects.Put(license);
                return Ok(PresentLicense(license, instance));
            });
        });
        app.MapPost("/v1/licenses/validate", async (HttpRequest request) =>
        {
            var (body, refusal) = await LicenseRequestAsync(request, InstanceFields, "instance_id");
            if (refusal is not null)
            {
                return refusal;
            }

            return LicenseInstance(body!) switch
            {
                (null, _) => CreemErrors.NotFound("License key not found"),
                (_, null) => CreemErrors.NotFound("License instance not found"),
                ({ } license, var instance) => Ok(PresentLicense(license, instance)),
            };
        });
        app.MapPost("/v1/licenses/deactivate", async (HttpRequest request) =>
        {
            var (body, refusal) = await LicenseRequestAsync(request, InstanceFields, "instance_id");
            if (refusal is not null)
            {
                return refusal;
            }

            return _objects.Atomically(() => LicenseInstance(body!) switch
            {
                (null, _) => CreemErrors.NotFound("License key not found"),
                (_, null) => CreemErrors.NotFound("License instance not found"),
                (_, { } instance) when instance.Str("status") == "deactivated" => CreemErrors.BadRequest("License instance is already deactivated"),
                ({ } license, { } instance) => Deactivate(license, instance),
            });
        });
        app.MapGet("/v1/licenses/{id}/instances", (string id, HttpRequest request) =>
        {
            if (TryPaging(request, out var page, out var size) is { } refused)
            {
                return refused;
            }

            return _objects.Get(id, "license") is null
                ? CreemErrors.NotFound("License not found")
                : Page([.. _objects.List("license-instance").Where(i => i.Str("_license") == id)], page, size);
        });
    }

    /// <summary>Deactivates one instance of the licence, which frees its activation for another device.</summary>
    private IResult Deactivate(JsonObject license, JsonObject instance)
    {
        instance["status"] = "deactivated";
        license["activation"] = license["activation"]!.GetValue<long>() - 1;
        _objects.Put(instance);
        _objects.Put(license);
        return Ok(PresentLicense(license, instance));
    }

    /// <summary>Issues a key for a paid checkout whose product has the licence-key feature, and shows it on the checkout.</summary>
    private void IssueLicenses(JsonObject checkout, JsonObject customer, JsonObject? subscription, string? transactionId)
    {
        if ((checkout["product"]!["features"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(f => f.Str("type") == "licenseKey") is not { } feature)
        {
            return;
        }

        var key = Secrets.RandomHex(10).ToUpperInvariant();
        var license = new JsonObject
        {
            ["id"] = NewId("lic"),
            ["mode"] = "test",
            ["object"] = "license",
            ["product_id"] = checkout["product"].Str("id"),
            ["status"] = "inactive",
            ["key"] = string.Join('-', Enumerable.Range(0, 4).Select(i => key.Substring(i * 5, 5))),
            ["activation"] = 0L,
            ["activation_limit"] = LicenseActivationLimit,
            ["expires_at"] = null,
            ["created_at"] = Iso(_context.Clock.GetUtcNow()),
            ["instance"] = null,
            ["_customer"] = customer.Str("id"),
            ["_subscription"] = subscription?.Str("id"),
            ["_transaction"] = transactionId,
        };
        _objects.Put(license);
        var shown = PresentLicense(license);
        checkout["license_keys"] = new JsonArray(shown);
        checkout["feature"] = new JsonObject
        {
            ["id"] = feature.Str("id"),
            ["description"] = feature.Str("description"),
            ["type"] = "licenseKey",
            ["license_key"] = shown.DeepClone(),
        };
    }

    /// <summary>
    /// The licence as Creem answers it: <c>disabled</c> once the payment that bought it is refunded, <c>expired</c>
    /// (with <c>expires_at</c>) once its subscription ended; with <paramref name="instance"/> when the call concerns one.
    /// </summary>
    private JsonObject PresentLicense(JsonObject license, JsonObject? instance = null)
    {
        var shown = Public(license);
        var subscription = license.Str("_subscription") is { } subscriptionId ? _objects.Get(subscriptionId, "subscription") : null;
        if (license.Str("_transaction") is { } transactionId && _refunds.Transaction(transactionId)?.Str("status") == "refunded")
        {
            shown["status"] = "disabled";
        }
        else if (subscription is not null && EndedStatuses.Contains(subscription.Str("status")))
        {
            shown["status"] = "expired";
            shown["expires_at"] = subscription.Str("canceled_at") ?? subscription.Str("updated_at");
        }

        shown["instance"] = instance is null ? null : Public(instance);
        return shown;
    }

    private JsonObject? LicenseByKey(string key) => _objects.Newest("license").FirstOrDefault(l => l.Str("key") == key);

    private (JsonObject? License, JsonObject? Instance) LicenseInstance(JsonObject body)
    {
        if (LicenseByKey(body.Str("key")!) is not { } license)
        {
            return (null, null);
        }

        return _objects.Get(body.Str("instance_id")!, "license-instance") is { } instance && instance.Str("_license") == license.Str("id")
            ? (license, instance)
            : (license, null);
    }

    /// <summary>Reads a licence call's body: <c>key</c> and <paramref name="second"/>, both non-empty strings of at most 200 characters.</summary>
    private static async Task<(JsonObject? Body, IResult? Refusal)> LicenseRequestAsync(HttpRequest request, HashSet<string> fields, string second)
    {
        if (await StrictJsonBody.ReadObjectAsync(request) is not { } body)
        {
            return (null, CreemErrors.BadRequest("request body must be a JSON object"));
        }

        var problems = Unknown(body, fields);
        problems.AddRange(new[] { "key", second }.Where(f => body.Str(f) is not { Length: > 0 and <= 200 }).Select(f => $"{f} must be a string of 1 to 200 characters"));
        return problems.Count > 0 ? (body, CreemErrors.BadRequest([.. problems])) : (body, null);
    }
}
