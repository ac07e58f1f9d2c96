using System.Security.Cryptography;
using System.Text;
using Harness.Load.Sandbox;

namespace Harness.Load.Tests;

/// <summary>The runner's own WeChat Pay and Alipay request signatures, checked against the protocols' texts (the sandbox accepting them is <see cref="SandboxLoadCommandTests"/>).</summary>
public sealed class ProviderSignaturesTests : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly RsaSigner _signer;

    public ProviderSignaturesTests() => _signer = new RsaSigner(_key.ExportPkcs8PrivateKeyPem());

    public void Dispose()
    {
        _signer.Dispose();
        _key.Dispose();
    }

    [Fact]
    public void A_signature_is_rsa_sha256_pkcs1_over_the_utf8_text_from_any_thread()
    {
        const string text = "POST\n/v3/pay/transactions/native\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"amount\":{\"total\":1}}\n";

        var signatures = Enumerable.Range(0, 8).AsParallel().Select(_ => _signer.Sign(text)).ToList();

        Assert.Single(signatures.Distinct()); // PKCS #1 v1.5 is deterministic: every thread's key is the same key
        Assert.True(_key.VerifyData(Encoding.UTF8.GetBytes(text), Convert.FromBase64String(signatures[0]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void WeChat_Pay_signs_method_path_time_nonce_and_body_each_followed_by_a_newline()
    {
        Assert.Equal(
            "POST\n/v3/pay/transactions/native\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"a\":1}\n",
            WeChatPaySign.Message("POST", "/v3/pay/transactions/native", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", "{\"a\":1}"));

        var header = WeChatPaySign.Authorization(_signer, "1900000109", "30D495", "POST", "/v3/pay/transactions/native", 1554208460, "593BEC", "{}");

        Assert.StartsWith("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\"593BEC\",timestamp=\"1554208460\",serial_no=\"30D495\",signature=\"", header, StringComparison.Ordinal);
        var signature = header[(header.IndexOf("signature=\"", StringComparison.Ordinal) + 11)..^1];
        Assert.True(_key.VerifyData(
            Encoding.UTF8.GetBytes(WeChatPaySign.Message("POST", "/v3/pay/transactions/native", 1554208460, "593BEC", "{}")),
            Convert.FromBase64String(signature),
            HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Alipay_signs_every_parameter_but_sign_sorted_by_name_with_raw_values()
    {
        var canonical = AlipaySign.Canonical(
        [
            new("method", "alipay.trade.precreate"),
            new("sign", "left out"),
            new("app_id", "2021000000000001"),
            new("sign_type", "RSA2"),
            new("biz_content", "{\"out_trade_no\":\"a_1\",\"subject\":\"x y&z\"}"),
        ]);

        Assert.Equal("app_id=2021000000000001&biz_content={\"out_trade_no\":\"a_1\",\"subject\":\"x y&z\"}&method=alipay.trade.precreate&sign_type=RSA2", canonical);
    }
}
