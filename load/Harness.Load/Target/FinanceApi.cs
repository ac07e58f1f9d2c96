using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Harness.Load.Target;

/// <summary>A user the load acts as: the id the ledger knows and a live token for the user routes.</summary>
public sealed record LoadUser(string UserId, string Token);

/// <summary>What a consume call answered. <see cref="Status"/> 0 means no HTTP answer arrived.</summary>
public sealed record ConsumeReply(HttpStatusCode Status, int Code, string? RecordId, long Coins, bool Replayed)
{
    public bool Ok => Status == HttpStatusCode.OK && Code == 0 && RecordId is not null;

    public string Error => string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)Status} code {Code}");
}

/// <summary>One consumption record as the records API lists it.</summary>
public sealed record ChargeRecord(string RecordId, string IdempotencyKey, long Coins);

/// <summary>One account of the admin ledger audit.</summary>
public sealed record AccountAuditView(string AccountId, long Balance, long EntrySum, long EntryCount, bool Consistent);

/// <summary>The Finance calls the runner makes, over one pooled <see cref="HttpClient"/>.</summary>
public sealed class FinanceApi(HttpClient http)
{
    public const string ConsumePath = "/api/finance/consume";
    public const string OpenApiConsumePath = "/openapi/coin/consume";
    public const string ApiKeyHeader = "X-API-Key";

    public HttpClient Http { get; } = http;

    /// <summary>Signs a phone in through the SMS sandbox (reference backend), registering it on first use.</summary>
    public async Task<LoadUser> SignInAsync(string phone, CancellationToken cancellationToken)
    {
        // A code sent less than a minute ago is still live: a refused resend is not an error here.
        using (var _ = await Http.PostAsJsonAsync(new Uri("/api/auth/sms/sendCode", UriKind.Relative), new { phone }, cancellationToken))
        {
        }

        var code = (await EnvelopeAsync(HttpMethod.Get, "/api/auth/sms/sandbox/code?phone=" + Uri.EscapeDataString(phone), null, null, cancellationToken))
            .GetProperty("code").GetString();
        var login = await EnvelopeAsync(HttpMethod.Post, "/api/auth/login", new { phone, code }, null, cancellationToken);
        return new LoadUser(login.GetProperty("user").GetProperty("userId").GetString()!, login.GetProperty("token").GetString()!);
    }

    public Task CreditAsync(string adminToken, string userId, long amount, string idempotencyKey, CancellationToken cancellationToken) =>
        EnvelopeAsync(HttpMethod.Post, "/api/admin/finance/credit", new { userId, amount, idempotencyKey, reason = "load run" }, adminToken, cancellationToken);

    public async Task<long> BalanceAsync(string token, CancellationToken cancellationToken) =>
        (await EnvelopeAsync(HttpMethod.Get, "/api/finance/balance", null, token, cancellationToken)).GetProperty("balance").GetInt64();

    /// <summary>A consume body; keys and codes the runner generates are plain ASCII, so no escaping is needed.</summary>
    public static string ConsumeBody(string key, long tokens, string? userId = null) => userId is null
        ? string.Create(CultureInfo.InvariantCulture, $$"""{"idempotencyKey":"{{key}}","serviceCode":"agent-chat","consumeType":"TOKEN","tokens":{{tokens}}}""")
        : string.Create(CultureInfo.InvariantCulture, $$"""{"userId":"{{userId}}","idempotencyKey":"{{key}}","serviceCode":"agent-chat","consumeType":"TOKEN","tokens":{{tokens}}}""");

    /// <summary>The pricing inputs of a consume without its key, as preCheck takes them.</summary>
    public static string PreCheckBody(long tokens) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"serviceCode":"agent-chat","consumeType":"TOKEN","tokens":{{tokens}}}""");

    /// <summary>Consume as a user (<paramref name="token"/>) or through an API key (<paramref name="apiKey"/>, body names the user).</summary>
    public async Task<ConsumeReply> ConsumeAsync(string path, string body, string? token, string? apiKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        Authorize(request, token);
        if (apiKey is not null)
        {
            request.Headers.Add(ApiKeyHeader, apiKey);
        }

        using var response = await Http.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!TryParse(bytes, out var root))
        {
            return new ConsumeReply(response.StatusCode, -1, null, 0, false);
        }

        var code = root.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : -1;
        if (response.StatusCode != HttpStatusCode.OK || code != 0 || root.GetProperty("data") is not { ValueKind: JsonValueKind.Object } data)
        {
            return new ConsumeReply(response.StatusCode, code, null, 0, false);
        }

        // A success without the documented fields is not an acknowledgement the audit could check.
        return data.TryGetProperty("recordId", out var recordId) && data.TryGetProperty("coins", out var coins) && coins.TryGetInt64(out var charged)
            ? new ConsumeReply(response.StatusCode, code, recordId.ToString(), charged, data.TryGetProperty("replayed", out var replayed) && replayed.ValueKind == JsonValueKind.True)
            : new ConsumeReply(response.StatusCode, code, null, 0, false);
    }

    /// <summary>A call whose answer only needs to be a success envelope (preCheck, balance, health).</summary>
    public async Task<string?> CallAsync(HttpMethod method, string path, string? body, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        Authorize(request, token);
        using var response = await Http.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.OK && TryParse(bytes, out var root) && root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() == 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}");
    }

    /// <summary>One page of a user's consumption records, newest first.</summary>
    public async Task<(IReadOnlyList<ChargeRecord> Items, long Total)> RecordsAsync(string token, int page, int pageSize, CancellationToken cancellationToken)
    {
        var data = await EnvelopeAsync(HttpMethod.Post, "/api/finance/records", new { page, pageSize }, token, cancellationToken);
        var items = data.GetProperty("list").EnumerateArray()
            .Select(r => new ChargeRecord(r.GetProperty("recordId").ToString(), r.GetProperty("idempotencyKey").GetString() ?? "", r.GetProperty("coins").GetInt64()))
            .ToList();
        return (items, data.GetProperty("total").GetInt64());
    }

    /// <summary>The admin ledger audit, or null when the target does not offer it to this token.</summary>
    public async Task<IReadOnlyList<AccountAuditView>?> LedgerAuditAsync(string adminToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/admin/ledger/audit", UriKind.Relative));
        Authorize(request, adminToken);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.MethodNotAllowed)
        {
            return null;
        }

        var data = Data(response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken), "/api/admin/ledger/audit");
        return data.GetProperty("accounts").Deserialize<List<AccountAuditView>>(JsonSerializerOptions.Web);
    }

    private async Task<JsonElement> EnvelopeAsync(HttpMethod method, string path, object? body, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        Authorize(request, token);
        using var response = await Http.SendAsync(request, cancellationToken);
        return Data(response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken), path);
    }

    private static JsonElement Data(HttpStatusCode status, byte[] body, string path)
    {
        if (status != HttpStatusCode.OK || !TryParse(body, out var root) || !root.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number || code.GetInt32() != 0)
        {
            throw new LoadSetupException($"{path} answered {(int)status}: {Encoding.UTF8.GetString(body)}");
        }

        return root.GetProperty("data");
    }

    private static void Authorize(HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    private static bool TryParse(byte[] body, out JsonElement root)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            root = default;
            return false;
        }
    }
}

/// <summary>The target could not be prepared for a run (not reachable, credentials refused, sandbox missing).</summary>
public sealed class LoadSetupException(string message) : Exception(message);
