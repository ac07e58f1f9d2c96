using System.Security.Cryptography;
using System.Text;

namespace Harness.Security.Signing;

/// <summary>
/// RSA-SHA256 with PKCS#1 v1.5 padding, base64 out: WeChat Pay v3's <c>WECHATPAY2-SHA256-RSA2048</c> and Alipay's
/// <c>RSA2</c> are both this over different messages.
/// </summary>
public static class RsaSignature
{
    public static string Sign(RSA privateKey, ReadOnlySpan<byte> message) =>
        Convert.ToBase64String(privateKey.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static string Sign(RSA privateKey, string message) => Sign(privateKey, Encoding.UTF8.GetBytes(message));

    /// <summary>False for a missing, non-base64 or non-matching signature; never throws on what a client sent.</summary>
    public static bool Verify(RSA publicKey, ReadOnlySpan<byte> message, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var bytes = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, bytes, out var length)
            && publicKey.VerifyData(message, bytes.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    public static bool Verify(RSA publicKey, string message, string? signature) => Verify(publicKey, Encoding.UTF8.GetBytes(message), signature);
}
