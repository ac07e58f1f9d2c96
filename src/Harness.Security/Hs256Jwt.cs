using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Harness.Security;

/// <summary>
/// Compact HS256 JSON Web Tokens: exactly what the documents describe (a flat claim set signed with
/// one shared secret), small enough to validate on every request without a framework in the way.
/// </summary>
public sealed class Hs256Jwt
{
    private static readonly byte[] HeaderSegment = Encoding.ASCII.GetBytes(Base64Url.EncodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8));
    private readonly byte[] _key;

    public Hs256Jwt(byte[] key)
    {
        if (key.Length < 32)
        {
            throw new ArgumentException("An HS256 key needs at least 256 bits.", nameof(key));
        }

        _key = key;
    }

    public string Sign(IReadOnlyDictionary<string, object> claims)
    {
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signingInput = Encoding.ASCII.GetString(HeaderSegment) + "." + payload;
        var signature = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Returns the payload when the signature, the algorithm and <c>exp</c> hold; otherwise null.</summary>
    public JsonElement? Validate(string token, DateTimeOffset now)
    {
        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot <= firstDot || lastDot == token.Length - 1 || token.Length > 4096)
        {
            return null;
        }

        var signingInput = Encoding.ASCII.GetBytes(token[..lastDot]);
        if (!signingInput.AsSpan(0, firstDot).SequenceEqual(HeaderSegment))
        {
            return null; // only our own header is accepted, which rules out "alg": "none" and key confusion
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(_key, signingInput, expected);
        Span<byte> actual = stackalloc byte[64];
        if (!Base64Url.TryDecodeFromChars(token.AsSpan(lastDot + 1), actual, out var written) || written != 32
            || !CryptographicOperations.FixedTimeEquals(expected, actual[..32]))
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(token.AsSpan(firstDot + 1, lastDot - firstDot - 1));
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement.Clone();
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var expSeconds)
                || expSeconds <= now.ToUnixTimeSeconds())
            {
                return null;
            }

            return root;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
