using Harness.Security;
using Harness.Security.Signing;

namespace Harness.Sandbox.Epay;

/// <summary>
/// The two RSA-2048 key pairs of Epay's V2 protocol: the merchant pair (real Epay makes it in the merchant console,
/// 生成商户RSA密钥对, and shows the private half once; the sandbox publishes it) and the platform pair, whose private half
/// signs answers and notifies. Made on the first start and kept (<see cref="Keys.ProviderKeys"/>). Epay's console and
/// its SDKs use the bare base64 form (no PEM armour), which is how <see cref="Bare"/> publishes them.
/// </summary>
public sealed class EpayKeys
{
    /// <summary>A merchant public key of the merchant's own (PEM or bare base64), accepted beside the published pair's.</summary>
    public const string MerchantPublicKeySetting = "merchant_public_key";

    private readonly SandboxContext _context;
    private readonly string _provider;

    public EpayKeys(SandboxContext context, string provider)
    {
        _context = context;
        _provider = provider;
        MerchantPrivateKey = context.Keys.GetOrCreate(provider, "merchant_private_key.pem", NewPrivateKey);
        PlatformPrivateKey = context.Keys.GetOrCreate(provider, "platform_private_key.pem", NewPrivateKey);
        using var merchant = RsaKeys.ImportPrivate(MerchantPrivateKey);
        MerchantPublicKey = context.Keys.GetOrCreate(provider, "merchant_public_key.pem", () => RsaKeys.PublicKeyPem(merchant));
        using var platform = RsaKeys.ImportPrivate(PlatformPrivateKey);
        PlatformPublicKey = context.Keys.GetOrCreate(provider, "platform_public_key.pem", () => RsaKeys.PublicKeyPem(platform));
    }

    /// <summary>PKCS#8 PEM.</summary>
    public string MerchantPrivateKey { get; }

    /// <summary>SPKI PEM: what requests are verified with.</summary>
    public string MerchantPublicKey { get; }

    /// <summary>PKCS#8 PEM; published as test material (a conformance run can play the platform towards a merchant).</summary>
    public string PlatformPrivateKey { get; }

    /// <summary>SPKI PEM: what the merchant verifies answers and notifies with.</summary>
    public string PlatformPublicKey { get; }

    /// <summary>SHA256WithRSA with the platform key, base64.</summary>
    public string Sign(string content) => RsaSignature.Sign(RsaKeys.SharedPrivate(PlatformPrivateKey), content);

    /// <summary>
    /// True when <paramref name="sign"/> is the SHA256WithRSA signature of the content by the published merchant key or
    /// by the one the merchant registered (<see cref="MerchantPublicKeySetting"/>), as a merchant that keeps the pair
    /// it made in Epay's console registers its public half.
    /// </summary>
    public bool VerifyMerchant(string content, string? sign) =>
        Verifies(MerchantPublicKey, content, sign)
        || (_context.Settings.Get(_provider, MerchantPublicKeySetting) is { } registered && Verifies(registered, content, sign));

    /// <summary>The refusal of a registered merchant key that is not an RSA public key; null when it is one.</summary>
    public static string? RefuseMerchantPublicKey(string value) => RsaKeys.SharedPublic(value) is null
        ? "merchant_public_key must be an RSA public key (SPKI or PKCS#1 PEM, or the bare base64 Epay's console shows)"
        : null;

    private static bool Verifies(string publicKey, string content, string? sign) =>
        RsaKeys.SharedPublic(publicKey) is { } key && RsaSignature.Verify(key, content, sign);

    /// <summary>
    /// V2's signing string: the non-empty parameters but <c>sign</c> and <c>sign_type</c>, sorted by key in byte order,
    /// joined as <c>k=v&amp;k=v</c> with raw values.
    /// </summary>
    public static string Content(IEnumerable<KeyValuePair<string, string>> parameters) => string.Join('&', parameters
        .Where(p => p.Value.Length > 0 && p.Key is not ("sign" or "sign_type"))
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => p.Key + "=" + p.Value));

    /// <summary>The key's base64 body on one line, without the PEM armour.</summary>
    public static string Bare(string pem) =>
        string.Concat(pem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)).Select(line => line.Trim()));

    private static string NewPrivateKey()
    {
        using var key = RsaKeys.Create();
        return RsaKeys.PrivateKeyPem(key);
    }
}
