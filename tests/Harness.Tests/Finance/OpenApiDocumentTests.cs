using System.Text.Json;

namespace Harness.Tests.Finance;

/// <summary>The Finance app's OpenAPI document lists what each route answers, refusals included.</summary>
public sealed class OpenApiDocumentTests : IAsyncDisposable
{
    private readonly FinanceTestApp _app = new();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/api/finance/consume", "post", "200 400 401 402 403 404 409")]
    [InlineData("/api/finance/preCheck", "post", "200 400 401 403 404")]
    [InlineData("/openapi/coin/balance", "get", "200 400 401 403 404")]
    [InlineData("/api/consumption/summary", "post", "200 400 401")]
    [InlineData("/api/admin/finance/credit", "post", "200 400 401 403 404 409")]
    [InlineData("/api/admin/apiKeys/{id}/revoke", "post", "200 401 403 404")]
    [InlineData("/api/auth/login", "post", "200 400 401")]
    [InlineData("/api/health", "get", "200")]
    public async Task Each_route_lists_its_answers(string path, string method, string statuses)
    {
        var responses = (await Document()).GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");

        Assert.Equal(statuses.Split(' '), responses.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_refusal_is_documented_as_the_finance_envelope()
    {
        var refusals = (await Document()).GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .SelectMany(operation => operation.Value.GetProperty("responses").EnumerateObject())
            .Where(response => response.Name[0] == '4')
            .ToList();

        Assert.NotEmpty(refusals);
        Assert.All(refusals, refusal => Assert.Equal(
            "#/components/schemas/FinanceResponseOfObject",
            refusal.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()));
    }

    private async Task<JsonElement> Document()
    {
        using var client = _app.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken));
        return document.RootElement.Clone();
    }
}
