using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Harness.Load.Target;

/// <summary>A user the load acts as: the id the ledger knows and a live token for the user routes.</summary>
public sealed record LoadUser(string UserId, string Token)
{
    /// <summary>The <c>Authorization</c> header value, made once rather than on every request.</summary>
    public string Authorization { get; } = "Bearer " + Token;
}

/// <summary>What a consume call answered. <see cref="Status"/> 0 means no HTTP answer arrived.</summary>
public sealed record ConsumeReply(HttpStatusCode Status, int Code, string? RecordId, long Coins, bool Replayed)
{
    public bool Ok => Status == HttpStatusCode.OK && Code == 0 && RecordId is not null;

    public string Error => string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)Status} code {Code}");

    /// <summary>A consume's answer: an acknowledgement only with <c>code</c> 0 and the documented <c>recordId</c> and <c>coins</c>, which the audit checks.</summary>
    public static ConsumeReply Of(LoadAnswer answer)
    {
        var (status, fields) = (answer.Status, answer.Fields);
        return status == HttpStatusCode.OK && fields.Code == 0 && fields.RecordId is not null && fields.Coins is { } charged
            ? new ConsumeReply(status, fields.Code, fields.RecordId, charged, fields.Replayed)
            : new ConsumeReply(status, fields.Code, null, 0, false);
    }
}

/// <summary>
/// The parts of a Finance envelope the runner checks: <c>code</c> (-1 when the body is not a JSON
/// object or has none) and, from <c>data</c>, a consume's <c>recordId</c> (string or number),
/// <c>coins</c> and <c>replayed</c>. Read forward once, with no document built, because it runs for
/// every request of a load run.
/// </summary>
public readonly record struct EnvelopeFields(int Code, string? RecordId, long? Coins, bool Replayed)
{
    public static EnvelopeFields Parse(ReadOnlySpan<byte> body)
    {
        var (code, recordId, coins, replayed) = (-1, (string?)null, (long?)null, false);
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new(-1, null, null, false);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Name(ref reader, "code", "data");
                reader.Read();
                if (field == "code")
                {
                    code = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var c) ? c : -1;
                }
                else if (field == "data" && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        field = Name(ref reader, "recordId", "coins", "replayed");
                        reader.Read();
                        switch (field)
                        {
                            case "recordId":
                                recordId = reader.TokenType switch
                                {
                                    JsonTokenType.String => reader.GetString(),
                                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                                    _ => null,
                                };
                                break;
                            case "coins":
                                coins = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : null;
                                break;
                            case "replayed":
                                replayed = reader.TokenType == JsonTokenType.True;
                                break;
                        }

                        reader.Skip();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return new(-1, null, null, false);
        }

        return new(code, recordId, coins, replayed);
    }

    /// <summary>Which of <paramref name="known"/> the property the reader is on is named, or null.</summary>
    private static string? Name(ref Utf8JsonReader reader, params ReadOnlySpan<string> known)
    {
        foreach (var name in known)
        {
            if (reader.ValueTextEquals(name))
            {
                return name;
            }
        }

        return null;
    }
}

/// <summary>One consumption record as the records API lists it.</summary>
public sealed record ChargeRecord(string RecordId, string IdempotencyKey, long Coins);

/// <summary>One account of the admin ledger audit.</summary>
public sealed record AccountAuditView(string AccountId, long Balance, long EntrySum, long EntryCount, bool Consistent);

/// <summary>
/// The Finance calls the runner makes: the load's own calls over <paramref name="transport"/>, the
/// setup and the audit (sign-in, credit, records, ledger audit) over <paramref name="http"/>.
/// </summary>
public sealed class FinanceApi(HttpClient http, ILoadTransport transport)
{
    public const string ConsumePath = "/api/finance/consume";
    public const string OpenApiConsumePath = "/openapi/coin/consume";
    public const string ApiKeyHeader = "X-API-Key";

    public HttpClient Http { get; } = http;

    public ILoadTransport Transport { get; } = transport;

