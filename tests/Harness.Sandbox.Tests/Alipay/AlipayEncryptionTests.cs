using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>接口内容加密: AES-encrypted biz_content on the gateway, encrypted v3 bodies, the app's setting and its refusals.</summary>
public sealed class AlipayEncryptionTests
{
    private const string Precreate = "alipay.trade.precreate";
    private const string Query = "alipay.trade.query";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Encrypted_content_is_answered_encrypted_and_signed_over_the_cipher_text_while_the_notify_stays_plain()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        Assert.Equal(16, Convert.FromBase64String(alipay.EncryptKey).Length);
        alipay.Encrypt = true;

        var created = await alipay.CallAsync(Precreate, AlipayTests.Order("AES_1"), new Dictionary<string, string> { ["notify_url"] = receiver.Url });
        Assert.True(created.Encrypted, created.Body);
        Assert.True(created.SignatureValid, created.Body);
        Assert.Equal(("10000", "AES_1"), (created.Code, created.Field("out_trade_no")));
        Assert.DoesNotContain("AES_1", created.Body, StringComparison.Ordinal);
        var qr = created.Field("qr_code");
        var tradeNo = qr[(qr.LastIndexOf('/') + 1)..];

        // A business failure to encrypted content is encrypted too.
        var missing = await alipay.CallAsync(Query, new { out_trade_no = "AES_1" });
        Assert.True(missing.Encrypted && missing.SignatureValid, missing.Body);
        Assert.Equal(("40004", "ACQ.TRADE_NOT_EXIST"), (missing.Code, missing.SubCode));

        await AlipayTests.ScanAsync(sandbox, tradeNo);
        await sandbox.ActAsync(tradeNo, "pay");
        var notify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal(("TRADE_SUCCESS", "88.88", "AES_1"), (notify.Form["trade_status"], notify.Form["total_amount"], notify.Form["out_trade_no"]));

        var paid = await alipay.CallAsync(Query, new { trade_no = tradeNo });
        Assert.True(paid.Encrypted && paid.SignatureValid, paid.Body);
        Assert.Equal("TRADE_SUCCESS", paid.Field("trade_status"));

