namespace Harness.Conformance.Http;

/// <summary>Records every exchange of a scenario's HTTP client, so a failing step can show what went over the wire.</summary>
public sealed class ExchangeRecorder : DelegatingHandler
{
    private readonly List<HttpExchange> _exchanges = [];

    public ExchangeRecorder(HttpMessageHandler inner)
        : base(inner)
    {
    }

    public IReadOnlyList<HttpExchange> Exchanges
    {
        get
        {
            lock (_exchanges)
            {
                return [.. _exchanges];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var requestBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var requestHeaders = Headers(request.Headers, request.Content?.Headers);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var responseBody = await response.Content.ReadAsStringAsync(cancellationToken);
            Add(new HttpExchange(request.Method, request.RequestUri!, requestHeaders, requestBody, response.StatusCode, Headers(response.Headers, response.Content.Headers), responseBody, null));
            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Add(new HttpExchange(request.Method, request.RequestUri!, requestHeaders, requestBody, null, [], null, ex.Message));
            throw;
        }
    }

    private static List<KeyValuePair<string, string>> Headers(System.Net.Http.Headers.HttpHeaders headers, System.Net.Http.Headers.HttpHeaders? content) =>
        [.. headers.Concat(content ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value)))];

    private void Add(HttpExchange exchange)
    {
        lock (_exchanges)
        {
            _exchanges.Add(exchange);
        }
    }
}
