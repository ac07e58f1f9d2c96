using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.Tests.TapPay;

namespace Harness.Sandbox.Tests.Common;

/// <summary>Hostile fields behind TapPay's valid credentials: its routes answer them with a 200 in its shape.</summary>
public sealed partial class HostileInputTests
{
    /// <summary>
    /// TapPay checks the partner first, so the route-wide fuzz mostly meets status 506. Here every field of a valid
    /// request of each TapPay route is replaced, one by one and then at random, by hostile JSON values: the answer is
    /// always HTTP 200 with TapPay's <c>{status,msg}</c>, never a 5xx.
    /// </summary>
    [Fact]
    public async Task TapPay_answers_hostile_fields_behind_valid_credentials_with_a_200_in_its_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var paid = await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime));
        var recTradeId = paid["rec_trade_id"]!.GetValue<string>();
        var remembered = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        remembered["remember"] = true;
        var secret = (await tappay.PayAsync(remembered))["card_secret"]!;
        var refundId = (await tappay.RefundAsync(recTradeId, 1))["refund_id"]!.GetValue<string>();
        string[] hostile =
        [
            "null", "true", "0", "-1", "1.5", "1e400", "-1e400", "9223372036854775807", "-9223372036854775808", "99999999999999999999",
            "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"" + new string('x', 5000) + "\"", "[]", "[1,{}]", "{}", "{\"a\":{\"b\":[]}}",
            new string('[', 30) + new string(']', 30),
        ];
        var threeDs = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        threeDs["three_domain_secure"] = true;
        threeDs["result_url"] = new JsonObject { ["frontend_redirect_url"] = "https://merchant.example/done", ["backend_notify_url"] = "https://merchant.example/notify" };
        threeDs["order_number"] = "o";
        threeDs["bank_transaction_id"] = "b";
        threeDs["delay_capture_in_days"] = 1;
        var templates = new (string Path, JsonObject Body)[]
        {
            ("/tpc/payment/pay-by-prime", threeDs),
            ("/tpc/payment/pay-by-token", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["merchant_id"] = TapPayProvider.MerchantId, ["card_key"] = secret["card_key"]!.DeepClone(), ["card_token"] = secret["card_token"]!.DeepClone(), ["amount"] = 5, ["currency"] = "TWD", ["details"] = "d" }),
            ("/tpc/transaction/query", new JsonObject
            {
                ["partner_key"] = TapPayProvider.PartnerKey, ["records_per_page"] = 10, ["page"] = 0,
                ["filters"] = new JsonObject { ["time"] = new JsonObject { ["start_time"] = 0, ["end_time"] = 1 }, ["amount"] = new JsonObject { ["upper_limit"] = 9, ["lower_limit"] = 1 }, ["record_status"] = 1, ["merchant_id"] = new JsonArray("m"), ["cardholder"] = new JsonObject { ["name"] = "n" }, ["currency"] = "TWD" },
                ["order_by"] = new JsonObject { ["attribute"] = "amount", ["is_descending"] = true },
            }),
            ("/tpc/transaction/trade-history", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = recTradeId }),
            ("/tpc/transaction/refund", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = recTradeId, ["amount"] = 1 }),
            ("/tpc/transaction/cap", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = recTradeId }),
            ("/tpc/transaction/refund/cancel", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = recTradeId, ["refund_id"] = refundId }),
            ("/tpc/transaction/cap/cancel", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = recTradeId }),
            ("/tpc/card/metadata", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["card_key"] = secret["card_key"]!.DeepClone(), ["card_token"] = secret["card_token"]!.DeepClone() }),
            ("/tpc/card/bind", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["merchant_id"] = TapPayProvider.MerchantId, ["prime"] = TapPayTestData.DirectPayPrime, ["currency"] = "TWD", ["cardholder"] = new JsonObject { ["phone_number"] = "+886923456789", ["name"] = "n", ["email"] = "e@example.com" } }),
            ("/tpc/card/remove", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["card_key"] = secret["card_key"]!.DeepClone(), ["card_token"] = secret["card_token"]!.DeepClone() }),
            ("/sandbox/get-prime", new JsonObject { ["app_id"] = TapPayProvider.AppId, ["card_number"] = "4242424242424242", ["card_expiry"] = "12/30", ["card_ccv"] = "123" }),
        };

        // Every path to a field, nested ones included, so {"filters":{"time":{"start_time":[]}}} is tried too.
        static IEnumerable<(JsonObject Owner, string Key)> Fields(JsonObject obj) =>
            obj.ToList().SelectMany(p => new[] { (obj, p.Key) }.Concat(p.Value is JsonObject inner ? Fields(inner) : []));

        const string Marker = "__hostile__";
        var random = new Random(Seed);
        var failures = new List<string>();
        using var http = new HttpClient();
        foreach (var (path, template) in templates)
        {
            var key = path == "/sandbox/get-prime" ? TapPayProvider.AppKey : TapPayProvider.PartnerKey;
            var attempts = new List<string>();
            var count = Fields(template).Count();
            for (var field = 0; field < count; field++)
            {
                foreach (var value in hostile)
                {
                    // A marker the serializer writes, then swapped for the raw hostile text (a lone surrogate, 1e400).
                    var body = (JsonObject)template.DeepClone();
                    var (owner, name) = Fields(body).ElementAt(field);
                    owner[name] = Marker;
                    attempts.Add(body.ToJsonString().Replace("\"" + Marker + "\"", value, StringComparison.Ordinal));
                }
            }

            for (var i = 0; i < 100; i++)
            {
                var body = (JsonObject)template.DeepClone();
                var chosen = Fields(body).Where(_ => random.Next(3) == 0).ToList();
                foreach (var (owner, name) in chosen)
                {
                    owner[name] = Marker;
                }

                // A parent replaced after its child takes the child's marker with it: swap those that are left.
                var json = body.ToJsonString();
                for (var at = json.IndexOf("\"" + Marker + "\"", StringComparison.Ordinal); at >= 0; at = json.IndexOf("\"" + Marker + "\"", StringComparison.Ordinal))
                {
                    json = json[..at] + hostile[random.Next(hostile.Length)] + json[(at + Marker.Length + 2)..];
                }

                attempts.Add(json);
            }

            foreach (var json in attempts)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, sandbox.BaseUrl("tappay") + path) { Content = new StringContent(json, Encoding.UTF8, Json) };
                request.Headers.Add("x-api-key", key);
                using var response = await http.SendAsync(request, Ct);
                var text = await response.Content.ReadAsStringAsync(Ct);
                var problem = response.StatusCode != HttpStatusCode.OK ? "not HTTP 200" : TapPayShape(JsonNode.Parse(text));
                if (problem is not null)
                {
                    failures.Add($"{path} {json[..Math.Min(json.Length, 200)]} → {(int)response.StatusCode}: {problem}; {text[..Math.Min(text.Length, 300)]}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} bad answer(s):{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(30))}");
    }
}
