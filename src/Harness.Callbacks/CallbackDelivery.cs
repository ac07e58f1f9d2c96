using System.Text.Json.Serialization;
using Harness.Storage;

namespace Harness.Callbacks;

public enum CallbackStatus
{
    /// <summary>Waiting for its next scheduled attempt.</summary>
    Pending,

    /// <summary>The receiver acknowledged it the way the sender expects.</summary>
    Delivered,

    /// <summary>Every scheduled attempt failed; only a manual resend will try again.</summary>
    Exhausted,

    /// <summary>Lost on the way (a scripted fault): never sent on schedule; a manual resend still sends it.</summary>
    Dropped,
}

/// <summary>
/// One signed notification to one URL, with its retry schedule and the log of every attempt. The body is
/// kept as the exact bytes sent, so a signature can be recomputed over them and a fault replayed.
/// </summary>
public sealed class CallbackDelivery : IDocument
{
    public string Id { get; set; } = "";

    /// <summary>Orders deliveries that fall due at the same instant (enqueue order).</summary>
    public long Sequence { get; set; }

    /// <summary>Who sends it (a provider name, a surface name).</summary>
    public string Source { get; set; } = "";

    /// <summary>What it is about (a payment, a session); used to list and filter.</summary>
    public string Subject { get; set; } = "";

    public string EventType { get; set; } = "";

    public string Method { get; set; } = "POST";

    public string Url { get; set; } = "";

    /// <summary>Headers sent on every attempt, before the signer adds its own.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Exact body bytes; empty for body-less methods. A signer that signs inside the body renders each attempt's
    /// from it (<see cref="ICallbackSigner.Body"/>); the attempts log what was sent.
    /// </summary>
    public byte[] Body { get; set; } = [];

    /// <summary>Name of the <see cref="ICallbackSigner"/> that signs each attempt, or null when the URL or body carries the signature already.</summary>
    public string? Signer { get; set; }

    /// <summary>Free-form switches the signer reads (e.g. a deliberately wrong signature); empty for normal delivery.</summary>
    public Dictionary<string, string> SignerOptions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Waits between consecutive scheduled attempts, in seconds: N entries allow N retries after the first attempt.</summary>
    public List<long> RetryDelaysSeconds { get; set; } = [];

    public CallbackAcknowledgement Acknowledgement { get; set; } = CallbackAcknowledgement.AnyStatus2xx();

    /// <summary>How long the receiver has to answer one attempt, when the sender sets its own deadline (WeChat Pay's 5 s); null: the dispatcher's.</summary>
    public int? AttemptTimeoutSeconds { get; set; }

    public CallbackStatus Status { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the next scheduled attempt is due (UTC, on the injected clock); null once delivered or exhausted.</summary>
    public DateTime? NextAttemptAt { get; set; }

    /// <summary>How many scheduled attempts have been made (manual resends are not counted).</summary>
    public int ScheduledAttempts { get; set; }

    public List<CallbackAttempt> Attempts { get; set; } = [];

    /// <summary>The log's order: the enqueue number, unique.</summary>
    [JsonIgnore]
    public string SequenceOrder => OrderKeys.Number(Sequence);

    /// <summary>The same while the delivery waits for an attempt, none after: what a start schedules again.</summary>
    [JsonIgnore]
    public string? PendingOrder => Status == CallbackStatus.Pending ? SequenceOrder : null;
}

/// <summary>What one attempt sent and what came back, exactly.</summary>
public sealed class CallbackAttempt
{
    public int Number { get; set; }

    /// <summary><c>schedule</c> or <c>resend</c>.</summary>
    public string Trigger { get; set; } = "";

    /// <summary>When it was made, on the injected clock.</summary>
    public DateTime At { get; set; }

    public string Method { get; set; } = "";

    public string Url { get; set; } = "";

    public Dictionary<string, string> RequestHeaders { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public byte[] RequestBody { get; set; } = [];

    /// <summary>Null when no HTTP response arrived (connection refused, timeout).</summary>
    public int? ResponseStatus { get; set; }

    public string ResponseBody { get; set; } = "";

    public string? Error { get; set; }

    /// <summary>Wall-clock duration of the exchange, for the log only.</summary>
    public long LatencyMs { get; set; }

    public bool Acknowledged { get; set; }
}

/// <summary>How a receiver says "got it": a status range and, for some providers, an exact body.</summary>
public sealed class CallbackAcknowledgement
{
    public int MinStatus { get; set; }

    public int MaxStatus { get; set; }

    /// <summary>When set, the status must also be one of these (WeChat Pay takes 200 and 204 only).</summary>
    public List<int>? Statuses { get; set; }

    /// <summary>When set, the response body must be exactly this text: no surrounding space or line break (Alipay's and Epay's <c>success</c>).</summary>
    public string? Body { get; set; }

    public static CallbackAcknowledgement AnyStatus2xx() => new() { MinStatus = 200, MaxStatus = 299 };

    public static CallbackAcknowledgement Status(int status) => new() { MinStatus = status, MaxStatus = status };

    public static CallbackAcknowledgement BodyText(string body) => new() { MinStatus = 200, MaxStatus = 299, Body = body };

    public static CallbackAcknowledgement OneOf(params int[] statuses) => new() { MinStatus = statuses.Min(), MaxStatus = statuses.Max(), Statuses = [.. statuses] };

    public bool IsSatisfiedBy(int? status, string body) =>
        status is { } code && code >= MinStatus && code <= MaxStatus
        && (Statuses is null || Statuses.Contains(code))
        && (Body is null || string.Equals(body, Body, StringComparison.Ordinal));
}
