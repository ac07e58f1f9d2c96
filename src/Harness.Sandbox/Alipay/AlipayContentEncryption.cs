using System.Security.Cryptography;
using System.Text;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// 接口内容加密: the app's AES key (128 bits, base64, as Alipay issues it; made on the first start and kept with the
/// other keys) and what it does to content, as alipay-sdk does it: AES-128-CBC with a zero IV and PKCS#7 padding, the
/// cipher text in base64. On the v2 gateway a request with <c>encrypt_type=AES</c> carries <c>biz_content</c> so
/// encrypted and signed over the cipher text, and its answer's <c>&lt;method&gt;_response</c> is the encrypted JSON as a
/// string; on the v3 routes the whole body is (header <c>alipay-encrypt-type: AES</c>).
/// </summary>
public sealed class AlipayContentEncryption
{
    /// <summary>
    /// The settings key saying what the app's encryption is: <c>required</c> (plain content is refused), <c>off</c> (the
    /// app has no AES key, so encrypted content is refused) or, unset, either accepted.
    /// </summary>
    public const string Setting = "content_encryption";

    public const string Required = "required";
    public const string Off = "off";

    /// <summary>The only <c>encrypt_type</c> Alipay's gateway and alipay-sdk know.</summary>
    public const string AesType = "AES";

    private static readonly byte[] ZeroIv = new byte[16];

    private readonly SandboxContext _context;
    private readonly string _provider;
    private readonly byte[] _key;

    public AlipayContentEncryption(SandboxContext context, string provider)
    {
        _context = context;
        _provider = provider;
        Key = context.Keys.GetOrCreate(provider, "aes_key.txt", () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        _key = Convert.FromBase64String(Key);
    }

    /// <summary>The key, base64 (alipay-sdk's <c>encryptKey</c>).</summary>
    public string Key { get; }

    public string Encrypt(string plainText)
    {
        using var aes = Aes.Create();
        aes.Key = _key;
        return Convert.ToBase64String(aes.EncryptCbc(Encoding.UTF8.GetBytes(plainText), ZeroIv, PaddingMode.PKCS7));
    }

    /// <summary>The plain text, or null when the cipher text is not base64, not padded right under this key, or not UTF-8.</summary>
    public string? Decrypt(string cipherText)
    {
        var bytes = new byte[cipherText.Length];
        if (!Convert.TryFromBase64String(cipherText, bytes, out var length) || length == 0 || length % 16 != 0)
        {
            return null;
        }

        using var aes = Aes.Create();
        aes.Key = _key;
        try
        {
            var plain = aes.DecryptCbc(bytes.AsSpan(0, length), ZeroIv, PaddingMode.PKCS7);
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(plain);
        }
        catch (Exception e) when (e is CryptographicException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// Content a request carries under <paramref name="encryptType"/> (null: plain) checked against the app's setting,
    /// and opened: the plain text, or the refusal. Alipay publishes no sub codes for a missing key or for plain content to
    /// an app that requires encryption; the sandbox's choices are in docs/sandbox/alipay.md.
    /// </summary>
    public (string? Plain, AlipayFailure? Failure) Open(string? encryptType, string? content)
    {
        var setting = _context.Settings.Get(_provider, Setting);
        if (encryptType is null)
        {
            return setting == Required
                ? (null, AlipayFailure.Missing("isv.missing-encrypt-type", "本应用已开启接口内容加密，请求须以 AES 加密业务参数（encrypt_type=AES）"))
                : (content, null);
        }

        if (encryptType != AesType)
        {
            return (null, AlipayFailure.Invalid("isv.decryption-error-not-valid-encrypt-type", "解密出错，不支持的加密类型：" + encryptType));
        }

        if (setting == Off)
        {
            return (null, AlipayFailure.Invalid("isv.decryption-error-not-valid-encrypt-key", "解密出错，本应用未设置接口内容加密的 AES 密钥"));
        }

        return string.IsNullOrEmpty(content)
            ? (content, null)
            : Decrypt(content) is { } plain ? (plain, null) : (null, AlipayFailure.Invalid("isv.decryption-error-unknown", "解密出错, 未知错误"));
    }
}
