using System.Net;

namespace Harness.Load.Target;

/// <summary>One request of the load itself (consume, preCheck, balance, health, a provider's create): the few shapes the scenarios send.</summary>
/// <param name="Method"><c>GET</c> or <c>POST</c>.</param>
/// <param name="Path">Absolute path and query, e.g. <c>/api/finance/consume</c>.</param>
/// <param name="Body">The body, or null for none.</param>
/// <param name="Authorization">The whole <c>Authorization</c> header value, or null.</param>
/// <param name="ApiKey">The <c>X-API-Key</c> header value, or null.</param>
public readonly record struct LoadCall(string Method, string Path, byte[]? Body, string? Authorization = null, string? ApiKey = null)
{
    /// <summary>The body's <c>Content-Type</c>; JSON unless given (a provider's form body).</summary>
    public string ContentType { get; init; } = JsonContentType;

    /// <summary>Further headers sent as given (<c>Idempotency-Key</c>, <c>x-api-key</c>); null for none, as on the Finance hot path.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; init; }

    /// <summary>Whether the answer's body is copied into <see cref="LoadAnswer.Body"/> (the Finance scenarios read only the envelope, and copy nothing).</summary>
    public bool KeepBody { get; init; }

    public const string JsonContentType = "application/json";

    public const string FormContentType = "application/x-www-form-urlencoded";
}

/// <summary>What a load call got back: the HTTP status, the envelope fields the runner checks and, when the call asked for it, the body.</summary>
public readonly record struct LoadAnswer(HttpStatusCode Status, EnvelopeFields Fields, byte[]? Body = null);

/// <summary>
/// How the load's own requests reach the target. Failures surface as the exceptions
/// <see cref="HttpClient"/> throws — <see cref="HttpRequestException"/> or <see cref="IOException"/>
/// when the connection fails, <see cref="TaskCanceledException"/> on a timeout or an abort — so a
/// step reads them the same whichever transport carried it. A transport that owns connections is
/// also <see cref="IDisposable"/>.
/// </summary>
public interface ILoadTransport
{
    ValueTask<LoadAnswer> SendAsync(LoadCall call, CancellationToken cancellationToken);
}

/// <summary>
/// The load over an <see cref="HttpClient"/>: for a client that is not a socket (the in-memory test
/// server of the in-process tests). A real target gets <see cref="Http1Transport"/>, which costs the
/// runner a fraction of the CPU and allocation per request.
/// </summary>
public sealed class HttpClientTransport(HttpClient http) : ILoadTransport
{
    public async ValueTask<LoadAnswer> SendAsync(LoadCall call, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(call.Method == "GET" ? HttpMethod.Get : new HttpMethod(call.Method), new Uri(call.Path, UriKind.Relative));
        if (call.Body is not null)
        {
            request.Content = new ByteArrayContent(call.Body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", call.ContentType);
        }

        // Headers go out as given, with no parsing and re-formatting of typed header values.
        if (call.Authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", call.Authorization);
        }

        if (call.ApiKey is not null)
        {
            request.Headers.TryAddWithoutValidation(FinanceApi.ApiKeyHeader, call.ApiKey);
        }

        foreach (var (name, value) in call.Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new LoadAnswer(response.StatusCode, EnvelopeFields.Parse(body), call.KeepBody ? body : null);
    }
}
