using System.Security.Cryptography;
using System.Text;

namespace Harness.Security.Signing;

/// <summary>
/// AEAD_AES_256_GCM as WeChat Pay APIv3 uses it for notification resources and certificates (providers.md §2.5): the
/// APIv3 key's 32 bytes as key, a 12-character nonce as IV, the associated data as AAD, base64 of ciphertext ‖ tag.
/// </summary>
public static class AesGcmText
{
    private const int TagBytes = 16;

    public static (string Ciphertext, string Nonce) Encrypt(string key, string associatedData, string plaintext)
    {
        var nonce = Secrets.RandomHex(6);
        return (Convert.ToBase64String(Seal(key, nonce, associatedData, Encoding.UTF8.GetBytes(plaintext))), nonce);
    }

    /// <summary>The raw ciphertext ‖ tag of <paramref name="input"/>, for files WeChat serves as binary (the sub-merchant fund-flow bill).</summary>
    public static byte[] Seal(string key, string nonce, string associatedData, byte[] input)
    {
        var output = new byte[input.Length + TagBytes];
        using var aes = new AesGcm(Encoding.UTF8.GetBytes(key), TagBytes);
        aes.Encrypt(Encoding.UTF8.GetBytes(nonce), input, output.AsSpan(0, input.Length), output.AsSpan(input.Length), Encoding.UTF8.GetBytes(associatedData));
        return output;
    }

    /// <summary>The plaintext, or null when the ciphertext is not base64, too short, or fails authentication.</summary>
    public static string? TryDecrypt(string key, string associatedData, string ciphertext, string nonce)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var nonceBytes = Encoding.UTF8.GetBytes(nonce);
        var sealedBytes = new byte[ciphertext.Length];
        if (keyBytes.Length != 32 || nonceBytes.Length != 12
            || !Convert.TryFromBase64String(ciphertext, sealedBytes, out var length) || length < TagBytes)
        {
            return null;
        }

        var plain = new byte[length - TagBytes];
        try
        {
            using var aes = new AesGcm(keyBytes, TagBytes);
            aes.Decrypt(nonceBytes, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length, TagBytes), plain, Encoding.UTF8.GetBytes(associatedData));
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
