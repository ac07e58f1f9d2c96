using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Harness.NewApi.Auth;
using Harness.NewApi.Quota;
using Harness.NewApi.Subscriptions;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Harness.NewApi.TopUp;

/// <summary>An entry of upstream's <c>CreemProducts</c> option.</summary>
public sealed record CreemProduct(
    [property: JsonPropertyName("productId")] string ProductId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("price")] decimal Price,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("quota")] long Quota);

/// <summary>
/// Top-up through Creem (new-api.md §5.12–5.13): a configured product bought through a Creem checkout, and the
/// <c>creem-signature</c> webhook that credits the product's quota (raw quota units) once.
/// </summary>
public static class CreemTopUp
{
    public const string ChooseProduct = "请选择产品";
    public const string BadProducts = "产品配置错误";
    public const string NoProduct = "产品不存在";

    /// <summary>Upstream's 30-second timeout on the checkout call.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static void MapCreemTopUp(this RouteGroupBuilder api)
    {
        api.MapPost("/user/creem/pay", PayAsync).RequireUser().RequireCriticalRateLimit().WithTags("Top-up")
            .WithSummary("Buys a configured Creem product: data.checkout_url and data.order_id (the trade number). payment_method must be \"creem\".");
        api.MapPost("/creem/webhook", WebhookAsync).AllowAnonymous().WithTags("Webhooks")
            .WithSummary("Creem's webhook (creem-signature: hex HMAC-SHA256 of the raw body): checkout.completed credits its order once.");
    }

