using System.Text;
using Harness.Security;
using Harness.Security.Signing;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// The two RSA-2048 key pairs of an Alipay app: the app key the merchant signs requests with (the sandbox publishes
/// its private half, so a merchant can start without uploading anything), and the Alipay key the platform signs
/// answers and notifies with. Both are made on the first start and kept (<see cref="Keys.ProviderKeys"/>). A merchant
/// may register its own app public key in the settings; requests signed with either are accepted.
/// </summary>
public sealed class AlipayKeys
{
    /// <summary>The settings key under which a merchant registers its own app public key (PEM or bare base64).</summary>
    public const string AppPublicKeySetting = "app_public_key";

    private readonly SandboxContext _context;
    private readonly string _provider;

    public AlipayKeys(SandboxContext context, string provider)
    {
        _context = context;
        _provider = provider;
        AppPrivateKey = context.Keys.GetOrCreate(provider, "app_private_key.pem", NewPrivateKey);
        AlipayPrivateKey = context.Keys.GetOrCreate(provider, "alipay_private_key.pem", NewPrivateKey);
        using var app = RsaKeys.ImportPrivate(AppPrivateKey);
        AppPublicKey = context.Keys.GetOrCreate(provider, "app_public_key.pem", () => RsaKeys.PublicKeyPem(app));
        using var alipay = RsaKeys.ImportPrivate(AlipayPrivateKey);
        AlipayPublicKey = context.Keys.GetOrCreate(provider, "alipay_public_key.pem", () => RsaKeys.PublicKeyPem(alipay));
    }

    /// <summary>PKCS#8 PEM (<c>BEGIN PRIVATE KEY</c>): alipay-sdk needs <c>keyType: 'PKCS8'</c> for it.</summary>
    public string AppPrivateKey { get; }

    /// <summary>SPKI PEM.</summary>
    public string AppPublicKey { get; }

    /// <summary>SPKI PEM, what the merchant verifies answers and notifies with.</summary>
    public string AlipayPublicKey { get; }

    /// <summary>
    /// Test material, published like every sandbox key: with it a conformance run plays Alipay towards a backend that
    /// trusts this sandbox (stale, tampered and repeated notifications).
    /// </summary>
    public string AlipayPrivateKey { get; }

    /// <summary>RSA2 with the Alipay private key, base64.</summary>
    public string Sign(string content) => RsaSignature.Sign(RsaKeys.SharedPrivate(AlipayPrivateKey), content);

    /// <summary>A signature over content that does not match it, still in the signature's format (the tampered_signature fault).</summary>
    public string TamperedSign(string content)
    {
        var sign = Sign(content);
        return sign[..10] + (sign[10] == 'A' ? 'B' : 'A') + sign[11..];
    }

    /// <summary>True when the app key pair's public half, or the one the merchant registered, verifies the signature.</summary>
    public bool VerifyApp(string content, string? sign)
    {
        var registered = _context.Settings.Get(_provider, AppPublicKeySetting);
        foreach (var candidate in registered is null ? [AppPublicKey] : new[] { AppPublicKey, registered })
        {
            if (RsaKeys.SharedPublic(candidate) is { } key && RsaSignature.Verify(key, Encoding.UTF8.GetBytes(content), sign))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Alipay's signing string: the pairs sorted by key in byte order, raw (decoded) values, joined as <c>k=v&amp;k=v</c>.</summary>
    public static string Canonical(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));

    private static string NewPrivateKey()
    {
        using var key = RsaKeys.Create();
        return RsaKeys.PrivateKeyPem(key);
    }
}
