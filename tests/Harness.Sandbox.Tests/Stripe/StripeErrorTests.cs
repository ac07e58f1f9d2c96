using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using global::Stripe;
using global::Stripe.Checkout;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>Bad requests get Stripe's error envelope with a 4xx; idempotency keys behave as documented.</summary>
public sealed class StripeErrorTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A payment-mode session with one inline price, up to the name of its amount field.</summary>
    private const string InlinePrice = "mode=payment&line_items[0][price_data][currency]=usd&line_items[0][price_data][product_data][name]=Big&line_items[0][price_data][";

    internal static HttpClient Http(TestSandbox sandbox, string? key = StripeProvider.SecretKey)
    {
        var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("stripe")) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    [Theory]
    [InlineData(null, "You did not provide an API key")]
    [InlineData("sk_test_wrong_key_123456", "Invalid API Key provided")]
    public async Task Missing_or_wrong_keys_get_401(string? key, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = Http(sandbox, key);
        using var response = await http.GetAsync("/v1/checkout/sessions", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Contains(message, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("req_", response.Headers.GetValues("Request-Id").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1", 400, "mode", "parameter_missing")]
    [InlineData("mode=bogus", 400, "mode", "parameter_invalid")]
    [InlineData("mode=payment&colour=red", 400, "colour", "parameter_unknown")]
    [InlineData("mode=payment&customer_creation=sometimes", 400, "customer_creation", "parameter_invalid")]
    [InlineData("mode=subscription&customer_creation=always&line_items[0][price]=price_HarnessProMonthly&line_items[0][quantity]=1", 400, "customer_creation", "parameter_invalid")]
    [InlineData("mode=payment", 400, "line_items", "parameter_missing")]
    [InlineData("mode=payment&line_items[0][price]=price_nope&line_items[0][quantity]=1", 404, "line_items[0][price]", "resource_missing")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits", 400, "line_items[0][quantity]", "parameter_missing")]
    [InlineData("mode=payment&line_items%5B0%5D%5Bprice%5D=price_HarnessProMonthly&line_items%5B0%5D%5Bquantity%5D=1", 400, "line_items[0][price]", "parameter_invalid")]
    [InlineData("mode=subscription&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1", 400, "line_items", "parameter_invalid")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&success_url=not-a-url", 400, "success_url", "url_invalid")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&expires_at=abc", 400, "expires_at", "parameter_invalid")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&expires_at=99999999999999", 400, "expires_at", "parameter_invalid")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1000000", 400, "line_items[0][quantity]", "parameter_invalid")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=-1", 400, "line_items[0][quantity]", "parameter_invalid")]
    [InlineData(InlinePrice + "unit_amount]=-5&line_items[0][quantity]=1", 400, "line_items[0][price_data][unit_amount]", "parameter_invalid")]
    [InlineData(InlinePrice + "unit_amount]=9223372036854775807&line_items[0][quantity]=2", 400, "line_items[0][price_data][unit_amount]", "amount_too_large")]
    [InlineData(InlinePrice + "unit_amount]=100000000&line_items[0][quantity]=1", 400, "line_items[0][price_data][unit_amount]", "amount_too_large")]
    [InlineData(InlinePrice + "unit_amount]=99999999&line_items[0][quantity]=2", 400, "line_items", "amount_too_large")]
    [InlineData(InlinePrice + "unit_amount]=50000000&line_items[0][quantity]=1&line_items[1][price]=price_HarnessCredits&line_items[1][quantity]=500000", 400, "line_items", "amount_too_large")]
    public async Task Bad_create_parameters_name_the_param(string form, int status, string param, string code)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = Http(sandbox);
        using var response = await http.PostAsync("/v1/checkout/sessions", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]!.GetValue<string>());
        Assert.Equal(code, error["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Amounts_over_Stripes_eight_digits_are_refused_in_Stripes_words_and_create_no_payment()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = Http(sandbox);

        async Task<JsonNode> RefusalAsync(string form)
        {
            using var response = await http.PostAsync("/v1/checkout/sessions", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        }

        // Issue #23's request, whose amount_total wrapped around to -2.
        var unit = await RefusalAsync(InlinePrice + "unit_amount]=9223372036854775807&line_items[0][quantity]=2");
        Assert.Equal("Amount must be no more than $999,999.99", unit["message"]!.GetValue<string>());
        var total = await RefusalAsync(InlinePrice + "unit_amount]=99999999&line_items[0][quantity]=2");
        Assert.Equal("The Checkout Session's total amount due must be no more than $999,999.99.", total["message"]!.GetValue<string>());
        var euros = await RefusalAsync(InlinePrice.Replace("=usd", "=eur", StringComparison.Ordinal) + "unit_amount]=100000000&line_items[0][quantity]=1");
        Assert.Equal("Amount must be no more than 999,999.99 EUR", euros["message"]!.GetValue<string>());
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=stripe"));

        // The largest session there can be is still created, with its exact total.
        using var largest = await http.PostAsync("/v1/checkout/sessions", new StringContent(
            InlinePrice + "unit_amount]=99999999&line_items[0][quantity]=1", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        Assert.Equal(99_999_999, JsonNode.Parse(await largest.Content.ReadAsStringAsync(Ct))!["amount_total"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("2026-10-28.endivé")]
    [InlineData("2026-10-28\u0001")]
    [InlineData("latest")]
    public async Task A_malformed_Stripe_Version_is_refused_rather_than_echoed(string version)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        // A valid version is echoed in the answer's headers, where a non-ASCII or control character cannot go.
        using var http = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 })
        {
            BaseAddress = new Uri(sandbox.BaseUrl("stripe")),
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/checkout/sessions");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StripeProvider.SecretKey);
        request.Headers.TryAddWithoutValidation("Stripe-Version", version);
        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal("api_version_invalid", error["code"]!.GetValue<string>());
        Assert.Equal($"Invalid Stripe API version: {version}", error["message"]!.GetValue<string>());
        Assert.False(response.Headers.Contains("Stripe-Version"));
    }

    [Fact]
    public async Task Unknown_sessions_and_routes_get_404_in_Stripes_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.GetAsync("cs_test_missing", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.HttpStatusCode);
        Assert.Equal("resource_missing", missing.StripeError.Code);
        Assert.Equal("No such checkout.session: 'cs_test_missing'", missing.StripeError.Message);

        using var http = Http(sandbox);
        using var route = await http.GetAsync("/v1/nothing/here/at/all", Ct);
        Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        Assert.Equal("invalid_request_error", JsonNode.Parse(await route.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_idempotency_key_replays_and_different_params_are_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = Http(sandbox);
        const string form = "mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=2";

        async Task<HttpResponseMessage> PostAsync(string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/checkout/sessions")
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
            };
            request.Headers.Add("Idempotency-Key", "order-7");
            return await http.SendAsync(request, Ct);
        }

        using var first = await PostAsync(form);
        using var replay = await PostAsync(form);
        using var other = await PostAsync(form.Replace("quantity]=2", "quantity]=3", StringComparison.Ordinal));

        var firstBody = await first.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync(Ct));
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Equal("idempotency_error", JsonNode.Parse(await other.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!.GetValue<string>());
        Assert.Single(await sandbox.GetArrayAsync("/control/payments?provider=stripe"));
    }

    [Fact]
    public async Task Sessions_list_newest_first_with_paging_and_line_items_and_expand()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await stripe.V1.Checkout.Sessions.CreateAsync(StripeNetRoundTripTests.NewPaymentSession(), cancellationToken: Ct)).Id);
        }

        var page = await stripe.V1.Checkout.Sessions.ListAsync(new SessionListOptions { Limit = 2 }, cancellationToken: Ct);
        Assert.Equal([ids[2], ids[1]], page.Data.Select(s => s.Id));
        Assert.True(page.HasMore);
        var next = await stripe.V1.Checkout.Sessions.ListAsync(new SessionListOptions { Limit = 2, StartingAfter = ids[1] }, cancellationToken: Ct);
        Assert.Equal([ids[0]], next.Data.Select(s => s.Id));

        var expanded = await stripe.V1.Checkout.Sessions.GetAsync(ids[0], new SessionGetOptions { Expand = ["line_items"] }, cancellationToken: Ct);
        var item = Assert.Single(expanded.LineItems.Data);
        Assert.Equal("price_HarnessCredits", item.Price.Id);
        Assert.Equal(100, item.AmountTotal);

        // An expand entry sent as an object names no field; it is passed over, as unknown names are.
        using var http = Http(sandbox);
        using var odd = await http.GetAsync($"/v1/checkout/sessions/{ids[0]}?expand[0][x]=1&expand[1]=line_items", Ct);
        Assert.Equal(HttpStatusCode.OK, odd.StatusCode);
        Assert.Single(JsonNode.Parse(await odd.Content.ReadAsStringAsync(Ct))!["line_items"]!["data"]!.AsArray());
    }
}
