using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Creem.CreemRecurringTests;

namespace Harness.Sandbox.Tests.Creem;

/// <summary>
/// Creem trials: a product's <c>trial_period_days</c>, a checkout that starts a trialing subscription without a
/// charge, the first charge at the trial's end on the sandbox clock (or the failure path when it declines), a trial
/// canceled before it charged anything, and a trial that outlives a restart.
/// </summary>
public sealed class CreemTrialTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_official_creem_SDK_starts_a_trial_for_seats_converts_it_and_changes_seats_unmodified()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await CreemTests.RunSdkAsync(sandbox, "creem-trials.mjs");

        Assert.True(run.ExitCode == 0, run.Errors + run.Output);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal(14, result["trialPeriodDays"]!.GetValue<int>());
        Assert.Equal(["checkout.completed:completed", "subscription.trialing:trialing"], Strings(result["started"]));
        Assert.Equal(0, result["orderAmount"]!.GetValue<int>());
        Assert.Equal(14, result["trialDays"]!.GetValue<double>());
        Assert.Equal((5, "trialing"), (result["duringTrialUnits"]!.GetValue<int>(), result["duringTrialStatus"]!.GetValue<string>()));
        Assert.Equal(["subscription.update:trialing"], Strings(result["trialUpdate"]));
        Assert.Equal(["subscription.active:active", "subscription.paid:active"], Strings(result["converted"]));
        Assert.Equal(5000, result["firstCharge"]!.GetValue<int>());
        Assert.Equal(6, result["addedUnits"]!.GetValue<int>());
        Assert.Equal(["subscription.update:active", "subscription.paid:active"], Strings(result["addedEvents"]));
        Assert.Equal(1000, result["addedCharge"]!.GetValue<int>());
        Assert.Equal(2, result["removedUnits"]!.GetValue<int>());
        Assert.Equal(["subscription.update:active"], Strings(result["removedEvents"]));
        Assert.Equal(2000, result["renewalAmount"]!.GetValue<int>());
        Assert.Equal("canceled", result["canceledStatus"]!.GetValue<string>());
        Assert.Equal(["subscription.canceled:canceled"], Strings(result["canceledEvents"]));
        Assert.Equal(0, result["canceledTrialCharges"]!.GetValue<int>());
        Assert.Equal(0, result["pending"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_trial_charges_nothing_at_checkout_and_its_end_on_the_clock_is_the_first_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var product = await CreateTrialProductAsync(sandbox, 7);
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = product, units = 2, customer = new { email = "trial@example.com" } });
        var checkoutId = checkout["id"]!.GetValue<string>();
        Assert.Equal(0, (await sandbox.GetJsonAsync($"/control/payments/{checkoutId}"))["amount"]!.GetValue<int>());

        await sandbox.ActAsync(checkoutId, "pay");
        await WaitForAsync(receiver, 2);
        var completed = JsonNode.Parse(receiver.All[0].Body)!["object"]!;
        Assert.Equal((0, (string?)null), (completed["order"]!["amount"]!.GetValue<int>(), completed["order"]!["transaction"]?.GetValue<string>()));
        var trialing = JsonNode.Parse(receiver.All[1].Body)!;
        Assert.Equal("subscription.trialing", trialing["eventType"]!.GetValue<string>());
        var id = trialing["object"]!["id"]!.GetValue<string>();
        var subscription = await GetAsync(sandbox, id);
        Assert.Equal("trialing", subscription["status"]!.GetValue<string>());
        Assert.Equal("2026-03-01T12:00:00.000Z", subscription["current_period_start_date"]!.GetValue<string>());
        Assert.Equal("2026-03-08T12:00:00.000Z", subscription["current_period_end_date"]!.GetValue<string>());
        Assert.Equal("2026-03-08T12:00:00.000Z", subscription["next_transaction_date"]!.GetValue<string>());
        Assert.Null(subscription["last_transaction"]);

        // A day before the end nothing happens; at the end the card is charged price × units and the month starts.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(6));
        Assert.Equal(2, receiver.All.Count);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        await WaitForAsync(receiver, 4);
        Assert.Equal(["subscription.active", "subscription.paid"], receiver.All.Skip(2).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));
        var active = await GetAsync(sandbox, id);
        Assert.Equal("active", active["status"]!.GetValue<string>());
        Assert.Equal(2 * 1500, active["last_transaction"]!["amount"]!.GetValue<long>());
        Assert.Equal("2026-03-08T12:00:00.000Z", active["current_period_start_date"]!.GetValue<string>());
        Assert.Equal("2026-04-08T12:00:00.000Z", active["current_period_end_date"]!.GetValue<string>());

        // The next renewal is a month later, as for any subscription.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(31));
        await WaitForAsync(receiver, 5);
        Assert.Equal("2026-05-08T12:00:00.000Z", (await GetAsync(sandbox, id))["current_period_end_date"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_once_discount_redeemed_on_a_trial_comes_off_its_first_charge_only()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var product = await CreateTrialProductAsync(sandbox, 7);
        using var http = CreemTests.Client(sandbox);
        using (var discount = await http.PostAsJsonAsync(
            "/v1/discounts", new { name = "Half", code = "HALF", type = "percentage", percentage = 50, duration = "once", applies_to_products = new[] { product } }, Ct))
        {
            Assert.True(discount.IsSuccessStatusCode, await discount.Content.ReadAsStringAsync(Ct));
        }

        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = product, discount_code = "HALF" });
        Assert.Equal(0, (await sandbox.GetJsonAsync($"/control/payments/{checkout["id"]!.GetValue<string>()}"))["amount"]!.GetValue<int>());
        await sandbox.ActAsync(checkout["id"]!.GetValue<string>(), "pay");
        await WaitForAsync(receiver, 2);
        var id = JsonNode.Parse(receiver.All[^1].Body)!["object"]!["id"]!.GetValue<string>();

        await sandbox.AdvanceAsync(TimeSpan.FromDays(7));
        var first = (await GetAsync(sandbox, id))["last_transaction"]!;
        Assert.Equal((750, 750), (first["amount"]!.GetValue<int>(), first["discount_amount"]!.GetValue<int>()));
        await sandbox.AdvanceAsync(TimeSpan.FromDays(31));
        Assert.Equal(1500, (await GetAsync(sandbox, id))["last_transaction"]!["amount"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_declined_charge_at_the_trials_end_follows_the_failure_path()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await DeclinedAtTrialEndAsync(sandbox, receiver);
        var pastDue = await GetAsync(sandbox, id);
        Assert.Equal("past_due", pastDue["status"]!.GetValue<string>());
        Assert.Equal("2026-03-01T12:00:00.000Z", pastDue["current_period_start_date"]!.GetValue<string>());
        Assert.Equal("2026-03-11T12:00:00.000Z", pastDue["next_transaction_date"]!.GetValue<string>());

        // Every retry declines: expired, then canceled, and no charge was ever made.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(3 + 5 + 7));
        await WaitForAsync(receiver, 5);
        Assert.Equal(
            ["subscription.trialing", "subscription.past_due", "subscription.expired", "subscription.canceled"],
            receiver.All.Skip(1).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));
        Assert.Null((await GetAsync(sandbox, id))["last_transaction"]);
    }

    [Fact]
    public async Task A_retry_that_pays_after_a_declined_trial_end_activates_the_subscription()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await DeclinedAtTrialEndAsync(sandbox, receiver);

        // The first retry (day 3) pays: the subscription was never active, so it becomes active as well as paid.
        await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { fail = false });
        await sandbox.AdvanceAsync(TimeSpan.FromDays(3));
        await WaitForAsync(receiver, 5);
        Assert.Equal(
            ["subscription.trialing", "subscription.past_due", "subscription.active", "subscription.paid"],
            receiver.All.Skip(1).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));
        var active = await GetAsync(sandbox, id);
        Assert.Equal("active", active["status"]!.GetValue<string>());
        Assert.NotNull(active["last_transaction"]);

        // Later renewals are ordinary: paid only.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(31));
        await WaitForAsync(receiver, 6);
        Assert.Equal("subscription.paid", JsonNode.Parse(receiver.All[^1].Body)!["eventType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Canceling_during_a_trial_ends_it_without_a_charge_now_or_at_its_end()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var product = await CreateTrialProductAsync(sandbox, 14);
        using var http = CreemTests.Client(sandbox);

        var now = await StartTrialAsync(sandbox, receiver, product);
        using (var canceled = await http.PostAsJsonAsync($"/v1/subscriptions/{now}/cancel", new { mode = "immediate" }, Ct))
        {
            canceled.EnsureSuccessStatusCode();
        }

        // Scheduled: undone by a resume (back to trialing), scheduled again on the customer's portal page, then
        // canceled at the trial's end.
        var later = await StartTrialAsync(sandbox, receiver, product);
        (await http.PostAsJsonAsync($"/v1/subscriptions/{later}/cancel", new { mode = "scheduled" }, Ct)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/v1/subscriptions/{later}/resume", null, Ct)).EnsureSuccessStatusCode();
        Assert.Equal("trialing", (await GetAsync(sandbox, later))["status"]!.GetValue<string>());
        var customer = (await GetAsync(sandbox, later))["customer"]!["id"]!.GetValue<string>();
        using (var billing = await http.PostAsJsonAsync("/v1/customers/billing", new { customer_id = customer }, Ct))
        using (var browser = new HttpClient())
        {
            var link = JsonNode.Parse(await billing.Content.ReadAsStringAsync(Ct))!["customer_portal_link"]!.GetValue<string>();
            Assert.Contains("value=\"cancel\"", await browser.GetStringAsync(link, Ct), StringComparison.Ordinal);
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["subscription_id"] = later, ["action"] = "cancel" });
            (await browser.PostAsync(link, form, Ct)).EnsureSuccessStatusCode();
        }

        await AssertRefusedAsync(await http.PostAsync($"/v1/subscriptions/{later}/pause", null, Ct), 400, "Only an active subscription can be paused");
        await sandbox.AdvanceAsync(TimeSpan.FromDays(14));
        await WaitForAsync(receiver, 9);

        Assert.Equal(
            ["subscription.canceled", "checkout.completed", "subscription.trialing", "subscription.scheduled_cancel", "subscription.update", "subscription.scheduled_cancel", "subscription.canceled"],
            receiver.All.Skip(2).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));
        foreach (var id in new[] { now, later })
        {
            var ended = await GetAsync(sandbox, id);
            Assert.Equal("canceled", ended["status"]!.GetValue<string>());
            Assert.Null(ended["last_transaction"]);
        }

        var charges = JsonNode.Parse(await http.GetStringAsync("/v1/transactions/search", Ct))!;
        Assert.Equal(0, charges["pagination"]!["total_records"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_trial_outlives_a_restart_and_charges_at_its_end_afterwards()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        string id;
        await using (var first = await TestSandbox.StartAsync(Start, configure: o => o.DataDirectory = data))
        {
            await using var receiver = await Receiver.StartAsync();
            await first.SetWebhookUrlAsync("creem", receiver.Url);
            id = await StartTrialAsync(first, receiver, await CreateTrialProductAsync(first, 10));
        }

        await using var second = await TestSandbox.StartAsync(Start.AddDays(9), configure: o => o.DataDirectory = data);
        Assert.Equal("trialing", (await GetAsync(second, id))["status"]!.GetValue<string>());
        await second.AdvanceAsync(TimeSpan.FromDays(1));
        var converted = await GetAsync(second, id);
        Assert.Equal("active", converted["status"]!.GetValue<string>());
        Assert.Equal(1500, converted["last_transaction"]!["amount"]!.GetValue<long>());
        Assert.Equal("2026-03-11T12:00:00.000Z", converted["current_period_start_date"]!.GetValue<string>());
    }

    [Fact]
    public async Task Trial_days_belong_to_recurring_products_and_can_be_removed()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = CreemTests.Client(sandbox);
        var recurring = new { name = "p", description = "d", price = 1000, currency = "USD", billing_type = "recurring", billing_period = "every-month" };

        await AssertRefusedAsync(
            await http.PostAsJsonAsync("/v1/products", new { recurring.name, recurring.description, recurring.price, recurring.currency, recurring.billing_type, recurring.billing_period, trial_period_days = 0 }, Ct),
            400,
            "trial_period_days must be an integer between 1 and 365");
        await AssertRefusedAsync(
            await http.PostAsJsonAsync("/v1/products", new { name = "p", description = "d", price = 1000, currency = "USD", billing_type = "onetime", trial_period_days = 7 }, Ct),
            400,
            "trial_period_days is only supported for recurring products");

        var id = await CreateTrialProductAsync(sandbox, 30);
        Assert.Equal(30, JsonNode.Parse(await http.GetStringAsync($"/v1/products/{id}", Ct))!["trial_period_days"]!.GetValue<int>());
        using (var removed = await http.PatchAsJsonAsync($"/v1/products/{id}", new JsonObject { ["trial_period_days"] = null }, Ct))
        {
            Assert.Null(JsonNode.Parse(await removed.Content.ReadAsStringAsync(Ct))!["trial_period_days"]);
        }

        // Without its trial, a checkout of the product is charged at once.
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = id });
        Assert.Equal(1500, (await sandbox.GetJsonAsync($"/control/payments/{checkout["id"]!.GetValue<string>()}"))["amount"]!.GetValue<int>());

        // Switching a trial product to one-time drops the trial with the period.
        var other = await CreateTrialProductAsync(sandbox, 5);
        using var onetime = await http.PatchAsJsonAsync($"/v1/products/{other}", new { billing_type = "onetime" }, Ct);
        var changed = JsonNode.Parse(await onetime.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(("once", (JsonNode?)null), (changed["billing_period"]!.GetValue<string>(), changed["trial_period_days"]));
    }

    /// <summary>A 7-day trial whose charge at its end declines (end state canceled): the subscription is past_due after the trial's three events.</summary>
    private static async Task<string> DeclinedAtTrialEndAsync(TestSandbox sandbox, Receiver receiver)
    {
        var id = await StartTrialAsync(sandbox, receiver, await CreateTrialProductAsync(sandbox, 7));
        await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { fail = true, end_state = "canceled" });
        await sandbox.AdvanceAsync(TimeSpan.FromDays(7));
        await WaitForAsync(receiver, 3);
        return id;
    }

    /// <summary>A monthly product of 1500 ¢ with a trial of <paramref name="days"/> days; returns its id.</summary>
    internal static async Task<string> CreateTrialProductAsync(TestSandbox sandbox, int days)
    {
        using var http = CreemTests.Client(sandbox);
        using var response = await http.PostAsJsonAsync(
            "/v1/products",
            new { name = "Trial plan", description = "Monthly with a trial", price = 1500, currency = "USD", billing_type = "recurring", billing_period = "every-month", trial_period_days = days },
            Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    /// <summary>Pays a checkout of <paramref name="product"/> and consumes its two webhooks; returns the trialing subscription's id.</summary>
    private static async Task<string> StartTrialAsync(TestSandbox sandbox, Receiver receiver, string product)
    {
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = product, customer = new { email = "trial@example.com" } });
        var before = receiver.All.Count;
        await sandbox.ActAsync(checkout["id"]!.GetValue<string>(), "pay");
        await WaitForAsync(receiver, before + 2);
        return JsonNode.Parse(receiver.All[^1].Body)!["object"]!["id"]!.GetValue<string>();
    }
}
