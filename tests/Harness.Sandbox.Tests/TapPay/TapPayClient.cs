using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.TapPay;

/// <summary>Calls the TapPay listener as a merchant back end and front end would, asserting TapPay's HTTP 200 + JSON answer.</summary>
internal sealed class TapPayClient(TestSandbox sandbox) : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private readonly HttpClient _http = new() { BaseAddress = new Uri(sandbox.BaseUrl("tappay")) };

    /// <summary>A valid Pay by Prime body; tests change one thing at a time.</summary>
    public static JsonObject PrimeBody(string prime, long amount = 100) => new()
    {
        ["prime"] = prime,
        ["partner_key"] = TapPayProvider.PartnerKey,
        ["merchant_id"] = TapPayProvider.MerchantId,
        ["amount"] = amount,
        ["currency"] = "TWD",
        ["details"] = "Harness credits",
        ["cardholder"] = new JsonObject { ["phone_number"] = "+886923456789", ["name"] = "王小明", ["email"] = "buyer@example.com" },
    };

    /// <summary>A valid Pay by Card Token body for a remembered card.</summary>
    public static JsonObject TokenBody(string key, string token, long amount) => new()
    {
        ["card_key"] = key,
        ["card_token"] = token,
        ["partner_key"] = TapPayProvider.PartnerKey,
        ["merchant_id"] = TapPayProvider.MerchantId,
        ["amount"] = amount,
        ["currency"] = "TWD",
        ["details"] = "Monthly renewal",
    };

    /// <summary>POSTs <paramref name="body"/> as JSON with <c>x-api-key</c>; the answer must be HTTP 200 JSON.</summary>
    public async Task<JsonObject> PostAsync(string path, JsonObject body, string? apiKey = TapPayProvider.PartnerKey) =>
        await PostRawAsync(path, body.ToJsonString(), apiKey);

    public async Task<JsonObject> PostRawAsync(string path, string json, string? apiKey = TapPayProvider.PartnerKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        using var response = await _http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    /// <summary>The simulated front end: a card becomes a single-use prime.</summary>
    public async Task<string> PrimeAsync(string card, string expiry = "12/30")
    {
        var answer = await PostAsync("/sandbox/get-prime", new JsonObject
        {
            ["app_id"] = TapPayProvider.AppId,
            ["card_number"] = card,
            ["card_expiry"] = expiry,
            ["card_ccv"] = "123",
        }, TapPayProvider.AppKey);
        Assert.True(answer["status"]!.GetValue<int>() == 0, answer.ToJsonString());
        return answer["prime"]!.GetValue<string>();
    }

    public async Task<JsonObject> PayAsync(JsonObject body) => await PostAsync("/tpc/payment/pay-by-prime", body);

    public async Task<JsonObject> QueryAsync(JsonObject? filters = null, int? perPage = null, int? page = null, JsonObject? orderBy = null)
    {
        var body = new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey };
        if (filters is not null)
        {
            body["filters"] = filters;
        }

        if (perPage is not null)
        {
            body["records_per_page"] = perPage;
        }

        if (page is not null)
        {
            body["page"] = page;
        }

        if (orderBy is not null)
        {
            body["order_by"] = orderBy;
        }

        return await PostAsync("/tpc/transaction/query", body);
    }

    public async Task<JsonObject> RecordAsync(string recTradeId) =>
        (JsonObject)Assert.Single((await QueryAsync(new JsonObject { ["rec_trade_id"] = recTradeId }))["trade_records"]!.AsArray())!;

    public async Task<JsonObject> RefundAsync(string recTradeId, long? amount = null)
    {
        var body = new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = recTradeId };
        if (amount is not null)
        {
            body["amount"] = amount;
        }

        return await PostAsync("/tpc/transaction/refund", body);
    }

    public void Dispose() => _http.Dispose();
}

internal static class TapPayAnswer
{
    public static int Status(this JsonObject answer) => answer["status"]!.GetValue<int>();

    public static string Msg(this JsonObject answer) => answer["msg"]!.GetValue<string>();

    public static string Text(this JsonObject answer, string key) => answer[key]!.GetValue<string>();
}
