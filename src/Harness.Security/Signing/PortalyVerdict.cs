namespace Harness.Security.Signing;

/// <summary>The outcome of <see cref="PortalySignature.Verify"/>: valid, or the first receiver rule the callback broke.</summary>
public enum PortalyVerdict
{
    Valid,
    MissingHeader,
    MalformedTimestamp,
    StaleTimestamp,
    FutureTimestamp,
    MalformedBody,
    SignatureMismatch,
    EventMismatch,
}
