using System.Security.Cryptography;
using System.Text;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Alipay's 接口内容加密 written from alipay-sdk's description, independently of the sandbox: AES-128-CBC under the
/// app's base64 key with a zero IV and PKCS#7 padding, the cipher text in base64.
/// </summary>
public static class AlipayContentCipher
{
    public static string Encrypt(string aesKey, string plainText)
    {
        using var aes = Aes.Create();
        aes.Key = Convert.FromBase64String(aesKey);
        return Convert.ToBase64String(aes.EncryptCbc(Encoding.UTF8.GetBytes(plainText), new byte[16], PaddingMode.PKCS7));
    }

    public static string Decrypt(string aesKey, string cipherText)
    {
        using var aes = Aes.Create();
        aes.Key = Convert.FromBase64String(aesKey);
        return Encoding.UTF8.GetString(aes.DecryptCbc(Convert.FromBase64String(cipherText), new byte[16], PaddingMode.PKCS7));
    }

    /// <summary>
    /// What an encrypted v2 answer is signed over: the <paramref name="responseKey"/> value, a JSON string of base64,
    /// with its quotes, as Alipay's Java SDK cuts it from the raw body; null when the value is not such a string.
    /// </summary>
    public static string? SignedContent(string body, string responseKey)
    {
        var keyAt = body.IndexOf($"\"{responseKey}\":\"", StringComparison.Ordinal);
        if (keyAt < 0)
        {
            return null;
        }

        var open = keyAt + responseKey.Length + 3;
        var close = body.IndexOf('"', open + 1);
        return close < 0 ? null : body[open..(close + 1)];
    }
}