    internal static IReadOnlyList<CreemProduct>? Products(TopUpSettings s)
    {
        try
        {
            return JsonSerializer.Deserialize<List<CreemProduct>>(s.CreemProducts);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<Ok<LegacyResponse>> PayAsync(
        CreemPayRequest request, IOptions<TopUpSettings> options, TopUpOrders orders, QuotaAccounts quota, IHttpClientFactory httpClients, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var s = options.Value;
        if (request.PaymentMethod != "creem")
        {
            return LegacyResponse.Error(StripeTopUp.UnsupportedChannel);
        }

        if (string.IsNullOrEmpty(request.ProductId))
        {
            return LegacyResponse.Error(ChooseProduct);
        }

        if (Products(s) is not { } products)
        {
            return LegacyResponse.Error(BadProducts);
        }

        if (products.FirstOrDefault(p => p.ProductId == request.ProductId) is not { } product)
        {
            return LegacyResponse.Error(NoProduct);
        }

        var user = http.CurrentUser();
        if (TopUpLimits.Capacity(quota, user.NumericId, product.Quota) is { } refusal)
        {
            return LegacyResponse.Error(refusal);
        }

        var now = clock.GetUtcNow();
        var tradeNo = "ref_" + StripeTopUp.Sha1Hex($"creem-api-ref-{user.Id}-{now.ToUnixTimeMilliseconds()}-{RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 4)}");
        orders.Add(new TopUpOrder
        {
            UserId = user.NumericId,
            Amount = product.Quota,
            Money = product.Price,
            TradeNo = tradeNo,
            PaymentMethod = "creem",
            PaymentProvider = "creem",
            CreateTime = now.ToUnixTimeSeconds(),
        });
        var metadata = new JsonObject
        {
            ["username"] = user.Username,
            ["reference_id"] = tradeNo,
            ["product_name"] = product.Name,
            ["quota"] = product.Quota.ToString(CultureInfo.InvariantCulture),
        };
        return await CheckoutAsync(s, httpClients, product.ProductId, tradeNo, user, metadata, ct) is { } url
            ? LegacyResponse.Success(new Dictionary<string, string> { ["checkout_url"] = url, ["order_id"] = tradeNo })
            : LegacyResponse.Error(StripeTopUp.PayFailed);
    }

    /// <summary><c>POST {Creem}/v1/checkouts</c>; the checkout URL, or null when Creem refused or could not be reached.</summary>
    internal static async Task<string?> CheckoutAsync(
        TopUpSettings s, IHttpClientFactory httpClients, string productId, string tradeNo, NewApiUser user, JsonObject metadata, CancellationToken ct)
    {
        var body = new JsonObject { ["product_id"] = productId, ["request_id"] = tradeNo, ["metadata"] = metadata };
        if (user.Email.Length > 0)
        {
            body["customer"] = new JsonObject { ["email"] = user.Email };
        }

        using var http = httpClients.CreateClient("creem");
        http.Timeout = Timeout;
        using var request = new HttpRequestMessage(HttpMethod.Post, s.CreemBase + "/v1/checkouts") { Content = JsonContent.Create(body) };
        request.Headers.Add("x-api-key", s.CreemApiKey);
        try
        {
            using var response = await http.SendAsync(request, ct);
            return response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<JsonObject>(ct) is { } checkout
                && checkout["checkout_url"] is JsonValue url && url.TryGetValue<string>(out var link) && link.Length > 0
                ? link
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Upstream's webhook statuses: 403 when Creem's webhook is not configured, 401 for a missing or wrong signature,
    /// 400 for unreadable JSON, no <c>request_id</c> or an unknown order, 500 when crediting failed, else 200.
    /// </summary>
    private static async Task<IResult> WebhookAsync(
        HttpRequest request, IOptions<TopUpSettings> options, ISubscriptionOrders subscriptions, TopUpCompletion completion, TopUpOrders orders, NewApiUsers users, CancellationToken ct)
    {
        var s = options.Value;
        if (!s.CreemWebhookEnabled)
        {
            return NewApiEnvelope.Bare(StatusCodes.Status403Forbidden);
        }

        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(ct);
        }

        var signature = request.Headers["creem-signature"].ToString();
        if (signature.Length == 0 || !SignatureComparison.Equal(HmacSignature.Sha256Hex(s.CreemWebhookSecret, body), signature))
        {
            return NewApiEnvelope.Bare(StatusCodes.Status401Unauthorized);
        }

        JsonObject? evt;
        try
        {
            evt = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return NewApiEnvelope.Bare(StatusCodes.Status400BadRequest);
        }

        var obj = evt?["object"] as JsonObject;
        if (Text(evt?["eventType"]) != "checkout.completed" || Text(obj?["order"]?["status"]) != "paid")
        {
            return Results.Ok();
        }

        if (Text(obj?["request_id"]) is not { Length: > 0 } tradeNo)
        {
            return NewApiEnvelope.Bare(StatusCodes.Status400BadRequest);
        }

        switch (await subscriptions.CompleteAsync(tradeNo, "creem", "creem", body, ct))
        {
            case SubscriptionCompletion.Completed or SubscriptionCompletion.AlreadyDone:
                return Results.Ok();
            case SubscriptionCompletion.Refused:
                return NewApiEnvelope.Bare(StatusCodes.Status500InternalServerError);
        }

        if (Text(obj?["order"]?["type"]) != "onetime")
        {
            return Results.Ok();
        }

        var result = await completion.CompleteAsync(tradeNo, "creem", null, order => order.Amount, null, ct);
        if (result == CompletionResult.Completed && Text(obj?["customer"]?["email"]) is { Length: > 0 } email
            && orders.Find(tradeNo) is { } paid && users.Find(paid.UserId) is { Email.Length: 0 } payer)
        {
            payer.Email = email;
            users.Save(payer);
        }

        return result switch
        {
            CompletionResult.Completed or CompletionResult.AlreadyDone or CompletionResult.NotPending => Results.Ok(),
            CompletionResult.NotFound => NewApiEnvelope.Bare(StatusCodes.Status400BadRequest),
            _ => NewApiEnvelope.Bare(StatusCodes.Status500InternalServerError),
        };
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

public sealed record CreemPayRequest(
    [property: JsonPropertyName("product_id")] string? ProductId,
    [property: JsonPropertyName("payment_method")] string? PaymentMethod);
