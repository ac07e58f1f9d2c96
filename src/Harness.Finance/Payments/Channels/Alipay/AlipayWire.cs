using System.Globalization;
using System.Security.Cryptography;
using Harness.Security;

namespace Harness.Finance.Payments.Channels.Alipay;

/// <summary>Alipay's wire formats: China-time timestamps, yuan amounts with two decimals, and its key texts.</summary>
internal static class AlipayWire
{
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss";

    /// <summary>Alipay's timestamps carry no zone: they are Beijing time (UTC+8).</summary>
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static string FormatTime(DateTimeOffset time) => time.ToOffset(China).ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTime(string? text) =>
        DateTime.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, China)
            : null;

    /// <summary>Fen as yuan with exactly two decimals (<c>1</c> → <c>0.01</c>), in integer arithmetic.</summary>
    public static string FormatYuan(long fen)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fen);
        return string.Create(CultureInfo.InvariantCulture, $"{fen / 100}.{fen % 100:D2}");
    }

    /// <summary>
    /// Yuan text as Alipay writes it (digits, optionally a point and one or two decimals) in fen; null for anything
    /// else: signs, exponents, spaces, a third decimal, or more than twelve integer digits.
    /// </summary>
    public static long? ParseFen(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..];
        if (whole.Length is 0 or > 12 || (point >= 0 && fraction.Length is 0 or > 2) || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit))
        {
            return null;
        }

        return (long.Parse(whole, CultureInfo.InvariantCulture) * 100) + (fraction.Length == 0 ? 0 : int.Parse(fraction.PadRight(2, '0'), CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The app private key as PKCS#8 or PKCS#1 PEM, or as the bare base64 of either (what Alipay's console shows);
    /// imported once and shared (<see cref="RsaKeys.SharedPrivate"/>), so the caller does not dispose it.
    /// </summary>
    public static RSA AppPrivateKey(string text)
    {
        try
        {
            return RsaKeys.SharedPrivate(text);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            throw new ChannelException("Alipay: ALIPAY_PRIVATE_KEY is not an RSA private key (PKCS#8 or PKCS#1, PEM or bare base64)", e);
        }
    }

    /// <summary>Alipay's public key, PEM or bare base64, shared as <see cref="AppPrivateKey"/>.</summary>
    public static RSA AlipayPublicKey(string text) =>
        RsaKeys.SharedPublic(text) ?? throw new ChannelException("Alipay: ALIPAY_PUBLIC_KEY is not an RSA public key (PEM or bare base64)");

}
