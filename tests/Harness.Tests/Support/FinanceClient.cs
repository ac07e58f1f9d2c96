using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Harness.Tests.Support;

/// <summary>Finance calls as a client makes them, returning status and the parsed envelope.</summary>
public sealed class FinanceClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public async Task<ApiReply> Send(HttpMethod method, string path, object? body = null, string? token = null, string? apiKey = null, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }

        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiReply(response.StatusCode, text);
    }

    public Task<ApiReply> Post(string path, object? body, string? token = null) => Send(HttpMethod.Post, path, body, token);

    public Task<ApiReply> Get(string path, string? token = null) => Send(HttpMethod.Get, path, token: token);

    /// <summary>Signs a phone in through the SMS sandbox, registering it on first use.</summary>
    public async Task<(string Token, string UserId)> SignIn(string phone)
    {
        (await Post("/api/auth/sms/sendCode", new { phone })).EnsureOk();
        var code = (await Get($"/api/auth/sms/sandbox/code?phone={phone}")).EnsureOk().Data.GetProperty("code").GetString();
        var login = (await Post("/api/auth/login", new { phone, code })).EnsureOk().Data;
        return (login.GetProperty("token").GetString()!, login.GetProperty("user").GetProperty("userId").GetString()!);
    }

    public async Task Credit(string adminToken, string userId, long amount, string? key = null) =>
        (await Post("/api/admin/finance/credit", new { userId, amount, idempotencyKey = key ?? Guid.NewGuid().ToString("N") }, adminToken)).EnsureOk();

    /// <summary>Every consumption record of the user, all pages.</summary>
    public async Task<List<JsonElement>> AllRecords(string token)
    {
        var records = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var data = (await Post("/api/finance/records", new { page, pageSize = 100 }, token)).EnsureOk().Data;
            records.AddRange(data.GetProperty("list").EnumerateArray());
            if (records.Count >= data.GetProperty("total").GetInt64())
            {
                return records;
            }
        }
    }

    public async Task<long> Balance(string token) =>
        (await Get("/api/finance/balance", token)).EnsureOk().Data.GetProperty("balance").GetInt64();
}

public sealed record ApiReply(HttpStatusCode Status, string Body)
{
    private JsonElement? _json;

    public JsonElement Json => _json ??= Parse();

    public int Code => Json.GetProperty("code").GetInt32();

    public string Message => Json.GetProperty("message").GetString()!;

    public JsonElement Data => Json.GetProperty("data");

    public ApiReply EnsureOk()
    {
        if (Status != HttpStatusCode.OK || Code != 0)
        {
            throw new InvalidOperationException($"Expected success, got {(int)Status}: {Body}");
        }

        return this;
    }

    private JsonElement Parse()
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Response is not JSON ({(int)Status}): '{Body}'", ex);
        }
    }
}
