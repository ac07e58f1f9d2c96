using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Creem;

/// <summary>
/// Creem recurring billing (issue #27): subscriptions from checkouts renew on the sandbox clock, cancel now or at the
/// period end, pause, resume, upgrade with proration, fail into past_due and their end state, and refunds.
/// </summary>
public sealed class CreemRecurringTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>2026-01-31, so monthly renewals show the calendar: Feb 28, then Mar 31 (the anchor day where it exists).</summary>
    private static readonly DateTimeOffset Start = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_official_creem_SDK_subscribes_renews_twice_and_sees_a_scheduled_cancel_in_order()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await CreemTests.RunSdkAsync(sandbox, "creem-recurring.mjs", ("CREEM_RECURRING_PRODUCT", CreemProvider.MonthlyProduct), ("CREEM_UPGRADE_PRODUCT", CreemProvider.ProMonthlyProduct));

        Assert.True(run.ExitCode == 0, run.Errors + run.Output);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal(["subscription.paid", "subscription.paid", "subscription.scheduled_cancel", "subscription.canceled"], Strings(result["lifecycle"]));
        Assert.Equal(3, Strings(result["periodEnds"]).Distinct().Count());
        Assert.Equal(3, result["charged"]!.GetValue<int>());
        Assert.Equal(CreemProvider.ProMonthlyProduct, result["upgradedProduct"]!.GetValue<string>());
        Assert.Equal(["subscription.update", "subscription.paid"], Strings(result["upgradeEvents"]));
        Assert.Equal("paused", result["pausedStatus"]!.GetValue<string>());
        Assert.Equal("active", result["resumedStatus"]!.GetValue<string>());
        Assert.Equal(["subscription.paused:paused", "subscription.update:active", "subscription.canceled:canceled"], Strings(result["pauseEvents"]));
        Assert.Equal(["subscription.past_due:past_due", "subscription.expired:past_due", "subscription.canceled:canceled"], Strings(result["dunning"]));
        Assert.Equal("succeeded", result["refundStatus"]!.GetValue<string>());
        Assert.Equal("refund.created", result["refundEvent"]!.GetValue<string>());
        Assert.Equal(999, result["refundAmount"]!.GetValue<int>());
        Assert.Equal("refunded", result["refundedTransactionStatus"]!.GetValue<string>());
        Assert.Equal(0, result["pending"]!.GetValue<int>());
    }

    [Fact]
    public async Task Renewals_follow_the_calendar_from_the_anchor_and_each_is_a_signed_subscription_paid()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver);

        // Moving the clock is enough: the scheduler renews what fell due before the control call answers.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(28));
        await sandbox.AdvanceAsync(TimeSpan.FromDays(31));
        await WaitForAsync(receiver, 5);
        var (first, second) = (receiver.All[3], receiver.All[4]);

        foreach (var hook in new[] { first, second })
        {
            Assert.Equal(ProviderSignatures.Creem(CreemProvider.WebhookSecret, hook.Body), hook.Header("creem-signature"));
            Assert.Equal("subscription.paid", JsonNode.Parse(hook.Body)!["eventType"]!.GetValue<string>());
        }

        var subscription = await GetAsync(sandbox, id);
        Assert.Equal("2026-03-31T12:00:00.000Z", subscription["current_period_start_date"]!.GetValue<string>());
        Assert.Equal("2026-04-30T12:00:00.000Z", subscription["current_period_end_date"]!.GetValue<string>());
        Assert.Equal("2026-02-28T12:00:00.000Z", JsonNode.Parse(first.Body)!["object"]!["current_period_start_date"]!.GetValue<string>());
        var transaction = subscription["last_transaction"]!;
        Assert.Equal("invoice", transaction["type"]!.GetValue<string>());
        Assert.Equal(999, transaction["amount"]!.GetValue<long>());
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), transaction["period_start"]!.GetValue<long>());

        using var http = CreemTests.Client(sandbox);
        var customer = subscription["customer"]!["id"]!.GetValue<string>();
        var search = JsonNode.Parse(await http.GetStringAsync($"/v1/transactions/search?customer_id={customer}&page_size=2", Ct))!;
        Assert.Equal(3, search["pagination"]!["total_records"]!.GetValue<int>());
        Assert.Equal(2, search["pagination"]!["total_pages"]!.GetValue<int>());
        Assert.Equal(2, search["pagination"]!["next_page"]!.GetValue<int>());
        Assert.Equal(2, search["items"]!.AsArray().Count);
    }

    /// <summary>A clock moved months at once (as another provider's control call does) renews every period that fell due, in one run.</summary>
    [Fact]
    public async Task Three_periods_falling_due_at_once_are_renewed_in_one_run()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(95));
        await WaitForAsync(receiver, 6);

        Assert.Equal(3, receiver.All.Skip(3).Count(h => JsonNode.Parse(h.Body)!["eventType"]!.GetValue<string>() == "subscription.paid"));
        var subscription = await GetAsync(sandbox, id);
        Assert.Equal("active", subscription["status"]!.GetValue<string>());
        Assert.Equal("2026-04-30T12:00:00.000Z", subscription["current_period_start_date"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_canceled_subscription_renews_no_more_and_cancelling_again_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver);
        using var http = CreemTests.Client(sandbox);

        using var now = await http.PostAsync($"/v1/subscriptions/{id}/cancel", null, Ct);
        Assert.Equal(HttpStatusCode.OK, now.StatusCode);
        var canceled = JsonNode.Parse(await now.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("canceled", canceled["status"]!.GetValue<string>());
        Assert.Equal("2026-01-31T12:00:00.000Z", canceled["canceled_at"]!.GetValue<string>());
        Assert.Equal("subscription.canceled", await EventTypeAsync(receiver, 3));

        await sandbox.AdvanceAsync(TimeSpan.FromDays(120));
        Assert.Equal(4, receiver.All.Count);
        await AssertRefusedAsync(await http.PostAsync($"/v1/subscriptions/{id}/cancel", null, Ct), 400, "already canceled");
        await AssertRefusedAsync(await http.PostAsync($"/v1/subscriptions/{id}/resume", null, Ct), 400, "can be resumed");
        await AssertRefusedAsync(await http.PostAsync("/v1/subscriptions/sub_missing/pause", null, Ct), 404, "Subscription not found");
        Assert.Equal(400, (int)(await sandbox.Control.PostAsync($"/control/creem/subscriptions/{id}/renew", null, Ct)).StatusCode);
    }

    [Fact]
    public async Task Resuming_before_the_period_end_keeps_the_subscription_and_a_paused_one_restarts_its_period()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver);
        using var http = CreemTests.Client(sandbox);

        (await http.PostAsJsonAsync($"/v1/subscriptions/{id}/cancel", new { mode = "scheduled" }, Ct)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/v1/subscriptions/{id}/resume", null, Ct)).EnsureSuccessStatusCode();
        await sandbox.AdvanceAsync(TimeSpan.FromDays(28));
        await WaitForAsync(receiver, 6);
        Assert.Equal(
            ["subscription.scheduled_cancel", "subscription.update", "subscription.paid"],
            receiver.All.Skip(3).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));

        // Paused for two months: nothing is billed meanwhile, and resuming starts a new period that is charged at once.
        (await http.PostAsync($"/v1/subscriptions/{id}/pause", null, Ct)).EnsureSuccessStatusCode();
        await WaitForAsync(receiver, 7);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(60));
        Assert.Equal(7, receiver.All.Count);
        (await http.PostAsync($"/v1/subscriptions/{id}/resume", null, Ct)).EnsureSuccessStatusCode();
        await sandbox.RunDueAsync();
        await WaitForAsync(receiver, 9);
        var subscription = await GetAsync(sandbox, id);
        Assert.Equal("active", subscription["status"]!.GetValue<string>());
        Assert.Equal("2026-04-29T12:00:00.000Z", subscription["current_period_start_date"]!.GetValue<string>());
        Assert.Equal("2026-05-29T12:00:00.000Z", subscription["current_period_end_date"]!.GetValue<string>());
        Assert.Equal("subscription.paid", JsonNode.Parse(receiver.All[^1].Body)!["eventType"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("proration-charge-immediately", 500, 1999)]
    [InlineData("proration-charge", 0, 1999 + 500)]
    [InlineData("proration-none", 0, 1999)]
    public async Task Upgrading_halfway_prorates_the_difference_as_the_behaviour_says(string behaviour, long chargedNow, long nextRenewal)
    {
        await using var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver);
        using var http = CreemTests.Client(sandbox);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        using var response = await http.PostAsJsonAsync($"/v1/subscriptions/{id}/upgrade", new { product_id = CreemProvider.ProMonthlyProduct, update_behavior = behaviour }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var upgraded = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(CreemProvider.ProMonthlyProduct, upgraded["product"]!["id"]!.GetValue<string>());
        Assert.Equal(chargedNow == 0 ? 999 : chargedNow, upgraded["last_transaction"]!["amount"]!.GetValue<long>());

        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        Assert.Equal(nextRenewal, (await GetAsync(sandbox, id))["last_transaction"]!["amount"]!.GetValue<long>());
        await AssertRefusedAsync(
            await http.PostAsJsonAsync($"/v1/subscriptions/{id}/upgrade", new { product_id = CreemProvider.OneTimeProduct }, Ct), 400, "active recurring product");
        await AssertRefusedAsync(
            await http.PostAsJsonAsync($"/v1/subscriptions/{id}/upgrade", new { product_id = CreemProvider.ProMonthlyProduct }, Ct), 400, "already on this product");
        await AssertRefusedAsync(
            await http.PostAsJsonAsync($"/v1/subscriptions/{id}/upgrade", new { product_id = CreemProvider.YearlyProduct, update_behavior = "later" }, Ct), 400, "update_behavior must be one of");
    }

    [Fact]
    public async Task A_failing_card_retries_on_day_3_8_and_15_and_recovers_when_it_pays_again()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var id = await SubscribeAsync(sandbox, receiver);
        // The control API refuses a body without fail, and an end state Creem does not have.
        using (var missing = await sandbox.Control.PostAsJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            Assert.Contains("fail is required", await missing.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using (var unknown = await sandbox.Control.PostAsJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { fail = true, end_state = "past_due" }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Contains("end_state must be one of canceled, unpaid", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        var failing = await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { fail = true, end_state = "unpaid" });
        Assert.True(failing["failing"]!.GetValue<bool>());

        await sandbox.AdvanceAsync(TimeSpan.FromDays(28));
        var pastDue = await GetAsync(sandbox, id);
        Assert.Equal("past_due", pastDue["status"]!.GetValue<string>());
        Assert.Equal("2026-03-03T12:00:00.000Z", pastDue["next_transaction_date"]!.GetValue<string>());
        var view = await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/renew");
        Assert.Equal("2026-03-08T12:00:00Z", view["next_transaction_date"]!.GetValue<DateTimeOffset>().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));

        // The card works again before the day-8 retry: the subscription is active, its period where it was.
        await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { fail = false });
        await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/renew");
        await WaitForAsync(receiver, 5);
        var recovered = await GetAsync(sandbox, id);
        Assert.Equal("active", recovered["status"]!.GetValue<string>());
        Assert.Equal("2026-02-28T12:00:00.000Z", recovered["current_period_start_date"]!.GetValue<string>());
        Assert.Equal(["subscription.past_due", "subscription.paid"], receiver.All.Skip(3).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));

        // Failing for good with end state unpaid: past_due, then after the last retry expired and unpaid.
        await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { fail = true, end_state = "unpaid" });
        for (var i = 0; i < 4; i++)
        {
            await sandbox.PostJsonAsync($"/control/creem/subscriptions/{id}/renew");
        }

        await WaitForAsync(receiver, 8);
        Assert.Equal(
            ["subscription.past_due", "subscription.expired", "subscription.unpaid"],
            receiver.All.Skip(5).Select(r => JsonNode.Parse(r.Body)!["eventType"]!.GetValue<string>()));
        Assert.Equal("unpaid", (await GetAsync(sandbox, id))["status"]!.GetValue<string>());
        Assert.Equal(400, (int)(await sandbox.Control.PostAsJsonAsync($"/control/creem/subscriptions/{id}/payment-failure", new { fail = true, end_state = "paused" }, Ct)).StatusCode);
        Assert.Equal(404, (int)(await sandbox.Control.PostAsJsonAsync("/control/creem/subscriptions/sub_missing/payment-failure", new { fail = true }, Ct)).StatusCode);
        Assert.Single(await sandbox.GetArrayAsync("/control/creem/subscriptions"));
        var openApi = await sandbox.Control.GetStringAsync("/openapi/v1.json", Ct);
        Assert.Contains("/control/creem/subscriptions/{id}/payment-failure", openApi, StringComparison.Ordinal);
        Assert.Contains("/control/creem/subscriptions/{id}/renew", openApi, StringComparison.Ordinal);
        Assert.Contains("\"/control/creem/subscriptions\"", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_one_time_payment_is_refunded_once_with_refund_created()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.OneTimeProduct });
        await sandbox.ActAsync(checkout["id"]!.GetValue<string>(), "pay");
        await WaitForAsync(receiver, 1);
        var transactionId = JsonNode.Parse(receiver.All[0].Body)!["object"]!["order"]!["transaction"]!.GetValue<string>();
        using var http = CreemTests.Client(sandbox);

        using var refund = await http.PostAsJsonAsync("/v1/refunds", new { transaction_id = transactionId }, Ct);
        Assert.Equal("""{"status":"succeeded"}""", await refund.Content.ReadAsStringAsync(Ct));
        await WaitForAsync(receiver, 2);
        var hook = receiver.All[1];
        Assert.Equal(ProviderSignatures.Creem(CreemProvider.WebhookSecret, hook.Body), hook.Header("creem-signature"));
        var evt = JsonNode.Parse(hook.Body)!;
        Assert.Equal("refund.created", evt["eventType"]!.GetValue<string>());
        Assert.Equal(1000, evt["object"]!["refund_amount"]!.GetValue<long>());
        Assert.Equal("refunded", evt["object"]!["transaction"]!["status"]!.GetValue<string>());
        Assert.True(evt["object"]!["created_at"]!.GetValue<long>() > 1_600_000_000_000, "a refund's created_at is in milliseconds");

        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/refunds", new { transaction_id = transactionId }, Ct), 400, "cannot be refunded");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/refunds", new { transaction_id = "tran_missing" }, Ct), 404, "Transaction not found");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/refunds", new { transaction_id = transactionId, amount = 5 }, Ct), 400, "property amount should not exist");
        await AssertRefusedAsync(await http.PostAsync("/v1/refunds", new StringContent("[]", Encoding.UTF8, "application/json"), Ct), 400, "request body must be a JSON object");
        await AssertRefusedAsync(await http.GetAsync("/v1/subscriptions", Ct), 400, "subscription_id must be a string");
        await AssertRefusedAsync(await http.GetAsync("/v1/transactions/search?page_size=0", Ct), 400, "page_size must be");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/subscriptions/sub_x/cancel", new { mode = "later" }, Ct), 400, "mode must be one of");
        Assert.Equal("refunded", JsonNode.Parse(await http.GetStringAsync($"/v1/transactions?transaction_id={transactionId}", Ct))!["status"]!.GetValue<string>());
    }

    /// <summary>Pays a monthly checkout and consumes its three webhooks; returns the subscription id.</summary>
    private static async Task<string> SubscribeAsync(TestSandbox sandbox, Receiver receiver)
    {
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.MonthlyProduct, customer = new { email = "subscriber@example.com" } });
        var before = receiver.All.Count;
        await sandbox.ActAsync(checkout["id"]!.GetValue<string>(), "pay");
        await WaitForAsync(receiver, before + 3);
        return JsonNode.Parse(receiver.All[^1].Body)!["object"]!["id"]!.GetValue<string>();
    }

    internal static async Task<JsonNode> GetAsync(TestSandbox sandbox, string id)
    {
        using var http = CreemTests.Client(sandbox);
        return JsonNode.Parse(await http.GetStringAsync($"/v1/subscriptions?subscription_id={id}", Ct))!;
    }

    private static async Task<string> EventTypeAsync(Receiver receiver, int index)
    {
        await WaitForAsync(receiver, index + 1);
        return JsonNode.Parse(receiver.All[index].Body)!["eventType"]!.GetValue<string>();
    }

    /// <summary>Waits until <paramref name="count"/> webhooks arrived in all; the tests read them from <see cref="Receiver.All"/>, in order.</summary>
    internal static async Task WaitForAsync(Receiver receiver, int count)
    {
        while (receiver.All.Count < count)
        {
            await receiver.NextAsync();
        }
    }

    internal static async Task AssertRefusedAsync(HttpResponseMessage response, int status, string message)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(status == (int)response.StatusCode, body);
            Assert.Contains(message, body, StringComparison.Ordinal);
        }
    }

    internal static string[] Strings(JsonNode? node) => [.. node!.AsArray().Select(e => e!.GetValue<string>())];
}
