using System.Security.Cryptography;
using System.Text;

namespace Harness.Security.Signing;

/// <summary>
/// RSA-SHA256 with PKCS#1 v1.5 padding, base64 out: WeChat Pay v3's <c>WECHATPAY2-SHA256-RSA2048</c> and Alipay's
/// <c>RSA2</c> are both this over different messages. Alipay's legacy <c>RSA</c> is the same with SHA-1, hence the
/// overloads taking the hash.
/// </summary>
public static class RsaSignature
{
    public static string Sign(RSA privateKey, ReadOnlySpan<byte> message) => Sign(privateKey, message, HashAlgorithmName.SHA256);

    public static string Sign(RSA privateKey, ReadOnlySpan<byte> message, HashAlgorithmName hash) =>
        Convert.ToBase64String(privateKey.SignData(message, hash, RSASignaturePadding.Pkcs1));

    public static string Sign(RSA privateKey, string message) => Sign(privateKey, Encoding.UTF8.GetBytes(message));

    public static string Sign(RSA privateKey, string message, HashAlgorithmName hash) => Sign(privateKey, Encoding.UTF8.GetBytes(message), hash);

    /// <summary>False for a missing, non-base64 or non-matching signature; never throws on what a client sent.</summary>
    public static bool Verify(RSA publicKey, ReadOnlySpan<byte> message, string? signature) => Verify(publicKey, message, signature, HashAlgorithmName.SHA256);

    /// <summary>As <see cref="Verify(RSA, ReadOnlySpan{byte}, string?)"/>, with the given hash.</summary>
    public static bool Verify(RSA publicKey, ReadOnlySpan<byte> message, string? signature, HashAlgorithmName hash)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var bytes = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, bytes, out var length)
            && publicKey.VerifyData(message, bytes.AsSpan(0, length), hash, RSASignaturePadding.Pkcs1);
    }

    public static bool Verify(RSA publicKey, string message, string? signature) => Verify(publicKey, Encoding.UTF8.GetBytes(message), signature);
}
