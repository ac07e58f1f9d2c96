using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Portaly.Subscriptions;
using Microsoft.Extensions.Options;

namespace Harness.Portaly.Payments;

/// <summary>The buyer as TapPay's <c>cardholder</c> object names them.</summary>
public sealed record Cardholder(string Name, string Email, string PhoneNumber);

/// <summary>
/// TapPay's answer to a charge: <c>status</c> 0 is success (with <c>rec_trade_id</c>); anything else is a refusal with
/// <c>msg</c> (and the bank's words when it declined). <see cref="Unanswered"/> means no answer arrived (timeout, network):
/// the charge may or may not have happened, and only the Record API can tell.
/// </summary>
public sealed record CardCharge(int Status, string? Message, string? RecTradeId, string? BankResultMessage, StoredCard? Card, bool Unanswered = false)
{
    public bool Succeeded => Status == 0 && RecTradeId is not null;

    /// <summary>The words a buyer or a merchant is shown for a refusal.</summary>
    public string FailureReason => Unanswered ? "TapPay did not answer"
        : string.IsNullOrEmpty(BankResultMessage) ? $"TapPay payment failed: {Message} ({Status})"
        : $"TapPay payment failed: {BankResultMessage}";
}

/// <summary>A TapPay record, as the Record API returns it: 1 captured, 2 partly refunded, 3 refunded, −1 failed, 4 pending.</summary>
public sealed record CardRecord(string RecTradeId, int RecordStatus, long Amount);


/// <summary>
/// TapPay's Direct Pay back end over HTTP (the harness's TapPay sandbox, or TapPay's own): Pay by Prime with
/// <c>remember</c> for the card token, Pay by Card Token for renewals, refunds and the Record API.
/// </summary>
public sealed class TapPayGateway(HttpClient http, IOptions<PortalyOptions> options)
{
    public const string PaymentMethod = "tappay";

    public TapPaySettings Settings => options.Value.TapPay;

    public Task<CardCharge> PayByPrimeAsync(string prime, long amount, string currency, string details, string orderNumber, Cardholder cardholder, CancellationToken cancellationToken) =>
        ChargeAsync("/tpc/payment/pay-by-prime", new JsonObject
        {
            ["prime"] = prime,
            ["remember"] = true,
            ["cardholder"] = new JsonObject { ["phone_number"] = cardholder.PhoneNumber, ["name"] = cardholder.Name, ["email"] = cardholder.Email },
        }, amount, currency, details, orderNumber, cancellationToken);

    public Task<CardCharge> PayByTokenAsync(StoredCard card, long amount, string currency, string details, string orderNumber, CancellationToken cancellationToken) =>
        ChargeAsync("/tpc/payment/pay-by-token", new JsonObject { ["card_key"] = card.CardKey, ["card_token"] = card.CardToken }, amount, currency, details, orderNumber, cancellationToken);

    /// <summary>A full refund of the trade; the answer's <c>status</c> and <c>msg</c> (status −1 when TapPay did not answer).</summary>
    public async Task<(int Status, string? Message, string? RefundId)> RefundAsync(string recTradeId, CancellationToken cancellationToken)
    {
        var answer = await PostAsync("/tpc/transaction/refund", new JsonObject { ["rec_trade_id"] = recTradeId }, cancellationToken);
        return answer is null ? (-1, "TapPay did not answer", null) : (Status(answer), Text(answer, "msg"), Text(answer, "refund_id"));
    }

    /// <summary>
    /// Every record of the merchant's order number (up to 50, newest first), or null when TapPay did not answer or
    /// refused the query: "no record" and "no answer" differ, and recovery must not charge again on the second.
    /// </summary>
    public async Task<IReadOnlyList<CardRecord>?> RecordsOfOrderAsync(string orderNumber, CancellationToken cancellationToken)
    {
        var answer = await PostAsync("/tpc/transaction/query", new JsonObject
        {
            ["records_per_page"] = 50,
            ["filters"] = new JsonObject { ["order_number"] = orderNumber },
        }, cancellationToken);
        return answer is null || Status(answer) is not (0 or 2) ? null
            : [.. (answer["trade_records"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(r => new CardRecord(Text(r, "rec_trade_id")!, r["record_status"]!.GetValue<int>(), r["amount"]!.GetValue<long>()))];
    }

    private async Task<CardCharge> ChargeAsync(string path, JsonObject body, long amount, string currency, string details, string orderNumber, CancellationToken cancellationToken)
    {
        body["amount"] = amount;
        body["currency"] = currency;
        body["details"] = details.Length > 100 ? details[..100] : details;
        body["order_number"] = orderNumber;
        var answer = await PostAsync(path, body, cancellationToken);
        if (answer is null)
        {
            return new CardCharge(-1, "TapPay did not answer", null, null, null, Unanswered: true);
        }

        var card = answer["card_secret"] is JsonObject secret
            ? new StoredCard(Text(secret, "card_key")!, Text(secret, "card_token")!, Text(answer["card_info"] as JsonObject, "last_four"))
            : null;
        return new CardCharge(Status(answer), Text(answer, "msg"), Text(answer, "rec_trade_id"), Text(answer, "bank_result_msg"), card);
    }

    /// <summary>The JSON answer, or null when none arrived (every TapPay answer is HTTP 200 with <c>status</c>).</summary>
    private async Task<JsonObject?> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        var settings = Settings;
        if (!settings.Configured)
        {
            throw new InvalidOperationException("TapPay is not configured (Portaly:TapPay:BaseUrl, PartnerKey, MerchantId).");
        }

        body["partner_key"] = settings.PartnerKey;
        body["merchant_id"] ??= settings.MerchantId;
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.BaseUrl!.TrimEnd('/') + path) { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("x-api-key", settings.PartnerKey);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static int Status(JsonObject answer) => answer["status"]?.GetValue<int>() ?? -1;

    private static string? Text(JsonObject? node, string name) => node?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
