using System.Net;
using System.Text.Json;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Harness.Tests.Mechanisms;

/// <summary>
/// The shared pieces every surface app is made of, on a made-up surface with an envelope of its own:
/// validation, typed refusals, answered exceptions and refusals of the framework all speak that envelope.
/// </summary>
public sealed class SurfaceAppTests : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client;

    public SurfaceAppTests()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.AddSurface(TestEnvelope.Instance, "Test surface", errors => errors.Answer<TimeoutException>(ApiErrorKind.Unavailable, "try again"));
        builder.Services.AddOpenApi();
        _app = builder.Build();
        _app.UseSurface();
        var api = _app.MapGroup("/api").ValidateRequests();
        api.MapPost("/orders", (OrderRequest order) => TypedResults.Ok(order.Sku));
        api.MapGet("/orders/{id}", Find);
        api.MapGet("/slow", string () => throw new TimeoutException("the store took too long"));
        api.MapGet("/broken", string () => throw new InvalidOperationException("a bug"));
        _app.StartAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        _client = _app.GetTestClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_validatable_body_is_refused_for_its_first_problem_in_the_apps_envelope()
    {
        var (status, body) = await Post("/api/orders", """{"sku":"","quantity":0}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("sku is required", body.GetProperty("problem").GetString());
        Assert.Equal("Validation", body.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_valid_body_reaches_the_handler()
    {
        var (status, body) = await Post("/api/orders", """{"sku":"a-1","quantity":2}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("a-1", body.GetString());
    }

    [Fact]
    public async Task A_route_that_takes_a_body_refuses_a_request_without_one_as_body_required()
    {
        var (status, body) = await Send(new HttpRequestMessage(HttpMethod.Post, "/api/orders"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("request body is required", body.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task A_typed_refusal_and_an_unknown_route_answer_in_the_apps_envelope()
    {
        var (status, body) = await Get("/api/orders/missing");
        var (unknownStatus, unknown) = await Get("/nowhere");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("order 'missing' not found", body.GetProperty("problem").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknownStatus);
        Assert.Equal("NotFound", unknown.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task An_exception_the_app_declared_is_answered_with_its_kind_and_any_other_is_a_500()
    {
        var (status, body) = await Get("/api/slow");
        var (brokenStatus, broken) = await Get("/api/broken");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("try again", body.GetProperty("problem").GetString());
        Assert.Equal(HttpStatusCode.InternalServerError, brokenStatus);
        Assert.Equal("internal error", broken.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task The_openapi_document_lists_each_routes_refusals_with_the_envelopes_body()
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken));
        var paths = document.RootElement.GetProperty("paths");

        var create = paths.GetProperty("/api/orders").GetProperty("post").GetProperty("responses");
        var find = paths.GetProperty("/api/orders/{id}").GetProperty("get").GetProperty("responses");

        Assert.True(create.TryGetProperty("400", out var invalid));
        Assert.EndsWith("/TestError", invalid.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(), StringComparison.Ordinal);
        Assert.True(find.TryGetProperty("404", out _));
        Assert.False(find.TryGetProperty("400", out _)); // takes nothing to validate
    }

    private static Results<Ok<string>, Refusal<Refused.NotFound>> Find(string id) =>
        id == "o-1" ? TypedResults.Ok("o-1") : new Refusal<Refused.NotFound>($"order '{id}' not found");

    private Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json) =>
        Send(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") });

    private Task<(HttpStatusCode Status, JsonElement Body)> Get(string path) => Send(new HttpRequestMessage(HttpMethod.Get, path));

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);
            return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone());
        }
    }

    public sealed record OrderRequest(string? Sku, int? Quantity) : IValidatable
    {
        public void Validate(Validator validator) => validator
            .Require(!string.IsNullOrEmpty(Sku), "sku is required")
            .Require(Quantity > 0, "quantity must be greater than 0");
    }

    public sealed record TestError(string Kind, string Problem);

    private sealed class TestEnvelope : IErrorEnvelope
    {
        public static readonly TestEnvelope Instance = new();

        public Type BodyType => typeof(TestError);

        public IResult Error(ApiErrorKind kind, string message) =>
            TypedResults.Json(new TestError(kind.ToString(), message), statusCode: ApiErrorStatus.Default(kind));
    }
}