        // Plain content is still accepted while the app does not require encryption.
        alipay.Encrypt = false;
        var plain = await alipay.CallAsync(Query, new { trade_no = tradeNo });
        Assert.False(plain.Encrypted);
        Assert.Equal("TRADE_SUCCESS", plain.Field("trade_status"));
    }

    [Fact]
    public async Task The_signature_covers_the_cipher_text_as_sent()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        alipay.Encrypt = true;
        var parameters = alipay.SignedParams(Precreate, AlipayTests.Order("AES_SIGNED"));

        // Other cipher text under the right key, put in after signing: the signature no longer matches.
        parameters["biz_content"] = AlipayContentCipher.Encrypt(alipay.EncryptKey, """{"out_trade_no":"AES_OTHER","total_amount":"1.00","subject":"x"}""");
        var reply = await alipay.PostAsync(parameters);
        Assert.False(reply.Encrypted);
        Assert.Equal(("40002", "isv.invalid-signature"), (reply.Code, reply.SubCode));
        Assert.True(reply.SignatureValid, reply.Body);
    }

    [Theory]
    [InlineData("not base64 at all", "isv.decryption-error-unknown")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==", "isv.decryption-error-unknown")]
    [InlineData("wrong key", "isv.decryption-error-unknown")]
    [InlineData("encrypt_type SM4", "isv.decryption-error-not-valid-encrypt-type")]
    public async Task Content_the_gateway_cannot_open_is_refused_plainly_and_signed(string problem, string subCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        alipay.Encrypt = true;
        var parameters = alipay.SignedParams(Precreate, AlipayTests.Order("AES_BAD"));
        switch (problem)
        {
            case "wrong key":
                parameters["biz_content"] = AlipayContentCipher.Encrypt(Convert.ToBase64String(new byte[16]), """{"out_trade_no":"AES_BAD"}""");
                break;
            case "encrypt_type SM4":
                parameters["encrypt_type"] = "SM4";
                break;
            default:
                parameters["biz_content"] = problem;
                break;
        }

        var reply = await alipay.PostAsync(alipay.Resign(parameters));
        Assert.Equal(200, reply.Status);
        Assert.False(reply.Encrypted);
        Assert.Equal(("40002", subCode), (reply.Code, reply.SubCode));
        Assert.True(reply.SignatureValid, reply.Body);
        Assert.False(string.IsNullOrEmpty(reply.Field("sub_msg")));
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=alipay"));
    }

    [Fact]
    public async Task An_app_that_requires_encryption_refuses_plain_content_and_one_without_a_key_refuses_encrypted_content()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.PutSettingsAsync("alipay", new { content_encryption = "sometimes" })).StatusCode);

        (await sandbox.PutSettingsAsync("alipay", new { content_encryption = "required" })).EnsureSuccessStatusCode();
        var plain = await alipay.CallAsync(Precreate, AlipayTests.Order("AES_REQ"));
        Assert.Equal(("40001", "isv.missing-encrypt-type"), (plain.Code, plain.SubCode));
        Assert.True(plain.SignatureValid, plain.Body);
        alipay.Encrypt = true;
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, AlipayTests.Order("AES_REQ"))).Code);

        (await sandbox.PutSettingsAsync("alipay", new { content_encryption = "off" })).EnsureSuccessStatusCode();
        var encrypted = await alipay.CallAsync(Query, new { out_trade_no = "AES_REQ" });
        Assert.False(encrypted.Encrypted);
        Assert.Equal(("40002", "isv.decryption-error-not-valid-encrypt-key"), (encrypted.Code, encrypted.SubCode));
        alipay.Encrypt = false;
        Assert.Equal("ACQ.TRADE_NOT_EXIST", (await alipay.CallAsync(Query, new { out_trade_no = "AES_REQ" })).SubCode);
    }

    [Fact]
    public async Task The_v3_routes_take_an_encrypted_body_and_answer_encrypted_with_the_signature_over_the_cipher_text()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var provider = await sandbox.GetJsonAsync("/control/providers/alipay");
        var credentials = (JsonObject)provider["credentials"]!;
        string Credential(string name) => credentials[name]!.GetValue<string>();
        using var http = new HttpClient();

        async Task<(HttpStatusCode Status, string Body, bool Verified)> SendAsync(string json, bool encrypt)
        {
            var body = encrypt ? AlipayContentCipher.Encrypt(Credential("encrypt_key"), json) : json;
            using var request = new HttpRequestMessage(HttpMethod.Post, provider["base_url"]!.GetValue<string>() + "/v3/alipay/trade/precreate")
            {
                Content = new StringContent(body, Encoding.UTF8, encrypt ? "text/plain" : "application/json"),
            };
            request.Headers.TryAddWithoutValidation("authorization", ProviderSignatures.AlipayV3Authorization(Credential("app_id"), Credential("app_private_key"), "POST", "/v3/alipay/trade/precreate", body));
            if (encrypt)
            {
                request.Headers.Add("alipay-encrypt-type", "AES");
                request.Headers.Add("alipay-encryption-algm", "AES");
            }

            using var response = await http.SendAsync(request, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            var signed = $"{response.Headers.GetValues("alipay-timestamp").Single()}\n{response.Headers.GetValues("alipay-nonce").Single()}\n{text}\n";
            return (response.StatusCode, text, ProviderSignatures.AlipayRsa2Verify(Credential("alipay_public_key"), signed, response.Headers.GetValues("alipay-signature").Single()));
        }

        var (status, body, verified) = await SendAsync("""{"out_trade_no":"V3_AES","total_amount":"9.90","subject":"v3"}""", encrypt: true);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(verified);
        Assert.Equal("V3_AES", JsonNode.Parse(AlipayContentCipher.Decrypt(Credential("encrypt_key"), body))!["out_trade_no"]!.GetValue<string>());

        // A business error stays plain JSON, as alipay-sdk parses it.
        var (errorStatus, errorBody, errorVerified) = await SendAsync("""{"out_trade_no":"V3_AES","total_amount":"0","subject":"v3"}""", encrypt: true);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_PARAMETER"), (errorStatus, JsonNode.Parse(errorBody)!["code"]!.GetValue<string>()));
        Assert.True(errorVerified);

        (await sandbox.PutSettingsAsync("alipay", new { content_encryption = "required" })).EnsureSuccessStatusCode();
        var (plainStatus, plainBody, _) = await SendAsync("""{"out_trade_no":"V3_PLAIN","total_amount":"9.90","subject":"v3"}""", encrypt: false);
        Assert.Equal((HttpStatusCode.BadRequest, "missing-encrypt-type"), (plainStatus, JsonNode.Parse(plainBody)!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_aes_key_survives_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-alipay-aes-" + Guid.NewGuid().ToString("N"));
        string before;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            before = (await first.GetJsonAsync("/control/providers/alipay"))["credentials"]!["encrypt_key"]!.GetValue<string>();
        }

        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(second);
            Assert.Equal(before, alipay.EncryptKey);
            alipay.Encrypt = true;
            var reply = await alipay.CallAsync(Precreate, AlipayTests.Order("AES_RESTART"));
            Assert.True(reply.Encrypted && reply.SignatureValid && reply.Code == "10000", reply.Body);
        }

        Directory.Delete(data, recursive: true);
    }
}
