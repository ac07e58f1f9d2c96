using System.Security.Cryptography;
using System.Text;
using Harness.Security;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// AEAD_AES_256_GCM as APIv3 uses it for notification resources and certificates (providers.md §2.5): the APIv3
/// key's 32 bytes as key, a 12-character nonce as IV, the associated data as AAD, and base64 of ciphertext ‖ tag.
/// </summary>
public static class WeChatPayCrypto
{
    private const int TagBytes = 16;

    public static (string Ciphertext, string Nonce) Encrypt(string apiV3Key, string associatedData, string plaintext)
    {
        var nonce = Secrets.RandomHex(6);
        var input = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[input.Length + TagBytes];
        using var aes = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), TagBytes);
        aes.Encrypt(Encoding.UTF8.GetBytes(nonce), input, output.AsSpan(0, input.Length), output.AsSpan(input.Length), Encoding.UTF8.GetBytes(associatedData));
        return (Convert.ToBase64String(output), nonce);
    }
}
