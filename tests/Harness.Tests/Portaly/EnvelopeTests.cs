using System.Net;

namespace Harness.Tests.Portaly;

/// <summary>Every refusal, the framework's included, is <c>{"error", "code"}</c> with a 4xx; lists page by cursor.</summary>
public sealed class EnvelopeTests : IAsyncLifetime
{
    private readonly PortalyTestApp _app = new();

    [Theory]
    [InlineData("{\"name\": ")]
    [InlineData("not json")]
    [InlineData("{\"name\": \"x\", \"amount\": \"300\", \"billingPeriod\": \"monthly\"}")]
    [InlineData("{\"name\": \"x\", \"amount\": 1.5, \"billingPeriod\": \"monthly\"}")]
    [InlineData("[]")]
    public async Task Malformed_or_mistyped_json_is_a_validation_failure(string json)
    {
        var reply = await _app.Test().Raw(HttpMethod.Post, "/plans", json);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("Validation failed", reply.Error);
        Assert.Equal("VALIDATION_ERROR", reply.Code);
        Assert.NotNull(reply.Detail);
    }

    [Fact]
    public async Task A_missing_body_an_unknown_route_and_a_wrong_method_are_answered_in_the_envelope()
    {
        var http = _app.Test();
        var noBody = await Reply.Of(http.PostAsync(PortalyHttp.Base + "/plans", null, TestContext.Current.CancellationToken));
        var unknown = await http.Get("/nothing-here");
        var method = await Reply.Of(http.PatchAsync(PortalyHttp.Base + "/config", null, TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, noBody.Status);
        Assert.Equal("VALIDATION_ERROR", noBody.Code);
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), (unknown.Status, unknown.Code));
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED"), (method.Status, method.Code));
    }

    [Fact]
    public async Task A_list_pages_by_cursor_until_hasMore_is_false()
    {
        var http = _app.Test();
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await http.CreatePlan("Plan " + i));
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await http.Get("/plans?limit=2" + (cursor is null ? "" : "&startAfter=" + cursor));
            Assert.Equal(HttpStatusCode.OK, page.Status);
            seen.AddRange(page.Data.AsArray().Select(p => p!["id"]!.GetValue<string>()));
            var pagination = page.Body["pagination"]!;
            Assert.Equal(page.Data.AsArray().Count, pagination["count"]!.GetValue<int>());
            cursor = pagination["hasMore"]!.GetValue<bool>() ? pagination["nextCursor"]!.GetValue<string>() : null;
            Assert.True(cursor is not null || pagination["nextCursor"] is null);
        }
        while (cursor is not null);

        Assert.Equal(created.Order(), seen.Order());
        Assert.Equal(5, seen.Distinct().Count());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=-1")]
    [InlineData("limit=ten")]
    [InlineData("startAfter=plan_unknown")]
    public async Task A_bad_page_query_is_400(string query)
    {
        var reply = await _app.Test().Get("/plans?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("VALIDATION_ERROR", reply.Code);
    }

    [Fact]
    public async Task A_limit_defaults_to_20_and_is_cut_to_100()
    {
        var http = _app.Test();
        for (var i = 0; i < 20; i++)
        {
            await http.CreatePlan("Plan " + i);
        }

        // A key writes 20 times a minute; plans are shared by the modes, so the live key makes the 21st.
        await _app.Live().CreatePlan("Plan 20");

        var byDefault = await http.Get("/plans");
        var large = await http.Get("/plans?limit=1000");

        Assert.Equal(20, byDefault.Body["pagination"]!["count"]!.GetValue<int>());
        Assert.True(byDefault.Body["pagination"]!["hasMore"]!.GetValue<bool>());
        Assert.Equal(21, large.Body["pagination"]!["count"]!.GetValue<int>());
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
