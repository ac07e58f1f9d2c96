using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Creem;

public sealed class CreemTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>Runs a script of the creem SDK against the sandbox with its base URL, API key and webhook secret, and <paramref name="extra"/> settings.</summary>
    internal static Task<(int ExitCode, string Output, string Errors)> RunSdkAsync(TestSandbox sandbox, string script, params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["CREEM_BASE"] = sandbox.BaseUrl("creem"),
            ["CREEM_API_KEY"] = CreemProvider.ApiKey,
            ["CREEM_WEBHOOK_SECRET"] = CreemProvider.WebhookSecret,
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return NodeScripts.RunAsync(script, environment);
    }

    [Fact]
    public async Task The_official_creem_npm_SDK_works_unmodified_against_the_sandbox()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await RunSdkAsync(sandbox, "creem-roundtrip.mjs", ("CREEM_PRODUCT", CreemProvider.OneTimeProduct), ("CREEM_RECURRING_PRODUCT", CreemProvider.MonthlyProduct));

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("completed", result["completedStatus"]!.GetValue<string>());
        Assert.StartsWith("https://merchant.example/thanks?checkout_id=", result["redirect"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["checkout.completed", "subscription.active", "subscription.paid"], result["subscriptionEvents"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.True(result["tamperRejected"]!.GetValue<bool>());
        Assert.Equal(404, result["notFoundStatus"]!.GetValue<int>());
    }

    [Fact]
    public async Task Webhooks_carry_creem_signature_over_the_raw_body_and_retry_until_200()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Script((204, ""), (500, ""));
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var checkout = await CreateAsync(sandbox, new { product_id = CreemProvider.OneTimeProduct, request_id = "r1" });
        var id = checkout["id"]!.GetValue<string>();

        await sandbox.ActAsync(id, "pay");
        var first = await receiver.NextAsync();
        Assert.Equal(ProviderSignatures.Creem(CreemProvider.WebhookSecret, first.Body), first.Header("creem-signature"));
        var envelope = JsonNode.Parse(first.Body)!;
        Assert.Equal("checkout.completed", envelope["eventType"]!.GetValue<string>());
        Assert.True(envelope["created_at"]!.GetValue<long>() > 1_600_000_000_000, "created_at is in milliseconds");

        // 204 is not Creem's acknowledgement: retries follow at 30 s and then 1 min.
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(29));
        await sandbox.RunDueAsync();
        Assert.Single(receiver.All);
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(3, receiver.All.Count);
        Assert.All(receiver.All, r => Assert.Equal(first.Body, r.Body));

        var delivery = (await sandbox.DeliveriesAsync(id))[0]!;
        Assert.Equal("delivered", delivery["status"]!.GetValue<string>());
        Assert.Equal([204, 500, 200], delivery["attempts"]!.AsArray().Select(a => a!["response_status"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Requests_without_the_api_key_are_refused_in_creem_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("creem")) };
        using var response = await http.GetAsync("/v1/checkouts?checkout_id=ch_1", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(403, body["statusCode"]!.GetValue<int>());
        Assert.Equal("Forbidden", body["error"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"request_id":"x"}""", 400, "product_id must be a string")]
    [InlineData("""{"product_id":"prod_HarnessOneTime","units":0}""", 400, "units must be a positive integer")]
    [InlineData("""{"product_id":"prod_HarnessOneTime","custom_price":5}""", 400, "custom_price must be an integer between 100 and 99999999")]
    [InlineData("""{"product_id":"prod_HarnessOneTime","colour":"red"}""", 400, "property colour should not exist")]
    [InlineData("""{"product_id":"prod_nope"}""", 404, "Product not found")]
    [InlineData("""not json""", 400, "request body must be a JSON object")]
    [InlineData("""{"product_id":"prod_HarnessOneTime","product_id":"prod_HarnessMonthly"}""", 400, "request body must be a JSON object")]
    [InlineData("""{"product_id":"prod_HarnessOneTime","request_id":"\ud800"}""", 400, "request body must be a JSON object")]
    [InlineData("""{"product_id":"prod_HarnessOneTime","units":9223372036854775807}""", 400, "units must not be greater than 1000")]
    [InlineData("""{"product_id":"prod_HarnessOneTime","units":1001}""", 400, "units must not be greater than 1000")]
    [InlineData("""{"product_id":"prod_HarnessOneTime","units":1000,"custom_price":100000}""", 400, "must not be greater than 99999999")]
    public async Task Bad_checkout_requests_get_creem_errors(string body, int status, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = Client(sandbox);
        using var response = await http.PostAsync("/v1/checkouts", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(status, error["statusCode"]!.GetValue<int>());
        Assert.Contains(message, error["message"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_nested_deeper_than_the_sandbox_stores_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = Client(sandbox);

        // 63 levels fit the request, but not the subscription that paying stores them in: the store reads back 64.
        var metadata = string.Concat(Enumerable.Repeat("{\"a\":", 63)) + "1" + new string('}', 63);
        using var response = await http.PostAsync(
            "/v1/checkouts", new StringContent($$"""{"product_id":"{{CreemProvider.MonthlyProduct}}","metadata":{{metadata}}}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["statusCode"]!.GetValue<int>());
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=creem"));
    }

    internal static HttpClient Client(TestSandbox sandbox)
    {
        var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("creem")) };
        http.DefaultRequestHeaders.Add("x-api-key", CreemProvider.ApiKey);
        return http;
    }

    internal static async Task<JsonObject> CreateAsync(TestSandbox sandbox, object request)
    {
        using var http = Client(sandbox);
        using var response = await http.PostAsJsonAsync("/v1/checkouts", request, Ct);
        response.EnsureSuccessStatusCode();
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }
}
