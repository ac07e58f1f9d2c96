using System.Globalization;
using System.Security.Cryptography;
using Harness.Security;
using Harness.Storage;

namespace Harness.Portaly.HostedCheckout;

/// <summary>
/// What the buyer has entered on one session's page (its id is the session's): the details last submitted, the
/// email code pending (only its hash is kept), and whether the details are confirmed (email verified, name and phone
/// given), which opens the pay step. The session itself gets the buyer's details once the email is verified.
/// </summary>
public sealed record BuyerProgress(
    string Id,
    string? Email,
    string? Name,
    string? Phone,
    string? CodeHash,
    DateTimeOffset? CodeExpiresAt,
    DateTimeOffset? CodeSentAt,
    int CodeAttempts,
    int CodesSent,
    bool Confirmed,
    DateTimeOffset UpdatedAt) : IDocument
{
    public static BuyerProgress Empty(string sessionId) => new(sessionId, null, null, null, null, null, null, 0, 0, false, default);

    public bool CodePending => CodeHash is not null;
}

/// <summary>
/// A card payment between "about to charge" and its recorded outcome, written before TapPay is called: if the
/// process dies after the charge, <see cref="PaymentRecovery"/> asks TapPay what happened and finishes the session.
/// </summary>
public sealed record PaymentUnderWay(string Id, long Amount, string Currency, DateTimeOffset StartedAt) : IDocument;

/// <summary>Why a code was not accepted.</summary>
public enum CodeVerdict
{
    Accepted,
    Wrong,
    Expired,
    TooManyAttempts,
    NonePending,
}

/// <summary>The buyers' progress and payments under way, with the email code's rules.</summary>
public sealed class BuyerProgressStore(IDocumentStore store, TimeProvider clock)
{
    public const int CodeLength = 6;
    public const int MaxAttempts = 5;
    public const int MaxCodesPerSession = 10;
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    /// <summary>How long before the same address can be sent another code (a double click sends one).</summary>
    public static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(60);

    private readonly IDocumentCollection<BuyerProgress> _progress = store.Collection<BuyerProgress>("hosted_checkout_buyers");
    private readonly IDocumentCollection<PaymentUnderWay> _payments = store.Collection<PaymentUnderWay>("hosted_checkout_payments");

    public BuyerProgress Of(string sessionId) => _progress.Get(sessionId) ?? BuyerProgress.Empty(sessionId);

    public void Put(BuyerProgress progress) => _progress.Upsert(progress with { UpdatedAt = clock.GetUtcNow() });

    /// <summary>
    /// A new code for <paramref name="progress"/>'s email (replacing any pending one, attempts reset); the code in clear
    /// to mail, or null when the session has had its share of codes.
    /// </summary>
    public (BuyerProgress Progress, string? Code) IssueCode(BuyerProgress progress)
    {
        if (progress.CodesSent >= MaxCodesPerSession)
        {
            return (progress, null);
        }

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        var now = clock.GetUtcNow();
        var issued = progress with
        {
            CodeHash = HashOf(progress.Id, code),
            CodeExpiresAt = now + CodeLifetime,
            CodeSentAt = now,
            CodeAttempts = 0,
            CodesSent = progress.CodesSent + 1,
        };
        Put(issued);
        return (issued, code);
    }

    /// <summary>Whether the address was sent a code that is fresh and still usable (so a repeated submit does not send another).</summary>
    public bool RecentlySent(BuyerProgress progress) =>
        progress is { CodePending: true, CodeSentAt: { } sent, CodeAttempts: < MaxAttempts } && clock.GetUtcNow() - sent < ResendAfter;

    /// <summary>Checks a submitted code; a wrong one counts an attempt, an accepted one is consumed.</summary>
    public (BuyerProgress Progress, CodeVerdict Verdict) Check(BuyerProgress progress, string submitted)
    {
        if (progress.CodeHash is not { } hash)
        {
            return (progress, CodeVerdict.NonePending);
        }

        if (progress.CodeAttempts >= MaxAttempts)
        {
            return (progress, CodeVerdict.TooManyAttempts);
        }

        if (clock.GetUtcNow() >= progress.CodeExpiresAt)
        {
            return (progress, CodeVerdict.Expired);
        }

        if (submitted.Length != CodeLength || !Secrets.HashMatches(progress.Id + ":" + submitted, hash))
        {
            var counted = progress with { CodeAttempts = progress.CodeAttempts + 1 };
            Put(counted);
            return (counted, counted.CodeAttempts >= MaxAttempts ? CodeVerdict.TooManyAttempts : CodeVerdict.Wrong);
        }

        var consumed = progress with { CodeHash = null, CodeExpiresAt = null, CodeAttempts = 0 };
        return (consumed, CodeVerdict.Accepted);
    }

    public PaymentUnderWay? PaymentOf(string sessionId) => _payments.Get(sessionId);

    public IReadOnlyList<PaymentUnderWay> Payments() => _payments.All();

    public void Begin(PaymentUnderWay payment) => _payments.Upsert(payment);

    public void End(string sessionId) => _payments.Delete(sessionId);

    // Salted with the session id: the same six digits on two sessions do not share a hash.
    private static string HashOf(string sessionId, string code) => Secrets.Hash(sessionId + ":" + code);
}
