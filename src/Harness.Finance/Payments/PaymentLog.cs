using Harness.Storage;

namespace Harness.Finance.Payments;

/// <summary>What became of one notification.</summary>
public static class NotificationOutcome
{
    public const string Credited = "CREDITED";
    public const string Paid = "PAID";
    public const string Duplicate = "DUPLICATE";
    public const string Refused = "REFUSED";
    public const string Flagged = "FLAGGED";
    public const string Ignored = "IGNORED";
    public const string Failed = "FAILED";
}

/// <summary>Why a payment waits for an operator instead of being applied.</summary>
public static class ReviewKind
{
    public const string UnknownOrder = "UNKNOWN_ORDER";
    public const string AmountMismatch = "AMOUNT_MISMATCH";
    public const string PaidAfterClose = "PAID_AFTER_CLOSE";
    public const string CreditRefused = "CREDIT_REFUSED";
}

/// <summary>One notification as received: verified or not, and what it did.</summary>
public sealed class NotificationRecord : IDocument
{
    public string Id { get; set; } = "";

    public string Channel { get; set; } = "";

    public string? NotificationId { get; set; }

    public string? OutTradeNo { get; set; }

    public string Outcome { get; set; } = "";

    public string? Reason { get; set; }

    public DateTime ReceivedAt { get; set; }
}

/// <summary>A payment the channel reports that was not applied: it waits here for an operator, once per order and kind.</summary>
public sealed class PaymentReview : IDocument
{
    /// <summary><c>{channel}:{outTradeNo}:{kind}</c>: a repeated notification does not add a second review.</summary>
    public string Id { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Channel { get; set; } = "";

    public string OutTradeNo { get; set; } = "";

    public string? UserId { get; set; }

    public long? ExpectedAmount { get; set; }

    public long? PaidAmount { get; set; }

    public string? ChannelTradeNo { get; set; }

    public string Detail { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime? ResolvedAt { get; set; }

    public string? ResolvedBy { get; set; }

    public string? Resolution { get; set; }
}

/// <summary>The notification log and the review queue of the payment channels.</summary>
public sealed class PaymentLog(IDocumentStore store, TimeProvider clock)
{
    private readonly IDocumentCollection<NotificationRecord> _notifications = store.Collection<NotificationRecord>("payment_notifications", nameof(NotificationRecord.OutTradeNo));
    private readonly IDocumentCollection<PaymentReview> _reviews = store.Collection<PaymentReview>("payment_reviews");

    public NotificationRecord Note(string channel, string? notificationId, string? outTradeNo, string outcome, string? reason)
    {
        var record = new NotificationRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            Channel = channel,
            NotificationId = notificationId,
            OutTradeNo = outTradeNo,
            Outcome = outcome,
            Reason = reason,
            ReceivedAt = clock.GetUtcNow().UtcDateTime,
        };
        _notifications.Upsert(record);
        return record;
    }

    /// <summary>Queues a review unless the same order already waits for the same reason.</summary>
    public PaymentReview Flag(string kind, string channel, string outTradeNo, PaymentOrder? order, long? paidAmount, string? channelTradeNo, string detail)
    {
        var review = new PaymentReview
        {
            Id = $"{channel}:{outTradeNo}:{kind}",
            Kind = kind,
            Channel = channel,
            OutTradeNo = outTradeNo,
            UserId = order?.UserId,
            ExpectedAmount = order?.Amount,
            PaidAmount = paidAmount,
            ChannelTradeNo = channelTradeNo,
            Detail = detail,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        return _reviews.TryInsert(review) ? review : _reviews.Get(review.Id)!;
    }

    /// <summary>Newest first, optionally one order's.</summary>
    public IReadOnlyList<NotificationRecord> Notifications(string? outTradeNo) =>
        [.. (outTradeNo is null ? _notifications.All() : _notifications.FindBy(nameof(NotificationRecord.OutTradeNo), outTradeNo))
            .OrderByDescending(n => n.ReceivedAt).ThenByDescending(n => n.Id, StringComparer.Ordinal)];

    public IReadOnlyList<PaymentReview> Reviews(bool? resolved) =>
        [.. _reviews.All().Where(r => resolved is null || (r.ResolvedAt is not null) == resolved).OrderByDescending(r => r.CreatedAt)];

    public PaymentReview? Review(string id) => _reviews.Get(id);

    public void Save(PaymentReview review) => _reviews.Upsert(review);
}
