namespace Harness.Finance.Payments.Channels;

/// <summary>
/// The clock notification timestamps are checked against. Always wall-clock time, like the official SDKs: the
/// channels sign with real time, and the backend's own clock may be a test clock moved days ahead.
/// </summary>
public sealed class ChannelClock(TimeProvider time)
{
    public DateTimeOffset Now => time.GetUtcNow();
}
