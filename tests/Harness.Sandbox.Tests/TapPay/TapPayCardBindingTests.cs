using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.TapPay;

/// <summary><c>/tpc/card/bind</c> and <c>/tpc/card/remove</c>: a card kept for Pay by Card Token without a charge, and forgotten.</summary>
public sealed class TapPayCardBindingTests
{
    [Fact]
    public async Task A_bound_card_pays_by_token_until_it_is_removed_and_the_binding_charges_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);

        var bound = await tappay.PostAsync("/tpc/card/bind", BindBody(await tappay.PrimeAsync("5555555555554444")));

        Assert.Equal(0, bound.Status());
        Assert.Equal("Success", bound.Msg());
        Assert.Equal("4444", bound["card_info"]!["last_four"]!.GetValue<string>());
        Assert.Equal("TWD", bound.Text("currency"));
        Assert.Equal("", bound.Text("bank_result_code"));
        Assert.Null(bound["rec_trade_id"]);
        Assert.Empty((await tappay.QueryAsync())["trade_records"]!.AsArray()); // the check is reversed: nothing to settle, no record
        var key = bound["card_secret"]!["card_key"]!.GetValue<string>();
        var token = bound["card_secret"]!["card_token"]!.GetValue<string>();

        var charged = await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(key, token, 450));
        Assert.Equal(0, charged.Status());
        Assert.Equal(bound.Text("card_identifier"), charged.Text("card_identifier"));
        Assert.Equal(450, (await tappay.RecordAsync(charged.Text("rec_trade_id")))["amount"]!.GetValue<long>());

        Assert.Equal(121, (await tappay.PostAsync("/tpc/card/remove", RemoveBody(key, token[..^1] + (token[^1] == '0' ? "1" : "0")))).Status());
        var removed = await tappay.PostAsync("/tpc/card/remove", RemoveBody(key, token));
        Assert.Equal((0, "Success"), (removed.Status(), removed.Msg()));

        Assert.Equal(121, (await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(key, token, 450))).Status());
        Assert.Equal(121, (await tappay.PostAsync("/tpc/card/remove", RemoveBody(key, token))).Status());
        Assert.Single((await tappay.QueryAsync())["trade_records"]!.AsArray());
    }

    [Fact]
    public async Task A_card_remembered_by_pay_by_prime_is_removed_the_same_way()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        body["remember"] = true;
        var secret = (await tappay.PayAsync(body))["card_secret"]!;
        var (key, token) = (secret["card_key"]!.GetValue<string>(), secret["card_token"]!.GetValue<string>());

        Assert.Equal(0, (await tappay.PostAsync("/tpc/card/remove", RemoveBody(key, token))).Status());
        Assert.Equal(121, (await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(key, token, 100))).Status());
    }

    [Theory]
    [InlineData("4000000000000002", 10003, "05")]
    [InlineData("4000000000009995", 10003, "51")]
    [InlineData("4000000000003220", 10003, "1A")]
    [InlineData("4000000000000119", 421, "")]
    public async Task A_card_the_bank_refuses_is_not_bound(string card, int status, string bankCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);

        var answer = await tappay.PostAsync("/tpc/card/bind", BindBody(await tappay.PrimeAsync(card)));

        Assert.Equal(status, answer.Status());
        Assert.Equal(bankCode, answer.Text("bank_result_code"));
        Assert.Null(answer["card_secret"]);
    }

    [Theory]
    [InlineData("cardholder", null, 501)]
    [InlineData("prime", null, 503)]
    [InlineData("merchant_id", null, 502)]
    [InlineData("merchant_id", "\"someone_else\"", 61)]
    [InlineData("currency", "\"\"", 504)]
    [InlineData("currency", "\"XYZ\"", 89)]
    [InlineData("cardholder.email", null, 509)]
    [InlineData("prime", "\"gp_test_utigjeyfutj5867uyjhuty47rythfjru485768tigjfheufhtu5i6ojk\"", 121)]
    [InlineData("prime", "\"prime_unknown\"", 121)]
    [InlineData("three_domain_secure", "true", 121)]
    [InlineData("partner_key", null, 506)]
    public async Task A_binding_is_checked_with_TapPays_codes(string field, string? json, int status)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = BindBody(TapPayTestData.DirectPayPrime);
        var (target, name) = field.Contains('.', StringComparison.Ordinal) ? ((JsonObject)body["cardholder"]!, field.Split('.')[1]) : (body, field);
        if (json is null)
        {
            target.Remove(name);
        }
        else
        {
            target[name] = JsonNode.Parse(json);
        }

        var answer = await tappay.PostAsync("/tpc/card/bind", body);

        Assert.Equal(status, answer.Status());
        Assert.Null(answer["card_secret"]);
    }

    [Fact]
    public async Task Removing_needs_both_the_key_and_the_token()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);

        var answer = await tappay.PostAsync("/tpc/card/remove", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["card_key"] = "k" });

        Assert.Equal(121, answer.Status());
        Assert.Equal("Invalid arguments : card_key and card_token are required", answer.Msg());
    }

    private static JsonObject BindBody(string prime) => new()
    {
        ["prime"] = prime,
        ["partner_key"] = TapPayProvider.PartnerKey,
        ["merchant_id"] = TapPayProvider.MerchantId,
        ["currency"] = "TWD",
        ["cardholder"] = new JsonObject { ["phone_number"] = "+886923456789", ["name"] = "王小明", ["email"] = "buyer@example.com" },
    };

    private static JsonObject RemoveBody(string key, string token) => new()
    {
        ["partner_key"] = TapPayProvider.PartnerKey,
        ["card_key"] = key,
        ["card_token"] = token,
    };
}
