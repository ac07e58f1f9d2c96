using System.Net;
using System.Text.Json;

namespace Harness.Conformance.Steps.Providers;

/// <summary>An answer as a provider's client sees it: status, headers (a redirect's <c>Location</c> among them) and body.</summary>
public sealed class WireReply(HttpStatusCode status, string body, IReadOnlyDictionary<string, string> headers)
{
    private readonly ApiReply _parsed = new(status, body);

    public HttpStatusCode Status { get; } = status;

    public string Body { get; } = body;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public JsonElement Json => _parsed.Json;

    /// <summary>Where the answer redirects the browser, or null when it is not a redirect.</summary>
    public string? Location => (int)Status is >= 300 and < 400 ? Header("Location") : null;

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public static async Task<WireReply> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return new WireReply(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), headers);
    }
}