    /// <summary>How long a setup or audit call may take (the load's own calls have the transport's timeout).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>The admin ledger audit reads every entry: tens of millions after a soak take a minute or more.</summary>
    public static readonly TimeSpan LedgerAuditTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Signs a phone in through the SMS sandbox (reference backend), registering it on first use.</summary>
    public async Task<LoadUser> SignInAsync(string phone, CancellationToken cancellationToken)
    {
        // A code sent less than a minute ago is still live: a refused resend is not an error here.
        using (var sendCode = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/auth/sms/sendCode", UriKind.Relative)) { Content = JsonContent.Create(new { phone }) })
        using (var _ = await SendAsync(sendCode, RequestTimeout, cancellationToken))
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

    /// <summary>A consume body as UTF-8; keys and codes the runner generates are plain ASCII, so no escaping is needed.</summary>
    public static byte[] ConsumeBody(string key, long tokens, string? userId = null) => Encoding.UTF8.GetBytes(userId is null
        ? string.Create(CultureInfo.InvariantCulture, $$"""{"idempotencyKey":"{{key}}","serviceCode":"agent-chat","consumeType":"TOKEN","tokens":{{tokens}}}""")
        : string.Create(CultureInfo.InvariantCulture, $$"""{"userId":"{{userId}}","idempotencyKey":"{{key}}","serviceCode":"agent-chat","consumeType":"TOKEN","tokens":{{tokens}}}"""));

    /// <summary>The pricing inputs of a consume without its key, as preCheck takes them.</summary>
    public static byte[] PreCheckBody(long tokens) => Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $$"""{"serviceCode":"agent-chat","consumeType":"TOKEN","tokens":{{tokens}}}"""));

    /// <summary>
    /// Consume as a user (<paramref name="user"/>'s token) or through an API key (<paramref name="apiKey"/>, body names the user).
    /// The hot path of every consume scenario: it goes through the lean <see cref="Transport"/>, and the
    /// answer is read forward once, without a document.
    /// </summary>
    public async Task<ConsumeReply> ConsumeAsync(string path, byte[] body, LoadUser? user, string? apiKey, CancellationToken cancellationToken)
    {
        var answer = await Transport.SendAsync(new LoadCall("POST", path, body, user?.Authorization, apiKey), cancellationToken);
        return ConsumeReply.Of(answer);
    }

    /// <summary>A call of the load whose answer only needs to be a success envelope (preCheck, balance, health); null when it was.</summary>
    public async Task<string?> CallAsync(string method, string path, byte[]? body, LoadUser? user, CancellationToken cancellationToken)
    {
        var answer = await Transport.SendAsync(new LoadCall(method, path, body, user?.Authorization), cancellationToken);
        return answer.Status == HttpStatusCode.OK && answer.Fields.Code == 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)answer.Status}");
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
        using var response = await SendAsync(request, LedgerAuditTimeout, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.MethodNotAllowed)
        {
            return null;
        }

        var data = Data(response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken), "/api/admin/ledger/audit");
        return data.GetProperty("accounts").Deserialize<List<AccountAuditView>>(JsonSerializerOptions.Web);
    }

    /// <summary>The ledger's entry count (<c>GET /api/admin/ledger/stats</c>), or null when the target does not offer it to this token.</summary>
    public async Task<long?> LedgerEntriesAsync(string adminToken, CancellationToken cancellationToken)
    {
        const string path = "/api/admin/ledger/stats";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        Authorize(request, adminToken);
        using var response = await SendAsync(request, RequestTimeout, cancellationToken);
        return response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.MethodNotAllowed
            ? null
            : Data(response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken), path).GetProperty("entries").GetInt64();
    }

    /// <summary>Sends with its own deadline (the client has none), the body read within it; a missed deadline is a <see cref="TimeoutException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"{request.Method} {request.RequestUri} did not answer within {timeout.TotalSeconds:0} s"));
        }
    }

    private async Task<JsonElement> EnvelopeAsync(HttpMethod method, string path, object? body, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        Authorize(request, token);
        using var response = await SendAsync(request, RequestTimeout, cancellationToken);
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
