using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Creem.CreemRecurringTests;

namespace Harness.Sandbox.Tests.Creem;

/// <summary>
/// Creem subscription items: <c>POST /v1/subscriptions/{id}</c> with an entry without an item id adds an item; a
/// renewal bills every item's price × units in one transaction; fewer seats credit the unused part to the next
/// renewal; refusals in Creem's envelope leave the subscription as it was; all of it survives a restart.
/// </summary>
public sealed class CreemSubscriptionItemTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>April has 30 days: 15 days in, half of the period is left.</summary>
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_official_creem_SDK_adds_an_item_lowers_seats_and_renews_both_unmodified()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await CreemTests.RunSdkAsync(sandbox, "creem-items.mjs");

        Assert.True(run.ExitCode == 0, run.Errors + run.Output);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        var (first, addon) = (result["base"]!.GetValue<string>(), result["addon"]!.GetValue<string>());
        Assert.Equal([$"{first}:2", $"{addon}:3"], Strings(result["addedItems"]));
        Assert.Equal($"subscription.update:{first}:2,{addon}:3", result["addedEvent"]!.GetValue<string>());
        Assert.Equal([$"{first}:2", $"{addon}:3"], Strings(result["fetchedItems"]));
        Assert.Equal(["subscription_item:test", "subscription_item:test"], Strings(result["itemObjects"]));
        Assert.Equal([$"{first}:1", $"{addon}:3"], Strings(result["loweredItems"]));
        Assert.Equal($"subscription.update:{first}:1,{addon}:3", result["loweredEvent"]!.GetValue<string>());
        Assert.Equal("subscription.paid", result["renewalEvent"]!.GetValue<string>());
        Assert.Equal(1000 + 1500 - 1000, result["renewalAmount"]!.GetValue<int>());
        Assert.Equal(3, result["transactions"]!.AsArray().Count);
        Assert.StartsWith("400:Subscription item not found", result["unknownItem"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal($"400:items.0.product_id {result["yearly"]} bills every-year; the subscription bills every-month", result["otherPeriod"]!.GetValue<string>());
        Assert.Equal(0, result["pending"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("proration-charge-immediately", 1999, 999 + (2 * 1999))] // 1999 × 2 × 15/30 charged now
    [InlineData("proration-charge", 0, 999 + (2 * 1999) + 1999)]
    [InlineData("proration-none", 0, 999 + (2 * 1999))]
    public async Task An_item_added_halfway_is_prorated_and_each_renewal_bills_every_item_in_one_transaction(string behaviour, long chargedNow, long nextRenewal)
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await CreemSeatsTests.SubscribeAsync(sandbox, receiver, 1);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var updated = await UpdateAsync(sandbox, id, new { items = new[] { new { product_id = CreemProvider.ProMonthlyProduct, units = 2 } }, update_behavior = behaviour });
        Assert.Equal([(CreemProvider.MonthlyProduct, 1), (CreemProvider.ProMonthlyProduct, 2)], Items(updated));
        Assert.NotEqual(updated["items"]![0]!["id"]!.GetValue<string>(), updated["items"]![1]!["id"]!.GetValue<string>());
        Assert.Equal(chargedNow == 0 ? 999 : chargedNow, updated["last_transaction"]!["amount"]!.GetValue<long>());
        string[] expected = chargedNow == 0 ? ["subscription.update"] : ["subscription.update", "subscription.paid"];
        await WaitForAsync(receiver, 3 + expected.Length);
        Assert.Equal(expected, receiver.All.Skip(3).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));
        Assert.Equal(2, JsonNode.Parse(receiver.All[3].Body)!["object"]!["items"]!.AsArray().Count);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        Assert.Equal(nextRenewal, (await GetAsync(sandbox, id))["last_transaction"]!["amount"]!.GetValue<long>());
        await sandbox.AdvanceAsync(TimeSpan.FromDays(31));
        Assert.Equal(999 + (2 * 1999), (await GetAsync(sandbox, id))["last_transaction"]!["amount"]!.GetValue<long>());
        Assert.Equal(chargedNow == 0 ? 3 : 4, await TransactionCountAsync(sandbox));
    }

    [Theory]
    [InlineData("proration-charge-immediately", (3 * 999) - 500)] // 999 × 15/30 = 499.5, rounded half up
    [InlineData("proration-charge", (3 * 999) - 500)]
    [InlineData("proration-none", 3 * 999)]
    public async Task A_seat_removed_halfway_credits_its_unused_half_to_the_next_renewal(string behaviour, long nextRenewal)
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await CreemSeatsTests.SubscribeAsync(sandbox, receiver, 4);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var updated = await UpdateAsync(sandbox, id, new { items = new[] { new { product_id = CreemProvider.MonthlyProduct, units = 3 } }, update_behavior = behaviour });
        Assert.Equal(4 * 999, updated["last_transaction"]!["amount"]!.GetValue<long>());
        await WaitForAsync(receiver, 4);
        Assert.Equal("subscription.update", JsonNode.Parse(receiver.All[3].Body)!["eventType"]!.GetValue<string>());

        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        Assert.Equal(nextRenewal, (await GetAsync(sandbox, id))["last_transaction"]!["amount"]!.GetValue<long>());
        await sandbox.AdvanceAsync(TimeSpan.FromDays(31));
        Assert.Equal(3 * 999, (await GetAsync(sandbox, id))["last_transaction"]!["amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_credit_larger_than_a_renewal_makes_it_free_carries_the_rest_and_a_free_renewal_never_declines()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await CreemSeatsTests.SubscribeAsync(sandbox, receiver, 3);

        // The whole period is left: two seats' full price, 1998, is credited against renewals of 999.
        await UpdateAsync(sandbox, id, new { items = new[] { new { units = 1 } } });
        await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { fail = true });
        var amounts = new List<long>();
        for (var month = 0; month < 3; month++)
        {
            await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/renew", new { });
            var subscription = await GetAsync(sandbox, id);
            amounts.Add(subscription["status"]!.GetValue<string>() == "active" ? subscription["last_transaction"]!["amount"]!.GetValue<long>() : -1);
        }

        // 999 − 1998 → 0 (999 carried), 999 − 999 → 0, then 999 that the failing card declines.
        Assert.Equal([0L, 0L, -1L], amounts);
        Assert.Equal("past_due", (await GetAsync(sandbox, id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_item_changes_get_creem_errors_and_change_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await CreemSeatsTests.SubscribeAsync(sandbox, receiver, 1);
        var other = await CreemSeatsTests.SubscribeAsync(sandbox, receiver, 1);
        var otherItem = (await GetAsync(sandbox, other))["items"]![0]!["id"]!.GetValue<string>();
        await UpdateAsync(sandbox, id, new { items = new[] { new { product_id = CreemProvider.ProMonthlyProduct, units = 2 } }, update_behavior = "proration-none" });
        var euro = await ProductAsync(sandbox, new { name = "Euro", description = "d", price = 500, currency = "EUR", billing_type = "recurring", billing_period = "every-month" });
        var big = await ProductAsync(sandbox, new { name = "Big", description = "d", price = 99_999_000, currency = "USD", billing_type = "recurring", billing_period = "every-month" });
        var archived = await ProductAsync(sandbox, new { name = "Old", description = "d", price = 500, currency = "USD", billing_type = "recurring", billing_period = "every-month" });
        using var http = CreemTests.Client(sandbox);
        (await http.DeleteAsync($"/v1/products/{archived}", Ct)).EnsureSuccessStatusCode();
        var before = receiver.All.Count;

        string[][] refused =
        [
            [$$"""{"items":[{"id":"sitem_missing","units":2}]}""", "400", "Subscription item not found: items.0.id sitem_missing is not an item of this subscription"],
            [$$"""{"items":[{"id":"{{otherItem}}","units":2}]}""", "400", "Subscription item not found"],
            [$$"""{"items":[{"product_id":"{{CreemProvider.YearlyProduct}}","units":1}]}""", "400", "items.0.product_id prod_HarnessYearly bills every-year; the subscription bills every-month"],
            [$$"""{"items":[{"product_id":"{{euro}}","units":1}]}""", "400", $"items.0.product_id {euro} is priced in EUR; the subscription is in USD"],
            [$$"""{"items":[{"product_id":"{{CreemProvider.OneTimeProduct}}","units":1}]}""", "400", "is not an active recurring product"],
            [$$"""{"items":[{"product_id":"{{archived}}","units":1}]}""", "400", "is not an active recurring product"],
            [$$"""{"items":[{"product_id":"prod_missing","units":1}]}""", "404", "Product not found"],
            [$$"""{"items":[{"product_id":"{{euro}}","units":0}]}""", "400", "items.0.units must be a positive integer"],
            [$$"""{"items":[{"product_id":"{{CreemProvider.LicensedMonthlyProduct}}","units":1},{"product_id":"{{CreemProvider.LicensedMonthlyProduct}}","units":2}]}""", "400", "items.1 names the same item or product (prod_HarnessLicensedMonthly) as an earlier entry"],
            [$$"""{"items":[{"units":3},{"product_id":"{{CreemProvider.MonthlyProduct}}","units":2}]}""", "400", "items.0 must name an item by id or product_id: the subscription has 2 items"],
            [$$"""{"items":[{"product_id":"{{CreemProvider.MonthlyProduct}}","units":2},{"product_id":"{{CreemProvider.MonthlyProduct}}","units":3}]}""", "400", "items.1 names the same item or product"],
            [$$"""{"items":[{"id":"{{otherItem}}","product_id":"{{CreemProvider.MonthlyProduct}}","units":2}]}""", "400", "Subscription item not found"],
            [$$"""{"items":[{"product_id":"{{big}}","units":1}]}""", "400", "the subscription amount (price × units) must not be greater than 99999999"],
            [$$"""{"items":[{"units":2,"price_id":"pprice_1"}]}""", "400", "items.0.price_id is not simulated by the sandbox"],
            [$$"""{"items":[{"product_id":"{{euro}}","units":1},null]}""", "400", "each value in items must be an object"],
            [$$"""{"items":[{{string.Join(",", Enumerable.Repeat("""{"units":1}""", 21))}}]}""", "400", "items must contain no more than 20 elements"],
        ];
        foreach (var (body, status, message) in refused.Select(r => (r[0], int.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture), r[2])))
        {
            await AssertRefusedAsync(await http.PostAsync($"/v1/subscriptions/{id}", new StringContent(body, Encoding.UTF8, "application/json"), Ct), status, message);
        }

        // An upgrade may not bring the subscription a product it has as an item, nor split its billing period.
        await AssertRefusedAsync(
            await http.PostAsJsonAsync($"/v1/subscriptions/{id}/upgrade", new { product_id = CreemProvider.ProMonthlyProduct }, Ct), 400, "product_id prod_HarnessProMonthly is already an item of this subscription");
        await AssertRefusedAsync(
            await http.PostAsJsonAsync($"/v1/subscriptions/{id}/upgrade", new { product_id = CreemProvider.YearlyProduct }, Ct), 400, "product_id prod_HarnessYearly bills every-year; the subscription bills every-month");

        var after = await GetAsync(sandbox, id);
        Assert.Equal([(CreemProvider.MonthlyProduct, 1), (CreemProvider.ProMonthlyProduct, 2)], Items(after));
        Assert.Equal(999, after["last_transaction"]!["amount"]!.GetValue<long>());
        Assert.Equal([(CreemProvider.MonthlyProduct, 1)], Items(await GetAsync(sandbox, other)));
        Assert.Equal(before, receiver.All.Count);
    }

    [Fact]
    public async Task Items_and_a_pending_credit_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        string id;
        await using (var first = await TestSandbox.StartAsync(Start, configure: o => o.DataDirectory = data))
        {
            await using var receiver = await Receiver.StartAsync();
            await first.SetWebhookUrlAsync("creem", receiver.Url);
            id = await CreemSeatsTests.SubscribeAsync(first, receiver, 2);
            await first.AdvanceAsync(TimeSpan.FromDays(15));
            await UpdateAsync(first, id, new { items = new[] { new { product_id = CreemProvider.ProMonthlyProduct, units = 1 } }, update_behavior = "proration-none" });
            var item = (await GetAsync(first, id))["items"]![0]!["id"]!.GetValue<string>();
            await UpdateAsync(first, id, new { items = new[] { new { id = item, units = 1 } }, update_behavior = "proration-charge" });
        }

        await using var second = await TestSandbox.StartAsync(Start.AddDays(15), configure: o => o.DataDirectory = data);
        Assert.Equal([(CreemProvider.MonthlyProduct, 1), (CreemProvider.ProMonthlyProduct, 1)], Items(await GetAsync(second, id)));
        await second.AdvanceAsync(TimeSpan.FromDays(15));

        // 999 + 1999, less the unused half of a seat (499.5, rounded half up).
        Assert.Equal(999 + 1999 - 500, (await GetAsync(second, id))["last_transaction"]!["amount"]!.GetValue<long>());
    }

    private static (string, int)[] Items(JsonNode subscription) =>
        [.. subscription["items"]!.AsArray().Select(i => (i!["product_id"]!.GetValue<string>(), i["units"]!.GetValue<int>()))];

    private static async Task<JsonNode> UpdateAsync(TestSandbox sandbox, string id, object body)
    {
        using var http = CreemTests.Client(sandbox);
        using var response = await http.PostAsJsonAsync($"/v1/subscriptions/{id}", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<string> ProductAsync(TestSandbox sandbox, object body)
    {
        using var http = CreemTests.Client(sandbox);
        using var response = await http.PostAsJsonAsync("/v1/products", body, Ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>();
    }

    private static async Task<int> TransactionCountAsync(TestSandbox sandbox)
    {
        using var http = CreemTests.Client(sandbox);
        return JsonNode.Parse(await http.GetStringAsync("/v1/transactions/search", Ct))!["pagination"]!["total_records"]!.GetValue<int>();
    }
}
