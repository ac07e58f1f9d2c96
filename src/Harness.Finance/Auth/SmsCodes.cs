using System.Security.Cryptography;
using Harness.Storage;
using Microsoft.Extensions.Logging;

namespace Harness.Finance.Auth;

public sealed class SmsCodeDocument : IDocument
{
    /// <summary>The phone number.</summary>
    public string Id { get; set; } = "";

    public string Code { get; set; } = "";

    public DateTime SentAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public int FailedAttempts { get; set; }
}

/// <summary>
/// The SMS sandbox: codes are stored instead of texted, and revealed to the console and to tests.
/// A code lives five minutes, allows five wrong guesses and is used once.
/// </summary>
public sealed class SmsCodes(IDocumentStore store, TimeProvider clock, KeyedLock locks, ILoggerFactory loggers)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan ResendInterval = TimeSpan.FromSeconds(60);
    private const int MaxFailedAttempts = 5;

    private readonly IDocumentCollection<SmsCodeDocument> _codes = store.Collection<SmsCodeDocument>("sms_codes");

    // The sandbox's "phone": whoever runs the server reads codes from its console.
    private readonly ILogger _console = loggers.CreateLogger("Harness.SmsSandbox");

    /// <summary>Issues a new code, or returns null when one was sent less than a minute ago.</summary>
    public SmsCodeDocument? Send(string phone)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_codes.Get(phone) is { } previous && now - previous.SentAt < ResendInterval)
        {
            return null;
        }

        var code = new SmsCodeDocument
        {
            Id = phone,
            Code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture),
            SentAt = now,
            ExpiresAt = now + Lifetime,
        };
        _codes.Upsert(code);
        _console.LogInformation("SMS sandbox: sign-in code {Code} for {Phone} (valid {Minutes} minutes)", code.Code, phone, Lifetime.TotalMinutes);
        return code;
    }

    public SmsCodeDocument? Peek(string phone) =>
        _codes.Get(phone) is { } code && code.ExpiresAt > clock.GetUtcNow().UtcDateTime ? code : null;

    /// <summary>
    /// True once for the right, unexpired code; wrong guesses count towards the limit. Serialised per
    /// phone, so concurrent attempts can neither share one code nor exceed the guess limit.
    /// </summary>
    public async Task<bool> VerifyAsync(string phone, string code, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync("sms:" + phone, cancellationToken);
        var stored = _codes.Get(phone);
        if (stored is null || stored.ExpiresAt <= clock.GetUtcNow().UtcDateTime || stored.FailedAttempts >= MaxFailedAttempts)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(stored.Code), System.Text.Encoding.ASCII.GetBytes(code)))
        {
            stored.FailedAttempts++;
            _codes.Upsert(stored);
            return false;
        }

        _codes.Delete(phone);
        return true;
    }
}
