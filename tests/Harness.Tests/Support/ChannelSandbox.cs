using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Finance;
using Harness.Finance.Payments.Channels;
using Harness.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Tests.Support;

/// <summary>
/// The provider sandbox in-process on free ports, with the channel settings a backend gets when it runs beside it
/// (the sandbox's key folder and listener URLs), for testing the backend's WeChat Pay and Alipay clients on the wire.
/// </summary>
public sealed class ChannelSandbox : IAsyncDisposable
{
    private readonly string _dataDirectory;

    private ChannelSandbox(SandboxServer server, string dataDirectory)
    {
        Server = server;
        _dataDirectory = dataDirectory;
        Control = new HttpClient { BaseAddress = new Uri(server.ControlBaseUrl) };
        Settings = SettingsWith(new Dictionary<string, string?>());
    }

    public SandboxServer Server { get; }

    /// <summary>The control API and pay pages; does not follow redirects.</summary>
    public HttpClient Control { get; }

    /// <summary>What the backend's channels read: the sandbox's published keys and its listeners.</summary>
    public ChannelSettings Settings { get; }

    public static async Task<ChannelSandbox> StartAsync()
    {
        var dataDirectory = TempDirectory.Create("channel-sandbox");
        var server = await SandboxServer.StartAsync(
            new SandboxOptions
            {
                DataDirectory = dataDirectory,
                BasePort = 0,
                Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)),
            },
            TestContext.Current.CancellationToken);
        return new ChannelSandbox(server, dataDirectory);
    }

    /// <summary>The sandbox's settings with some values overridden (e.g. a wrong key) by their seed names.</summary>
    public ChannelSettings SettingsWith(IReadOnlyDictionary<string, string?> overrides)
    {
        var values = new Dictionary<string, string?>
        {
            ["Harness:Payments:SandboxKeys"] = Path.Combine(_dataDirectory, "keys"),
            ["WECHAT_PAY_BASE_URL"] = Server.BaseUrlOf("wechatpay"),
            ["ALIPAY_GATEWAY"] = Server.BaseUrlOf("alipay") + "/gateway.do",
        };
        foreach (var (key, value) in overrides)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ChannelSettings(configuration, Options.Create(new FinanceOptions { DataDirectory = _dataDirectory }));
    }

    /// <summary>The sandbox payment behind a merchant order number (its pay page, its state).</summary>
    public async Task<JsonObject> PaymentOfAsync(string provider, string outTradeNo)
    {
        var payments = (JsonArray)JsonNode.Parse(await Control.GetStringAsync($"/control/payments?provider={provider}", TestContext.Current.CancellationToken))!;
        return payments.OfType<JsonObject>().Single(p => p.ToJsonString().Contains(outTradeNo, StringComparison.Ordinal));
    }

    /// <summary>Pays (or fails, cancels) a payment as the buyer would on the hosted page.</summary>
    public async Task ActAsync(string paymentId, string action = "pay")
    {
        using var response = await Control.PostAsJsonAsync($"/control/payments/{paymentId}/{action}", new { }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await Server.DisposeAsync();
        TempDirectory.TryDelete(_dataDirectory);
    }
}
