using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.TapPay;

public sealed partial class TapPayTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_test_prime_pays_with_TapPays_answer_and_can_be_used_again()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 1500);
        body["order_number"] = "ORDER-1";

        var paid = await tappay.PayAsync(body);

        Assert.Equal(0, paid.Status());
        Assert.Equal("Success", paid.Msg());
        Assert.Matches("^D[0-9]{8}[0-9A-F]{11}$", paid.Text("rec_trade_id"));
        Assert.Equal(1500, paid["amount"]!.GetValue<long>());
        Assert.Equal("TWD", paid.Text("currency"));
        Assert.Equal("ORDER-1", paid.Text("order_number"));
        Assert.NotEmpty(paid.Text("bank_transaction_id"));
        Assert.Matches("^[0-9]{6}$", paid.Text("auth_code"));
        Assert.Equal("4242", paid["card_info"]!["last_four"]!.GetValue<string>());
        Assert.Equal("424242", paid["card_info"]!["bin_code"]!.GetValue<string>());
        Assert.Equal(1, paid["card_info"]!["type"]!.GetValue<int>());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), paid["transaction_time_millis"]!.GetValue<long>());
        Assert.NotNull(paid["bank_transaction_time"]!["start_time_millis"]);
        Assert.Null(paid["card_secret"]);
        Assert.Null(paid["payment_url"]);

        Assert.Equal(0, (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime))).Status());
    }

    [Theory]
    [InlineData("gp_test_" + TapPayTestData.WalletPrimeSuffix)]
    [InlineData(TapPayTestData.GooglePayRealCardPrime)]
    [InlineData("sp_test_" + TapPayTestData.WalletPrimeSuffix)]
    public async Task Each_token_wallet_test_prime_pays_at_once_and_is_not_remembered(string prime)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(prime);
        body["remember"] = true;

        var paid = await tappay.PayAsync(body);

        Assert.Equal(0, paid.Status());
        Assert.Null(paid["payment_url"]);
        Assert.Null(paid["card_secret"]);
        Assert.Equal(1, (await tappay.RecordAsync(paid.Text("rec_trade_id")))["record_status"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_Apple_Pay_test_prime_pays_12_only()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        Assert.Equal(0, (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.ApplePayPrime, 12))).Status());
        Assert.Equal(510, (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.ApplePayPrime, 13))).Status());
    }

    [Theory]
    [InlineData("4242424242424242", 0, "Success", "")]
    [InlineData("5555555555554444", 0, "Success", "")]
    [InlineData("3530111333300000", 0, "Success", "")]
    [InlineData("4000000000000002", 10003, "Card Error", "05")]
    [InlineData("4000000000009995", 10003, "Card Error", "51")]
    [InlineData("4000000000000069", 10003, "Card Error", "54")]
    [InlineData("4000000000003220", 10003, "Card Error", "1A")]
    [InlineData("4000000000000119", 421, "Gateway Timeout", "")]
    public async Task Each_test_card_gives_its_status_message_and_bank_result(string card, int status, string msg, string bankCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);

        var answer = await tappay.PayAsync(TapPayClient.PrimeBody(await tappay.PrimeAsync(card)));

        Assert.Equal(status, answer.Status());
        Assert.Equal(msg, answer.Msg());
        Assert.Equal(bankCode, answer.Text("bank_result_code"));
        Assert.Equal(card[^4..], answer["card_info"]!["last_four"]!.GetValue<string>());
        var record = await tappay.RecordAsync(answer.Text("rec_trade_id"));
        Assert.Equal(status == 0 ? 1 : -1, record["record_status"]!.GetValue<int>());
        Assert.Equal(status == 0, record["is_captured"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_prime_is_single_use_and_expires_after_90_seconds()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var prime = await tappay.PrimeAsync(TapPayTestData.SuccessCard);
        Assert.Equal(0, (await tappay.PayAsync(TapPayClient.PrimeBody(prime))).Status());
        var reused = await tappay.PayAsync(TapPayClient.PrimeBody(prime));
        Assert.Equal(121, reused.Status());
        Assert.Equal(121, (await tappay.PayAsync(TapPayClient.PrimeBody("prime_unknown"))).Status());

        var late = await tappay.PrimeAsync(TapPayTestData.SuccessCard);
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(90));
        var expired = await tappay.PayAsync(TapPayClient.PrimeBody(late));
        Assert.Equal(91, expired.Status());
        Assert.Equal("Prime is expired", expired.Msg());
    }

    [Theory]
    [InlineData("4242424242424241", "12/30")]
    [InlineData("42424242", "12/30")]
    [InlineData("4242424242424242", "13/30")]
    [InlineData("4242424242424242", "10/26")]
    public async Task The_front_end_refuses_a_malformed_or_expired_card_with_41(string card, string expiry)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var answer = await tappay.PostAsync("/sandbox/get-prime", new JsonObject { ["app_id"] = TapPayProvider.AppId, ["card_number"] = card, ["card_expiry"] = expiry, ["card_ccv"] = "123" }, TapPayProvider.AppKey);
        Assert.Equal(41, answer.Status());
        var wrongKey = await tappay.PostAsync("/sandbox/get-prime", new JsonObject { ["app_id"] = TapPayProvider.AppId, ["card_number"] = TapPayTestData.SuccessCard, ["card_expiry"] = "12/30", ["card_ccv"] = "123" }, "nope");
        Assert.Equal(80, wrongKey.Status());
    }

    [Fact]
    public async Task Partner_key_api_key_and_merchant_are_checked_with_TapPays_codes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);

        Assert.Equal(80, (await tappay.PostAsync("/tpc/payment/pay-by-prime", body, apiKey: null)).Status());
        Assert.Equal(80, (await tappay.PostAsync("/tpc/payment/pay-by-prime", body, apiKey: "partner_wrong")).Status());
        var missing = (JsonObject)body.DeepClone();
        missing.Remove("partner_key");
        Assert.Equal(506, (await tappay.PayAsync(missing)).Status());
        var unknown = (JsonObject)body.DeepClone();
        unknown["partner_key"] = "partner_wrong";
        Assert.Equal(81, (await tappay.PayAsync(unknown)).Status());
        var noMerchant = (JsonObject)body.DeepClone();
        noMerchant.Remove("merchant_id");
        Assert.Equal(502, (await tappay.PayAsync(noMerchant)).Status());
        var otherMerchant = (JsonObject)body.DeepClone();
        otherMerchant["merchant_id"] = "Someone_Else";
        Assert.Equal(61, (await tappay.PayAsync(otherMerchant)).Status());
        var otherGroup = (JsonObject)noMerchant.DeepClone();
        otherGroup["merchant_group_id"] = "Someone_Elses_Group";
        Assert.Equal(61, (await tappay.PayAsync(otherGroup)).Status());
        var ourGroupOtherMerchant = (JsonObject)otherMerchant.DeepClone();
        ourGroupOtherMerchant["merchant_group_id"] = TapPayProvider.MerchantGroupId;
        Assert.Equal(61, (await tappay.PayAsync(ourGroupOtherMerchant)).Status());
        Assert.Equal(5, (await tappay.PostRawAsync("/tpc/payment/pay-by-prime", "{\"partner_key\":")).Status());
        Assert.Equal(5, (await tappay.PostRawAsync("/tpc/transaction/query", "[1]")).Status());
        Assert.Equal(506, (await tappay.PostRawAsync("/tpc/transaction/refund", "{}")).Status());
    }

    [Theory]
    [InlineData("cardholder", null, 501)]
    [InlineData("prime", null, 503)]
    [InlineData("cardholder.phone_number", null, 507)]
    [InlineData("cardholder.name", "\"\"", 508)]
    [InlineData("cardholder.email", null, 509)]
    [InlineData("details", null, 505)]
    [InlineData("details", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", 515)]
    [InlineData("amount", null, 510)]
    [InlineData("amount", "0", 510)]
    [InlineData("amount", "-5", 510)]
    [InlineData("amount", "12.5", 510)]
    [InlineData("amount", "\"100\"", 510)]
    [InlineData("amount", "100000000", 510)]
    [InlineData("currency", "\"\"", 504)]
    [InlineData("currency", "\"XYZ\"", 89)]
    [InlineData("order_number", "7", 121)]
    [InlineData("three_domain_secure", "true", 121)]
    public async Task Pay_by_prime_validates_each_field_with_its_status(string field, string? json, int status)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        var (owner, name) = field.Contains('.', StringComparison.Ordinal) ? ((JsonObject)body["cardholder"]!, field[(field.IndexOf('.') + 1)..]) : (body, field);
        if (json is null)
        {
            owner.Remove(name);
        }
        else
        {
            owner[name] = JsonNode.Parse(json);
        }

        var answer = await tappay.PayAsync(body);

        Assert.Equal(status, answer.Status());
        Assert.False(string.IsNullOrEmpty(answer.Msg()));
        Assert.Empty(await TradesAsync(tappay));
    }

    [Fact]
    public async Task A_remembered_card_renews_by_token_and_a_mismatched_token_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(await tappay.PrimeAsync("5555555555554444"), 990);
        body["remember"] = true;
        var first = await tappay.PayAsync(body);
        var secret = first["card_secret"]!.AsObject();
        var key = secret["card_key"]!.GetValue<string>();
        var token = secret["card_token"]!.GetValue<string>();

        var renewal = await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(key, token, 990));

        Assert.Equal(0, renewal.Status());
        Assert.NotEqual(first.Text("rec_trade_id"), renewal.Text("rec_trade_id"));
        Assert.Equal(first.Text("card_identifier"), renewal.Text("card_identifier"));
        Assert.Equal("4444", renewal["card_info"]!["last_four"]!.GetValue<string>());
        Assert.Null(renewal["card_secret"]);
        Assert.Equal(990, (await tappay.RecordAsync(renewal.Text("rec_trade_id")))["amount"]!.GetValue<long>());

        Assert.Equal(121, (await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(key, token[..^1] + (token[^1] == '0' ? "1" : "0"), 990))).Status());
        Assert.Equal(121, (await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody("unknown", token, 990))).Status());
        Assert.Equal(510, (await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(key, token, 0))).Status());
        Assert.Equal(2, (await TradesAsync(tappay)).Count);
    }

    [Fact]
    public async Task Pay_by_card_token_requires_the_currency_that_pay_by_prime_defaults_to_TWD()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 990);
        body.Remove("currency");
        body["remember"] = true;
        var first = await tappay.PayAsync(body);
        Assert.Equal(0, first.Status());
        Assert.Equal("TWD", first.Text("currency"));
        var secret = first["card_secret"]!.AsObject();
        var renewal = TapPayClient.TokenBody(secret["card_key"]!.GetValue<string>(), secret["card_token"]!.GetValue<string>(), 990);
        renewal.Remove("currency");

        var refused = await tappay.PostAsync("/tpc/payment/pay-by-token", renewal);

        Assert.Equal(504, refused.Status());
        Assert.Equal("Missing currency", refused.Msg());
        Assert.Single(await TradesAsync(tappay));
    }

    [Fact]
    public async Task A_declining_remembered_card_declines_its_renewal()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(await tappay.PrimeAsync("4000000000003220"));
        body["remember"] = true;
        body["three_domain_secure"] = true;
        body["result_url"] = new JsonObject { ["frontend_redirect_url"] = "https://merchant.example/done", ["backend_notify_url"] = "https://merchant.example/notify" };
        var secret = (await tappay.PayAsync(body))["card_secret"]!;

        var renewal = await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(secret["card_key"]!.GetValue<string>(), secret["card_token"]!.GetValue<string>(), 100));

        Assert.Equal(10003, renewal.Status());
        Assert.Equal("1A", renewal.Text("bank_result_code"));
    }

    [Fact]
    public async Task The_renewals_fail_card_pays_by_prime_and_declines_every_token_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(await tappay.PrimeAsync("4000000000000341"), 300);
        body["remember"] = true;
        var first = await tappay.PayAsync(body);
        var secret = first["card_secret"]!;

        var renewal = await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(secret["card_key"]!.GetValue<string>(), secret["card_token"]!.GetValue<string>(), 300));
        var again = await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(secret["card_key"]!.GetValue<string>(), secret["card_token"]!.GetValue<string>(), 300));

        Assert.Equal(0, first.Status());
        Assert.Equal((10003, "05"), (renewal.Status(), renewal.Text("bank_result_code")));
        Assert.Equal((10003, "05"), (again.Status(), again.Text("bank_result_code")));
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_answer_in_TapPays_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient();
        using var response = await http.GetAsync(sandbox.BaseUrl("tappay") + "/tpc/payment/pay-by-prime", Ct);
        var body = (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.True((int)response.StatusCode is >= 400 and < 500);
        Assert.IsType<int>(body["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body.Msg()));
    }

    [Fact]
    public async Task A_merchant_group_stands_for_its_merchant_in_payments_and_bindings()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 700);
        body.Remove("merchant_id");
        body["merchant_group_id"] = TapPayProvider.MerchantGroupId;

        var paid = await tappay.PayAsync(body);

        Assert.Equal(0, paid.Status());
        var record = await tappay.RecordAsync(paid.Text("rec_trade_id"));
        Assert.Equal((TapPayProvider.MerchantId, 700L), (record.Text("merchant_id"), record["amount"]!.GetValue<long>()));
        body["merchant_id"] = TapPayProvider.MerchantId;
        Assert.Equal(0, (await tappay.PayAsync(body)).Status());

        var bind = TapPayClient.PrimeBody(await tappay.PrimeAsync("4242424242424242"));
        bind.Remove("merchant_id");
        bind["merchant_group_id"] = TapPayProvider.MerchantGroupId;
        var bound = await tappay.PostAsync("/tpc/card/bind", bind);
        Assert.Equal(0, bound.Status());
        Assert.NotNull(bound["card_secret"]);
    }

    [Fact]
    public async Task The_control_API_publishes_the_credentials()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var providers = await sandbox.GetJsonAsync("/control/providers/tappay");
        var tappay = providers.ToJsonString();
        Assert.Contains(TapPayProvider.PartnerKey, tappay, StringComparison.Ordinal);
        Assert.Contains(TapPayProvider.MerchantId, tappay, StringComparison.Ordinal);
        Assert.Contains(TapPayProvider.MerchantGroupId, tappay, StringComparison.Ordinal);
        Assert.Contains(TapPayProvider.AppKey, tappay, StringComparison.Ordinal);
        Assert.Contains(sandbox.BaseUrl("tappay"), tappay, StringComparison.Ordinal);
    }

    private static async Task<JsonArray> TradesAsync(TapPayClient tappay) => (await tappay.QueryAsync())["trade_records"]!.AsArray();
}
