using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Harness.Sandbox.Bills;

/// <summary>
/// The short-lived download links of WeChat Pay's and Alipay's statements: a random token names the file's bytes,
/// rendered when the link was handed out, so what is downloaded is exactly what the announced hash covers. Links
/// live on the wall clock (WeChat's for 5 minutes, Alipay's for 30 seconds) and only in memory: a link outlives
/// neither its lifetime nor a restart, as a provider's would not.
/// </summary>
public sealed class BillDownloads(TimeProvider wallClock, TimeSpan lifetime)
{
    private readonly ConcurrentDictionary<string, BillFile> _files = new(StringComparer.Ordinal);

    /// <summary>A new token for the file; expired links are forgotten here.</summary>
    public string Issue(BillFile file)
    {
        var now = wallClock.GetUtcNow();
        foreach (var (token, expired) in _files.Where(f => f.Value.Expires <= now))
        {
            _files.TryRemove(new KeyValuePair<string, BillFile>(token, expired));
        }

        var issued = Base64Url(RandomNumberGenerator.GetBytes(48));
        _files[issued] = file with { Expires = now + lifetime };
        return issued;
    }

    /// <summary>The file a live token names, or null for an unknown or expired one.</summary>
    public BillFile? Find(string? token) =>
        token is not null && _files.TryGetValue(token, out var file) && file.Expires > wallClock.GetUtcNow() ? file : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// A statement as downloaded: its bytes, their media type and file name. Each provider has one merchant, so a link
/// needs no owner: a request of any other merchant is refused when it authenticates.
/// </summary>
public sealed record BillFile(byte[] Bytes, string ContentType, string FileName)
{
    public DateTimeOffset Expires { get; init; }
}
