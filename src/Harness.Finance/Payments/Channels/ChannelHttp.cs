namespace Harness.Finance.Payments.Channels;

/// <summary>The one HTTP client the channels call out with: pooled connections, and a bound on how long a caller waits.</summary>
public sealed class ChannelHttp : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public HttpClient Client { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = Timeout };

    public void Dispose() => Client.Dispose();
}
