using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Creem.CreemRecurringTests;

namespace Harness.Sandbox.Tests.Creem;

/// <summary>
/// Creem seats: <c>units</c> on a checkout bill price × units at once and on every renewal, and
/// <c>POST /v1/subscriptions/{id}</c> changes them with <c>subscription.update</c>, prorating an increase as
/// <c>update_behavior</c> says (decreases and added items: CreemSubscriptionItemTests).
/// </summary>
public sealed class CreemSeatsTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>April has 30 days: 15 days in, half of the period is left.</summary>
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_checkout_for_three_seats_charges_price_times_units_now_and_at_each_renewal()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver, 3);
        var subscription = await GetAsync(sandbox, id);
        Assert.Equal(3, subscription["items"]![0]!["units"]!.GetValue<int>());
        Assert.Equal(3 * 999, subscription["last_transaction"]!["amount"]!.GetValue<long>());

        await sandbox.AdvanceAsync(TimeSpan.FromDays(30));
        await WaitForAsync(receiver, 4);
        Assert.Equal(3 * 999, JsonNode.Parse(receiver.All[^1].Body)!["object"]!["last_transaction"]!["amount"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("proration-charge-immediately", 3, 999, 3 * 999)]
    [InlineData("proration-charge", 3, 0, (3 * 999) + 999)]
    [InlineData("proration-none", 3, 0, 3 * 999)]
    [InlineData("proration-charge-immediately", 2, 500, 2 * 999)] // 999 × 15/30 = 499.5, rounded half up
    public async Task More_seats_halfway_are_prorated_as_the_behaviour_says(string behaviour, int units, long chargedNow, long nextRenewal)
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver, 1);
        var item = (await GetAsync(sandbox, id))["items"]![0]!["id"]!.GetValue<string>();
        using var http = CreemTests.Client(sandbox);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        using var response = await http.PostAsJsonAsync($"/v1/subscriptions/{id}", new { items = new[] { new { id = item, units } }, update_behavior = behaviour }, Ct);
        var updated = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(units, updated["items"]![0]!["units"]!.GetValue<int>());
        Assert.Equal(chargedNow == 0 ? 999 : chargedNow, updated["last_transaction"]!["amount"]!.GetValue<long>());
        var expected = chargedNow == 0 ? new[] { "subscription.update" } : ["subscription.update", "subscription.paid"];
        await WaitForAsync(receiver, 3 + expected.Length);
        Assert.Equal(expected, receiver.All.Skip(3).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));
        Assert.Equal(units, JsonNode.Parse(receiver.All[3].Body)!["object"]!["items"]![0]!["units"]!.GetValue<int>());

        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        Assert.Equal(nextRenewal, (await GetAsync(sandbox, id))["last_transaction"]!["amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Fewer_seats_with_proration_none_credit_nothing_and_the_next_renewal_charges_the_new_count()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver, 4);
        using var http = CreemTests.Client(sandbox);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(10));

        // Named by the item's product instead of its id; with proration (CreemSubscriptionItemTests) the unused part would be credited.
        using (var response = await http.PostAsJsonAsync($"/v1/subscriptions/{id}", new { items = new[] { new { product_id = CreemProvider.MonthlyProduct, units = 1 } }, update_behavior = "proration-none" }, Ct))
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        await sandbox.AdvanceAsync(TimeSpan.FromDays(20));
        await WaitForAsync(receiver, 5);
        Assert.Equal(["subscription.update", "subscription.paid"], receiver.All.Skip(3).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));
        Assert.Equal(999, (await GetAsync(sandbox, id))["last_transaction"]!["amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_declined_immediate_charge_leaves_the_seats_as_they_were()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver, 1);
        await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { fail = true });
        using var http = CreemTests.Client(sandbox);

        await AssertRefusedAsync(
            await http.PostAsJsonAsync($"/v1/subscriptions/{id}", new { items = new[] { new { units = 5 } }, update_behavior = "proration-charge-immediately" }, Ct),
            400,
            "The card was declined; the subscription was not changed");
        Assert.Equal(1, (await GetAsync(sandbox, id))["items"]![0]!["units"]!.GetValue<int>());
        Assert.Equal(3, receiver.All.Count);
    }

    [Theory]
    [InlineData("""{"items":[]}""", 400, "items must be a non-empty array")]
    [InlineData("""{"items":[{"units":0}]}""", 400, "items.0.units must be a positive integer")]
    [InlineData("""{"items":[{"units":"2"}]}""", 400, "items.0.units must be a positive integer")]
    [InlineData("""{"items":[{"units":1001}]}""", 400, "items.0.units must not be greater than 1000")]
    [InlineData("""{"items":[{"units":2,"price_id":"pprice_1"}]}""", 400, "items.0.price_id is not simulated by the sandbox")]
    [InlineData("""{"items":[{"units":2,"seats":2}]}""", 400, "items.0.property seats should not exist")]
    [InlineData("""{"items":[{"units":2},{"units":3}]}""", 400, "items.1 names the same item or product")]
    [InlineData("""{"items":[{"id":"sitem_other","units":2}]}""", 400, "Subscription item not found")]
    [InlineData("""{"items":[{"product_id":"prod_HarnessYearly","units":2}]}""", 400, "bills every-year; the subscription bills every-month")]
    [InlineData("""{"items":[{"units":2}],"update_behavior":"later"}""", 400, "update_behavior must be one of the following values")]
    [InlineData("""{"items":[{"units":2}],"quantity":2}""", 400, "property quantity should not exist")]
    [InlineData("""[1]""", 400, "request body must be a JSON object")]
    public async Task Bad_seat_updates_get_creem_errors(string body, int status, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver, 1);
        using var http = CreemTests.Client(sandbox);

        await AssertRefusedAsync(await http.PostAsync($"/v1/subscriptions/{id}", new StringContent(body, Encoding.UTF8, "application/json"), Ct), status, message);
        Assert.Equal(1, (await GetAsync(sandbox, id))["items"]![0]!["units"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_or_ended_subscription_and_an_amount_past_the_maximum_are_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver, 1);
        using var http = CreemTests.Client(sandbox);

        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/subscriptions/sub_missing", new { items = new[] { new { units = 2 } } }, Ct), 404, "Subscription not found");
        using (var plan = await http.PostAsJsonAsync("/v1/products", new { name = "Big", description = "d", price = 99_999_999, currency = "USD", billing_type = "recurring", billing_period = "every-year" }, Ct))
        {
            var big = JsonNode.Parse(await plan.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>();
            var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = big });
            await sandbox.ActAsync(checkout["id"]!.GetValue<string>(), "pay");
            await WaitForAsync(receiver, 6);
            var bigId = JsonNode.Parse(receiver.All[^1].Body)!["object"]!["id"]!.GetValue<string>();
            await AssertRefusedAsync(
                await http.PostAsJsonAsync($"/v1/subscriptions/{bigId}", new { items = new[] { new { units = 2 } } }, Ct), 400, "must not be greater than 99999999");
        }

        (await http.PostAsJsonAsync($"/v1/subscriptions/{id}/cancel", new { mode = "immediate" }, Ct)).EnsureSuccessStatusCode();
        await AssertRefusedAsync(
            await http.PostAsJsonAsync($"/v1/subscriptions/{id}", new { items = new[] { new { units = 2 } } }, Ct), 400, "Only an active or trialing subscription can be updated; this one is canceled");
    }

    /// <summary>Pays a monthly checkout for <paramref name="units"/> seats and consumes its three webhooks; returns the subscription id.</summary>
    internal static async Task<string> SubscribeAsync(TestSandbox sandbox, Receiver receiver, int units)
    {
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.MonthlyProduct, units, customer = new { email = "seats@example.com" } });
        var before = receiver.All.Count;
        await sandbox.ActAsync(checkout["id"]!.GetValue<string>(), "pay");
        await WaitForAsync(receiver, before + 3);
        return JsonNode.Parse(receiver.All[^1].Body)!["object"]!["id"]!.GetValue<string>();
    }
}
