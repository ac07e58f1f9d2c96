using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.TapPay;

/// <summary>
/// Instalments (<c>instalment</c> on Pay by Prime and Pay by Card Token): the bank splits a TWD card charge into monthly
/// payments; the answer and the record say so (<c>pay_by_instalment</c>, <c>instalment_info</c>), and what a bank
/// cannot split is refused with 121 before anything is charged.
/// </summary>
public sealed class TapPayInstalmentTests
{
    [Theory]
    [InlineData(3, 1000, 334, 333)]
    [InlineData(6, 1200, 200, 200)]
    [InlineData(12, 1000, 87, 83)]
    [InlineData(30, 30, 1, 1)]
    public async Task A_card_charge_split_into_instalments_answers_and_records_the_split(long count, long amount, long first, long each)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, amount);
        body["instalment"] = count;

        var answer = await tappay.PayAsync(body);

        Assert.Equal((0, amount), (answer.Status(), answer["amount"]!.GetValue<long>()));
        var split = new JsonObject { ["number_of_instalments"] = count, ["first_payment"] = first, ["each_payment"] = each };
        Assert.Equal(split.ToJsonString(), answer["instalment_info"]!.ToJsonString());
        Assert.Equal(amount, first + (each * (count - 1)));
        var record = await tappay.RecordAsync(answer.Text("rec_trade_id"));
        Assert.True(record["pay_by_instalment"]!.GetValue<bool>());
        Assert.Equal(split.ToJsonString(), record["instalment_info"]!.ToJsonString());
        Assert.Equal(1, record["record_status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_single_payment_says_so_in_its_record_and_carries_no_split()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var zero = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        zero["instalment"] = 0;

        foreach (var body in new[] { TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime), zero })
        {
            var answer = await tappay.PayAsync(body);
            Assert.False(answer.ContainsKey("instalment_info"));
            var record = await tappay.RecordAsync(answer.Text("rec_trade_id"));
            Assert.False(record["pay_by_instalment"]!.GetValue<bool>());
            Assert.False(record.ContainsKey("instalment_info"));
        }
    }

    [Fact]
    public async Task A_remembered_card_renews_in_instalments_too()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var first = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        first["remember"] = true;
        var secret = (JsonObject)(await tappay.PayAsync(first))["card_secret"]!;
        var renewal = TapPayClient.TokenBody(secret.Text("card_key"), secret.Text("card_token"), 2400);
        renewal["instalment"] = 24;

        var answer = await tappay.PostAsync("/tpc/payment/pay-by-token", renewal);

        Assert.Equal(0, answer.Status());
        Assert.Equal((24L, 100L, 100L), (answer["instalment_info"]!["number_of_instalments"]!.GetValue<long>(), answer["instalment_info"]!["first_payment"]!.GetValue<long>(), answer["instalment_info"]!["each_payment"]!.GetValue<long>()));
    }

    public static TheoryData<string, JsonNode?, string?, long, string> Refusals => new()
    {
        { TapPayTestData.DirectPayPrime, 5, null, 1000, "instalment must be one of 0, 3, 6, 12, 18, 24, 30" },
        { TapPayTestData.DirectPayPrime, -3, null, 1000, "instalment must be one of" },
        { TapPayTestData.DirectPayPrime, "3", null, 1000, "instalment must be one of" },
        { TapPayTestData.DirectPayPrime, 3.5, null, 1000, "instalment must be one of" },
        { TapPayTestData.DirectPayPrime, 3, "USD", 1000, "instalment is available in TWD only" },
        { TapPayTestData.DirectPayPrime, 12, null, 11, "more payments than the amount has dollars" },
        { "ln_test_" + TapPayTestData.WalletPrimeSuffix, 3, null, 1000, "instalment is not available with LINE Pay" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task What_a_bank_cannot_split_is_refused_with_121_and_charges_nothing(string prime, JsonNode? instalment, string? currency, long amount, string reason)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(prime, amount);
        body["instalment"] = instalment?.DeepClone();
        body["currency"] = currency ?? "TWD";
        body["result_url"] = new JsonObject { ["frontend_redirect_url"] = "https://merchant.example/done", ["backend_notify_url"] = "https://merchant.example/notify" };

        var answer = await tappay.PayAsync(body);

        Assert.Equal(TapPayStatus.InvalidArguments, answer.Status());
        Assert.Contains(reason, answer.Msg(), StringComparison.Ordinal);
        Assert.Equal(2, (await tappay.QueryAsync())["status"]!.GetValue<int>());
    }
}
