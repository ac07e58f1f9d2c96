namespace Harness.Sandbox.Alipay;

/// <summary>
/// The v2 gateway's checks of a request's common parameters, certificate SNs, RSA2 or RSA signature and encrypted
/// content (providers.md §3.2, §3.6).
/// </summary>
internal static class AlipayGatewayCheck
{
    /// <summary>
    /// The gateway's checks of the common parameters, then the signature over every parameter but <c>sign</c> (over
    /// <c>biz_content</c> as sent, so over the cipher text of encrypted content), then the content's encryption: the
    /// plain <c>biz_content</c>, and whether it came encrypted, or the refusal.
    /// </summary>
    public static (string? Biz, bool Encrypted, AlipayFailure? Failure) Check(Dictionary<string, string> p, AlipayKeys keys, AlipayContentEncryption encryption)
    {
        if (CheckSigned(p, keys) is { } failure)
        {
            return (null, false, failure);
        }

        var encryptType = p.GetValueOrDefault("encrypt_type") is { Length: > 0 } type ? type : null;
        var (plain, refused) = encryption.Open(encryptType, p.GetValueOrDefault("biz_content"));
        return (plain, refused is null && encryptType is not null, refused);
    }

    private static AlipayFailure? CheckSigned(Dictionary<string, string> p, AlipayKeys keys)
    {
        string? Get(string key) => p.GetValueOrDefault(key) is { Length: > 0 } value ? value : null;

        if (Get("app_id") is not { } appId)
        {
            return AlipayFailure.Missing("isv.missing-app-id", "缺少AppID参数");
        }

        if (!keys.IsAppId(appId))
        {
            return AlipayFailure.Invalid("isv.invalid-app-id", "无效的AppID参数");
        }

        if (Get("sign") is not { } sign)
        {
            return AlipayFailure.Missing("isv.missing-signature", "缺少签名参数");
        }

        if (Get("sign_type") is not { } signType)
        {
            return AlipayFailure.Missing("isv.missing-signature-type", "缺少签名类型参数");
        }

        if (signType is not (AlipayKeys.Rsa2 or AlipayKeys.Rsa))
        {
            return AlipayFailure.Invalid("isv.invalid-signature-type", "无效的签名类型参数");
        }

        if (signType != keys.SignType)
        {
            return AlipayFailure.Invalid("isv.invalid-signature-type", $"本应用的接口加签方式为 {keys.SignType}，请求使用了 {signType}");
        }

        if (Get("timestamp") is not { } timestamp)
        {
            return AlipayFailure.Missing("isv.missing-timestamp", "缺少时间戳参数");
        }

        if (!AlipayTime.IsWellFormed(timestamp))
        {
            return AlipayFailure.Invalid("isv.invalid-timestamp", "非法的时间戳参数");
        }

        if (Get("version") is not { } version)
        {
            return AlipayFailure.Missing("isv.missing-version", "缺少版本参数");
        }

        if (version != "1.0")
        {
            return AlipayFailure.Invalid("isv.invalid-version", "版本号不合法");
        }

        if (Get("charset") is { } charset && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return AlipayFailure.Invalid("isv.invalid-charset", "字符集不合法");
        }

        if (Get("format") is { } format && !format.Equals("JSON", StringComparison.OrdinalIgnoreCase))
        {
            return AlipayFailure.Invalid("isv.invalid-format", "参数格式错误");
        }

        var appCertSn = Get("app_cert_sn");
        if (keys.CheckCertificateMode(appCertSn, Get("alipay_root_cert_sn")) is { } certificateFailure)
        {
            return certificateFailure;
        }

        // The SDK signs exactly what it sends; a client that leaves empty values out of its signing string, as the
        // gateway itself does, is accepted too.
        var signed = p.Where(kv => kv.Key != "sign").ToList();
        var content = AlipayKeys.Canonical(signed);
        if (!keys.VerifyApp(content, sign, appCertSn, signType) && !keys.VerifyApp(AlipayKeys.Canonical(signed.Where(kv => kv.Value.Length > 0)), sign, appCertSn, signType))
        {
            return AlipayFailure.Invalid("isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：" + content);
        }

        foreach (var url in new[] { "notify_url", "return_url" })
        {
            if (Get(url) is { } value && !HttpUrl.IsValid(value))
            {
                return AlipayFailure.Invalid("isv.invalid-parameter", $"{url} 格式错误");
            }
        }

        return null;
    }
}
