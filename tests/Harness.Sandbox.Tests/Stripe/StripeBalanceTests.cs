using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// The balance and its transactions through Stripe.net: a captured charge less Stripe's fee, pending until two days on
/// the sandbox clock; partial captures; refunds, and a failed one's money coming back; a chargeback's withdrawal and
/// fee; the list's filters, paging and refusals; the charge's and intent's expansions; a restart.
/// </summary>
public sealed class StripeBalanceTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>Noon UTC: charges made now become available at 00:00 UTC two days later.</summary>
    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly DateTime AvailableOn = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    private static StripeClient Client(TestSandbox sandbox) => new(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));

    private static Task<PaymentIntent> PayAsync(StripeClient stripe, string paymentMethod, long amount, string currency = "usd", string? captureMethod = null) =>
        stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = amount, Currency = currency, PaymentMethod = paymentMethod, Confirm = true, CaptureMethod = captureMethod, Description = "Harness coins",
        }, cancellationToken: Ct);

    private static async Task<(long Available, long Pending)> UsdAsync(StripeClient stripe)
    {
        var balance = await stripe.V1.Balance.GetAsync(cancellationToken: Ct);
        Assert.False(balance.Livemode);
        return (balance.Available.Single(a => a.Currency == "usd").Amount, balance.Pending.Single(a => a.Currency == "usd").Amount);
    }

    [Fact]
    public async Task A_charge_records_its_amount_less_the_fee_pending_until_two_days_later()
    {
        await using var sandbox = await TestSandbox.StartAsync(now: Noon);
        var stripe = Client(sandbox);
        Assert.Equal((0L, 0L), await UsdAsync(stripe));

        var intent = await PayAsync(stripe, "pm_card_visa", 2000);
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, new ChargeGetOptions { Expand = ["balance_transaction"] }, cancellationToken: Ct);
        var transaction = charge.BalanceTransaction;
        Assert.StartsWith("txn_", transaction.Id, StringComparison.Ordinal);
        // 2.9 % of 2000 is 58, plus 30.
        Assert.Equal((2000L, 88L, 1912L, "usd"), (transaction.Amount, transaction.Fee, transaction.Net, transaction.Currency));
        Assert.Equal(("charge", "charge", "pending", charge.Id, "Harness coins"),
            (transaction.Type, transaction.ReportingCategory, transaction.Status, transaction.SourceId, transaction.Description));
        Assert.Equal((AvailableOn, Noon.UtcDateTime, "payments"), (transaction.AvailableOn, transaction.Created, transaction.BalanceType));
        var fee = Assert.Single(transaction.FeeDetails);
        Assert.Equal((88L, "stripe_fee", "Stripe processing fees"), (fee.Amount, fee.Type, fee.Description));
        Assert.Equal((0L, 1912L), await UsdAsync(stripe));

        // How a backend reads its fee: the intent with its latest charge's balance transaction.
        var read = await stripe.V1.PaymentIntents.GetAsync(intent.Id, new PaymentIntentGetOptions { Expand = ["latest_charge.balance_transaction"] }, cancellationToken: Ct);
        Assert.Equal(88L, read.LatestCharge.BalanceTransaction.Fee);

        await sandbox.AdvanceAsync(AvailableOn - Noon.UtcDateTime - TimeSpan.FromSeconds(1));
        Assert.Equal((0L, 1912L), await UsdAsync(stripe));
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal((1912L, 0L), await UsdAsync(stripe));
        Assert.Equal("available", (await stripe.V1.BalanceTransactions.GetAsync(transaction.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task A_held_charge_records_nothing_until_it_is_captured_and_then_only_what_was_captured()
    {
        await using var sandbox = await TestSandbox.StartAsync(now: Noon);
        var stripe = Client(sandbox);
        var held = await PayAsync(stripe, "pm_card_visa", 10_000, captureMethod: "manual");
        Assert.Null((await stripe.V1.Charges.GetAsync(held.LatestChargeId, cancellationToken: Ct)).BalanceTransactionId);
        Assert.Empty((await stripe.V1.BalanceTransactions.ListAsync(cancellationToken: Ct)).Data);

        await stripe.V1.PaymentIntents.CaptureAsync(held.Id, new PaymentIntentCaptureOptions { AmountToCapture = 4000 }, cancellationToken: Ct);
        var transaction = Assert.Single((await stripe.V1.BalanceTransactions.ListAsync(cancellationToken: Ct)).Data);
        Assert.Equal((4000L, 146L, 3854L), (transaction.Amount, transaction.Fee, transaction.Net));
        Assert.Equal(transaction.Id, (await stripe.V1.Charges.GetAsync(held.LatestChargeId, cancellationToken: Ct)).BalanceTransactionId);

        // A canceled authorisation never reaches the balance.
        var released = await PayAsync(stripe, "pm_card_visa", 500, captureMethod: "manual");
        await stripe.V1.PaymentIntents.CancelAsync(released.Id, cancellationToken: Ct);
        Assert.Single((await stripe.V1.BalanceTransactions.ListAsync(cancellationToken: Ct)).Data);
        Assert.Equal((0L, 3854L), await UsdAsync(stripe));
    }

    [Fact]
    public async Task A_refund_takes_its_amount_out_at_once_and_a_failed_refund_gives_it_back()
    {
        await using var sandbox = await TestSandbox.StartAsync(now: Noon);
        var stripe = Client(sandbox);
        var intent = await PayAsync(stripe, "pm_card_refundFail", 1000);

        var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 400 }, cancellationToken: Ct);
        var debit = await stripe.V1.BalanceTransactions.GetAsync(refund.BalanceTransactionId, cancellationToken: Ct);
        Assert.Equal((-400L, 0L, -400L, "refund", "refund", "available"), (debit.Amount, debit.Fee, debit.Net, debit.Type, debit.ReportingCategory, debit.Status));
        Assert.Equal((refund.Id, "REFUND FOR CHARGE (Harness coins)"), (debit.SourceId, debit.Description));
        // The refund is deducted now; the charge's money (less its fee, which Stripe keeps) is still pending.
        Assert.Equal((-400L, 1000L - 59L), await UsdAsync(stripe));

        await sandbox.AdvanceAsync(StripeRefunds.SettlementDelay);
        var failed = await stripe.V1.Refunds.GetAsync(refund.Id, new RefundGetOptions { Expand = ["failure_balance_transaction"] }, cancellationToken: Ct);
        Assert.Equal("failed", failed.Status);
        Assert.Equal((400L, "refund_failure", refund.Id), (failed.FailureBalanceTransaction.Amount, failed.FailureBalanceTransaction.Type, failed.FailureBalanceTransaction.SourceId));
        Assert.Equal((0L, 941L), await UsdAsync(stripe));

        var ofRefund = await stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Source = refund.Id }, cancellationToken: Ct);
        Assert.Equal(["refund_failure", "refund"], ofRefund.Data.Select(t => t.Type));
    }

    [Fact]
    public async Task A_chargeback_withdraws_the_amount_and_the_dispute_fee_as_an_adjustment()
    {
        await using var sandbox = await TestSandbox.StartAsync(now: Noon);
        var stripe = Client(sandbox);
        var intent = await PayAsync(stripe, "pm_card_createDispute", 2500);
        var dispute = Assert.Single((await stripe.V1.Disputes.ListAsync(new DisputeListOptions { Charge = intent.LatestChargeId }, cancellationToken: Ct)).Data);

        var adjustments = await stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Type = "adjustment", Expand = ["data.source"] }, cancellationToken: Ct);
        var withdrawal = Assert.Single(adjustments.Data);
        Assert.Equal(Assert.Single(dispute.BalanceTransactions).Id, withdrawal.Id);
        Assert.Equal((-2500L, StripeDisputes.DisputeFee, -2500L - StripeDisputes.DisputeFee, "dispute"),
            (withdrawal.Amount, withdrawal.Fee, withdrawal.Net, withdrawal.ReportingCategory));
        Assert.Equal(dispute.Id, Assert.IsType<Dispute>(withdrawal.Source).Id);
        Assert.Equal((-2500L - StripeDisputes.DisputeFee, 2500L - 103L), await UsdAsync(stripe));
    }

    [Fact]
    public async Task The_list_filters_by_type_source_currency_and_created_and_pages_both_ways()
    {
        await using var sandbox = await TestSandbox.StartAsync(now: Noon);
        var stripe = Client(sandbox);
        var ids = new List<string>();
        foreach (var amount in new long[] { 100, 200, 300 })
        {
            ids.Add((await stripe.V1.Charges.GetAsync((await PayAsync(stripe, "pm_card_visa", amount)).LatestChargeId, cancellationToken: Ct)).BalanceTransactionId);
            await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        }

        var euro = await PayAsync(stripe, "pm_card_visa", 5000, "eur");
        ids.Reverse();

        var usd = await stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Currency = "usd" }, cancellationToken: Ct);
        Assert.Equal(ids, usd.Data.Select(t => t.Id));
        var first = await stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Currency = "usd", Limit = 2 }, cancellationToken: Ct);
        Assert.True(first.HasMore);
        var next = await stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Currency = "usd", StartingAfter = first.Data[^1].Id }, cancellationToken: Ct);
        Assert.Equal(ids[2], Assert.Single(next.Data).Id);
        var back = await stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Currency = "usd", EndingBefore = ids[2], Limit = 1 }, cancellationToken: Ct);
        Assert.Equal((ids[1], true), (Assert.Single(back.Data).Id, back.HasMore));

        var created = await stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions
        {
            Created = new DateRangeOptions { GreaterThan = Noon.UtcDateTime, LessThan = Noon.UtcDateTime.AddMinutes(3) },
        }, cancellationToken: Ct);
        Assert.Equal(ids[..2], created.Data.Select(t => t.Id));
        Assert.Equal(euro.LatestChargeId, Assert.Single((await stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Currency = "eur" }, cancellationToken: Ct)).Data).SourceId);
        Assert.Empty((await stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Type = "refund" }, cancellationToken: Ct)).Data);

        var balance = await stripe.V1.Balance.GetAsync(cancellationToken: Ct);
        Assert.Equal(["eur", "usd"], balance.Pending.Select(p => p.Currency));
        Assert.Equal(5000L - 175L, balance.Pending[0].Amount);
        Assert.Equal(5000L - 175L, balance.Pending[0].SourceTypes["card"]);
    }

    [Fact]
    public async Task Unknown_transactions_payouts_and_unknown_parameters_are_refused_in_stripes_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync(now: Noon);
        var stripe = Client(sandbox);

        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.BalanceTransactions.GetAsync("txn_nope", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing", "No such balance transaction: 'txn_nope'"), (missing.HttpStatusCode, missing.StripeError.Code, missing.StripeError.Message));
        var payout = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Payout = "po_1" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "payout"), (payout.HttpStatusCode, payout.StripeError.Param));
        Assert.Contains("not simulated", payout.StripeError.Message, StringComparison.Ordinal);
        var limit = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Limit = 101 }, cancellationToken: Ct));
        Assert.Equal("limit", limit.StripeError.Param);

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", StripeProvider.SecretKey);
        using var unknown = await http.GetAsync($"{sandbox.BaseUrl("stripe")}/v1/balance?currency=usd", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Received unknown parameter: currency", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transactions_and_the_balance_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        string transactionId;
        await using (var first = await TestSandbox.StartAsync(now: Noon, configure: o => o.DataDirectory = data))
        {
            var stripe = Client(first);
            var intent = await PayAsync(stripe, "pm_card_visa", 2000);
            transactionId = (await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).BalanceTransactionId;
        }

        await using var second = await TestSandbox.StartAsync(now: Noon.AddDays(3), configure: o => o.DataDirectory = data);
        var again = Client(second);
        Assert.Equal(("available", 1912L), ((await again.V1.BalanceTransactions.GetAsync(transactionId, cancellationToken: Ct)).Status, (await again.V1.BalanceTransactions.GetAsync(transactionId, cancellationToken: Ct)).Net));
        Assert.Equal((1912L, 0L), await UsdAsync(again));
    }
}
