using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Harness.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Conformance.Tests.Support;

/// <summary>
/// The provider sandbox in-process for the provider features: consecutive free ports (so a restart gets the same
/// URLs), its own data folder, and a frozen base clock that only the control API's clock advance moves.
/// </summary>
public sealed class InProcessSandbox : IAsyncDisposable
{
    private readonly string _dataDirectory = TempDirectory.Create("sandbox");
    /// <summary>
    /// How far behind the real time the clock starts. The reference backend's channels stamp an order's time_expire with
    /// the real time (their notifications carry real timestamps), and the sandbox holds it to its own clock: WeChat Pay's
    /// at least a minute ahead, Alipay's at most 15 days ahead. Starting 14 days behind leaves the scenarios that move
    /// the shared clock (by days, in all) room before real-time orders would lie in the sandbox's past; a fixed start
    /// date would instead stop the Finance scenarios working 15 days after it.
    /// </summary>
    private static readonly TimeSpan BehindRealTime = TimeSpan.FromDays(14);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()) - BehindRealTime);
    private readonly int _basePort;
    private SandboxServer? _server;

    private InProcessSandbox(int basePort) => _basePort = basePort;

    public string ControlUrl => Server.ControlBaseUrl;

    /// <summary>
    /// What a backend beside this sandbox is configured with: the folder of its published keys and its WeChat Pay and
    /// Alipay listeners (the settings a backend started by <c>./run-harness.sh</c> gets by itself).
    /// </summary>
    public IReadOnlyDictionary<string, string?> ChannelSettings => new Dictionary<string, string?>
    {
        ["Harness:Payments:SandboxKeys"] = Path.Combine(_dataDirectory, "keys"),
        ["WECHAT_PAY_BASE_URL"] = Server.BaseUrlOf("wechatpay"),
        ["ALIPAY_GATEWAY"] = Server.BaseUrlOf("alipay") + "/gateway.do",
    };

    public string BaseUrlOf(string provider) => Server.BaseUrlOf(provider);

    /// <summary>Where the provider's webhooks go unless a scenario or an earlier app has set it.</summary>
    public void UseWebhookUrlIfUnset(string provider, string url) => Server.UseWebhookUrlIfUnset(provider, url);

    private SandboxServer Server => _server ?? throw new InvalidOperationException("The sandbox is not running.");

    /// <summary>Control and five providers; a port taken between probing and listening makes it try another run.</summary>
    public static async Task<InProcessSandbox> StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var sandbox = new InProcessSandbox(FreePortRun(6));
            try
            {
                await sandbox.StartServerAsync(cancellationToken);
                return sandbox;
            }
            catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException && attempt < 5)
            {
                await sandbox.DisposeAsync();
            }
        }
    }

    /// <summary>Stops the sandbox and starts it again on the same folder and ports; the clock carries on where it was.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var clock = JsonDocument.Parse(await http.GetStringAsync(new Uri(ControlUrl + "/control/clock"), cancellationToken));
        await Server.DisposeAsync();
        _clock.Advance(TimeSpan.FromSeconds(clock.RootElement.GetProperty("offset_seconds").GetInt64()));
        await StartServerAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        TempDirectory.TryDelete(_dataDirectory);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken) =>
        _server = await SandboxServer.StartAsync(new SandboxOptions { DataDirectory = _dataDirectory, BasePort = _basePort, Clock = _clock }, cancellationToken);

    /// <summary>The first of <paramref name="count"/> consecutive loopback ports that are all free now.</summary>
    private static int FreePortRun(int count)
    {
        while (true)
        {
            var first = Random.Shared.Next(20_000, 60_000);
            var probes = new List<TcpListener>();
            try
            {
                for (var port = first; port < first + count; port++)
                {
                    var probe = new TcpListener(IPAddress.Loopback, port);
                    probe.Start();
                    probes.Add(probe);
                }

                return first;
            }
            catch (SocketException)
            {
                // One of them is taken: try another run.
            }
            finally
            {
                probes.ForEach(p => p.Stop());
            }
        }
    }
}
