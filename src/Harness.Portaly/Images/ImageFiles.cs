using System.Text.RegularExpressions;
using Harness.Security;
using Microsoft.Extensions.Options;

namespace Harness.Portaly.Images;

/// <summary>An uploaded image as answered: its id and the URL the backend serves it at.</summary>
public sealed record StoredFile(string Id, [property: System.Text.Json.Serialization.JsonPropertyName("publicURL")] string PublicUrl);

/// <summary>
/// Uploaded images (logos, plan images) as files in the data directory, <c>portaly-files/</c>, named by a random
/// id that carries the type. The type is read from the file's first bytes, never from its name or the sender's word.
/// </summary>
public sealed partial class ImageFiles(IOptions<PortalyOptions> options)
{
    public const long MaxBytes = 8 * 1024 * 1024;

    private string Folder => Path.Combine(options.Value.DataDirectory, "portaly-files");

    /// <summary>jpg, png, gif or webp from the magic bytes; null for anything else.</summary>
    public static string? ExtensionOf(ReadOnlySpan<byte> head) =>
        head.StartsWith((byte[])[0xFF, 0xD8, 0xFF]) ? "jpg"
        : head.StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]) ? "png"
        : head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8) ? "gif"
        : head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8) ? "webp"
        : null;

    /// <summary>Stores <paramref name="content"/>; its id.</summary>
    public async Task<string> SaveAsync(byte[] content, string extension, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var id = $"img_{Secrets.RandomHex(12)}.{extension}";
        await File.WriteAllBytesAsync(Path.Combine(Folder, id), content, cancellationToken);
        return id;
    }

    /// <summary>The path and content type of a stored image; null for an id that is not one (no path escapes the folder).</summary>
    public (string Path, string ContentType)? Open(string id)
    {
        var match = FileId().Match(id);
        var path = Path.Combine(Folder, id);
        return match.Success && File.Exists(path) ? (path, ContentTypes[match.Groups[1].Value]) : null;
    }

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["jpg"] = "image/jpeg",
        ["png"] = "image/png",
        ["gif"] = "image/gif",
        ["webp"] = "image/webp",
    };

    [GeneratedRegex("^img_[0-9a-f]{24}\\.(jpg|png|gif|webp)$")]
    private static partial Regex FileId();
}
