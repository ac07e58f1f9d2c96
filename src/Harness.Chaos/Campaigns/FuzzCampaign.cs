using System.Diagnostics;
using System.Net.Http.Headers;
using Harness.Chaos.Reports;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Every operation of an API, with generated malformed requests sent as a signed-in caller would send
/// them (so refusals come from validation, not from auth). <paramref name="shape"/> says what is wrong
/// with an answer, or null.
/// </summary>
public sealed class FuzzCampaign(HttpClient http, string surface, Func<HttpResponseMessage, string, string?> shape, Action<HttpRequestMessage, Operation> credentials)
{
    /// <summary>The operations of the API's own OpenAPI document (<c>/openapi/v1.json</c>).</summary>
    public async Task<(FuzzFigures Figures, IReadOnlyList<Finding> Findings)> RunAsync(int seed, int casesPerOperation, TextWriter log, CancellationToken cancellationToken)
    {
        return await RunAsync(await OpenApiOperations.ReadAsync(http, cancellationToken), MalformedInputs.Case, seed, casesPerOperation, log, cancellationToken);
    }

    /// <summary><paramref name="operations"/>, each with <paramref name="casesPerOperation"/> cases from <paramref name="generate"/>.</summary>
    public async Task<(FuzzFigures Figures, IReadOnlyList<Finding> Findings)> RunAsync(
        IReadOnlyList<Operation> operations, Func<Operation, int, int, FuzzCase> generate, int seed, int casesPerOperation, TextWriter log, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        int requests = 0, serverErrors = 0, wrongShape = 0, serverLevel = 0, rateLimited = 0;
        var slowest = TimeSpan.Zero;
        var slowestRequest = "";
        foreach (var operation in operations)
        {
            for (var index = 0; index < casesPerOperation; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fuzz = generate(operation, seed, index);
                var described = $"{fuzz.Method} {fuzz.PathAndQuery} ({fuzz.Description}; {operation}, case {index})";
                using var request = ToRequest(fuzz, operation);
                var timer = Stopwatch.StartNew();
                requests++;
                try
                {
                    using var response = await http.SendAsync(request, cancellationToken);
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    timer.Stop();
                    var status = (int)response.StatusCode;
                    if (status >= 500)
                    {
                        serverErrors++;
                        findings.Add(new Finding("fuzz", $"{status} from {surface}", described, Trim(body)));
                    }
                    else if (RefusedByTheWebServer(response, body))
                    {
                        serverLevel++;
                    }
                    else if (shape(response, body) is { } problem)
                    {
                        wrongShape++;
                        findings.Add(new Finding("fuzz", $"answer outside {surface}'s shape", described, $"{status}: {problem}: {Trim(body)}"));
                    }
                    else if (status == 429)
                    {
                        rateLimited++;
                    }
                }
                catch (HttpRequestException ex)
                {
                    findings.Add(new Finding("fuzz", "no answer", described, ex.Message));
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    findings.Add(new Finding("fuzz", "no answer within 10 s", described, ""));
                }

                if (timer.Elapsed > slowest)
                {
                    (slowest, slowestRequest) = (timer.Elapsed, described);
                }
            }
        }

        log.WriteLine($"fuzz {surface}: {operations.Count} operations, {requests} requests, {serverErrors} 5xx, {wrongShape} outside the shape, {serverLevel} refused by the web server, {rateLimited} rate-limited, slowest {slowest.TotalMilliseconds:0} ms");
        return (new FuzzFigures(surface, operations.Count, requests, serverErrors, wrongShape, serverLevel, rateLimited, slowest, slowestRequest), findings);
    }

    private HttpRequestMessage ToRequest(FuzzCase fuzz, Operation operation)
    {
        var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), new Uri(fuzz.PathAndQuery, UriKind.Relative));
        if (fuzz.Body is { } body)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = null;
            if (fuzz.ContentType is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        credentials(request, operation);
        return request;
    }

    // Kestrel refuses a request line it cannot parse (a NUL in the path, an over-long target) with an
    // empty 4xx and a closed connection, before any middleware: there is no hook to shape it.
    private static bool RefusedByTheWebServer(HttpResponseMessage response, string body) =>
        (int)response.StatusCode is 400 or 414 or 431 && body.Length == 0 && response.Headers.ConnectionClose == true;

    private static string Trim(string body) => body.Length <= 300 ? body : body[..300] + "…";
}

/// <summary>Portaly's merchant key on every operation, the operator token on key creation (docs/portaly.md, "Auth, keys, modes").</summary>
public sealed class PortalyCredentials(string key, string adminToken)
{
    public void Apply(HttpRequestMessage request, Operation operation) =>
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + (operation.Path.EndsWith("/api-keys", StringComparison.Ordinal) ? adminToken : key));
}

/// <summary>Which credential a Finance operation is called with, from its path: what its route group requires.</summary>
public sealed class FinanceCredentials(string userToken, string adminToken, string apiKey)
{
    public void Apply(HttpRequestMessage request, Operation operation)
    {
        if (operation.Path.StartsWith("/openapi/coin", StringComparison.Ordinal))
        {
            request.Headers.Add("X-API-Key", apiKey);
        }
        else if (operation.Answers.Contains("401"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operation.Path.StartsWith("/api/admin", StringComparison.Ordinal) ? adminToken : userToken);
        }
    }
}
