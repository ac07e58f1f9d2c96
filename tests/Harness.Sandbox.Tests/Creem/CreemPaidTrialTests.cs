using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Creem.CreemRecurringTests;

namespace Harness.Sandbox.Tests.Creem;

/// <summary>
/// Creem's paid trials: a product's <c>trial_price</c>, charged by the checkout to start the trial (per seat), the
/// full price at the trial's end, a declined card refused at the checkout, and the rules the field keeps.
/// </summary>
public sealed class CreemPaidTrialTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_paid_trial_charges_its_price_per_seat_at_checkout_then_the_full_price_at_its_end()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var product = await CreatePaidTrialProductAsync(sandbox, price: 1500, trialPrice: 200);
        using var http = CreemTests.Client(sandbox);
        Assert.Equal(200, JsonNode.Parse(await http.GetStringAsync($"/v1/products/{product}", Ct))!["trial_price"]!.GetValue<int>());

        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = product, units = 2, customer = new { email = "paid-trial@example.com" } });
        var checkoutId = checkout["id"]!.GetValue<string>();
        Assert.Equal(400, (await sandbox.GetJsonAsync($"/control/payments/{checkoutId}"))["amount"]!.GetValue<int>());

        await sandbox.ActAsync(checkoutId, "pay");
        await WaitForAsync(receiver, 3);
        var events = receiver.All.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(["checkout.completed", "subscription.trialing", "subscription.paid"], events.Select(e => e["eventType"]!.GetValue<string>()));
        var order = events[0]["object"]!["order"]!;
        Assert.Equal((400, 400, 0), (order["amount"]!.GetValue<int>(), order["sub_total"]!.GetValue<int>(), order["discount_amount"]!.GetValue<int>()));
        var trialTransaction = order["transaction"]!.GetValue<string>();

        var id = events[1]["object"]!["id"]!.GetValue<string>();
        var trialing = await GetAsync(sandbox, id);
        Assert.Equal("trialing", trialing["status"]!.GetValue<string>());
        var charged = trialing["last_transaction"]!;
        Assert.Equal(trialTransaction, charged["id"]!.GetValue<string>());
        Assert.Equal((400L, "paid", "Trial start"), (charged["amount"]!.GetValue<long>(), charged["status"]!.GetValue<string>(), charged["description"]!.GetValue<string>()));
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), charged["period_end"]!.GetValue<long>());
        Assert.Equal("2026-03-08T12:00:00.000Z", trialing["next_transaction_date"]!.GetValue<string>());

        // The trial's end charges price × seats, as for a free trial.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(7));
        await WaitForAsync(receiver, 5);
        Assert.Equal(["subscription.active", "subscription.paid"], receiver.All.Skip(3).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));
        var active = await GetAsync(sandbox, id);
        Assert.Equal(("active", 3000L), (active["status"]!.GetValue<string>(), active["last_transaction"]!["amount"]!.GetValue<long>()));
        Assert.NotEqual(trialTransaction, active["last_transaction"]!["id"]!.GetValue<string>());

        // Both charges are the subscription's transactions; the trial's can be refunded like any other.
        var customer = active["customer"]!["id"]!.GetValue<string>();
        var listed = JsonNode.Parse(await http.GetStringAsync($"/v1/transactions/search?customer_id={customer}", Ct))!["items"]!.AsArray();
        Assert.Equal([400L, 3000L], listed.Select(t => t!["amount"]!.GetValue<long>()).Order());
        using var refund = await http.PostAsJsonAsync("/v1/refunds", new { transaction_id = trialTransaction }, Ct);
        Assert.True(refund.IsSuccessStatusCode, await refund.Content.ReadAsStringAsync(Ct));
        Assert.Equal(400, JsonNode.Parse(await http.GetStringAsync($"/v1/transactions?transaction_id={trialTransaction}", Ct))!["refunded_amount"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_declined_card_is_refused_by_a_paid_trials_checkout_and_starts_no_subscription()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var product = await CreatePaidTrialProductAsync(sandbox, price: 1500, trialPrice: 100);
        var checkoutId = (await CreemTests.CreateAsync(sandbox, new { product_id = product }))["id"]!.GetValue<string>();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };

        using var declined = await browser.PostAsync($"/pay/{checkoutId}", Card("4000000000000002"), Ct);
        Assert.Contains("Your card was declined.", await declined.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("open", (await sandbox.GetJsonAsync($"/control/payments/{checkoutId}"))["status"]!.GetValue<string>());
        Assert.Empty(await sandbox.GetArrayAsync("/control/creem/subscriptions"));
        Assert.Empty(receiver.All);

        using var paid = await browser.PostAsync($"/pay/{checkoutId}", Card("4242424242424242"), Ct);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal("paid", (await sandbox.GetJsonAsync($"/control/payments/{checkoutId}"))["status"]!.GetValue<string>());
        await WaitForAsync(receiver, 3);
        Assert.Equal("trialing", (await sandbox.GetArrayAsync("/control/creem/subscriptions")).Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_trial_price_needs_a_trial_is_at_least_100_stays_below_the_price_and_goes_with_the_trial()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = CreemTests.Client(sandbox);
        JsonObject Recurring(object? trialDays, object? trialPrice) => new()
        {
            ["name"] = "p", ["description"] = "d", ["price"] = 1000, ["currency"] = "USD", ["billing_type"] = "recurring",
            ["billing_period"] = "every-month", ["trial_period_days"] = JsonValue.Create(trialDays), ["trial_price"] = JsonValue.Create(trialPrice),
        };

        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/products", Recurring(7, 99), Ct), 400, "trial_price must be an integer of at least 100");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/products", Recurring(7, "150"), Ct), 400, "trial_price must be an integer of at least 100");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/products", Recurring(7, 1000), Ct), 400, "trial_price must be lower than price");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/products", Recurring(null, 500), Ct), 400, "trial_price requires trial_period_days");

        // 0 is a free trial, as Creem's SDK documents.
        using (var free = await http.PostAsJsonAsync("/v1/products", Recurring(7, 0), Ct))
        {
            var body = JsonNode.Parse(await free.Content.ReadAsStringAsync(Ct))!;
            Assert.Equal((7, (JsonNode?)null), (body["trial_period_days"]!.GetValue<int>(), body["trial_price"]));
        }

        var id = await CreatePaidTrialProductAsync(sandbox, price: 1000, trialPrice: 500);
        await AssertRefusedAsync(await http.PatchAsJsonAsync($"/v1/products/{id}", new { price = 500 }, Ct), 400, "trial_price must be lower than price");
        Assert.Equal(500, JsonNode.Parse(await http.GetStringAsync($"/v1/products/{id}", Ct))!["trial_price"]!.GetValue<int>());
        using (var lower = await http.PatchAsJsonAsync($"/v1/products/{id}", new { trial_price = 300 }, Ct))
        {
            Assert.Equal(300, JsonNode.Parse(await lower.Content.ReadAsStringAsync(Ct))!["trial_price"]!.GetValue<int>());
        }

        // Removing the trial removes its price: a checkout is then charged the full price at once.
        using (var removed = await http.PatchAsJsonAsync($"/v1/products/{id}", new JsonObject { ["trial_period_days"] = null }, Ct))
        {
            Assert.Null(JsonNode.Parse(await removed.Content.ReadAsStringAsync(Ct))!["trial_price"]);
        }

        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = id });
        Assert.Equal(1000, (await sandbox.GetJsonAsync($"/control/payments/{checkout["id"]!.GetValue<string>()}"))["amount"]!.GetValue<int>());
    }

    private static FormUrlEncodedContent Card(string number) =>
        new([new("action", "pay"), new("card_number", number), new("card_expiry", "12 / 34"), new("card_cvc", "123")]);

    /// <summary>A monthly product of <paramref name="price"/> ¢ with a 7-day trial charged <paramref name="trialPrice"/> ¢; returns its id.</summary>
    private static async Task<string> CreatePaidTrialProductAsync(TestSandbox sandbox, long price, long trialPrice)
    {
        using var http = CreemTests.Client(sandbox);
        using var response = await http.PostAsJsonAsync(
            "/v1/products",
            new { name = "Paid trial plan", description = "Monthly with a paid trial", price, currency = "USD", billing_type = "recurring", billing_period = "every-month", trial_period_days = 7, trial_price = trialPrice },
            Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }
}
