using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Harness.Sandbox.Tests.Support;

/// <summary>One request a merchant endpoint received, exactly.</summary>
public sealed record Received(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, IReadOnlyDictionary<string, string> Form)
{
    public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : "";
}

/// <summary>
/// A merchant's callback endpoint on a free local port. It answers with a scripted sequence of responses
/// (then a default) and records every request it gets.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<Received> _arrivals = Channel.CreateUnbounded<Received>();
    private readonly Queue<(int Status, string Body)> _script = new();
    private readonly List<Received> _all = [];

    private Receiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public (int Status, string Body) Default { get; set; } = (200, "");

    /// <summary>How long to wait before answering (a slow merchant); the wait ends when the sender gives up.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Which requests the script answers; the others get <see cref="Default"/>. All requests by default.</summary>
    public Func<Received, bool> ScriptApplies { get; set; } = _ => true;

    public IReadOnlyList<Received> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    public static async Task<Receiver> StartAsync(string path = "/hook")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.Map(path, receiver.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + path;
        return receiver;
    }

    /// <summary>The next responses, in order; afterwards <see cref="Default"/>.</summary>
    public void Script(params (int Status, string Body)[] responses)
    {
        lock (_script)
        {
            foreach (var r in responses)
            {
                _script.Enqueue(r);
            }
        }
    }

    /// <summary>The next request to arrive (the test run's cancellation bounds the wait; no timing is asserted).</summary>
    public async Task<Received> NextAsync()
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromSeconds(30));
        return await _arrivals.Reader.ReadAsync(guard.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (http.Request.HasFormContentType)
        {
            foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split('=', 2);
                form[Uri.UnescapeDataString(parts[0].Replace('+', ' '))] = Uri.UnescapeDataString(parts.ElementAtOrDefault(1)?.Replace('+', ' ') ?? "");
            }
        }

        var received = new Received(
            http.Request.Method,
            http.Request.Path,
            http.Request.QueryString.Value ?? "",
            http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            form);
        lock (_all)
        {
            _all.Add(received);
        }

        (int Status, string Body) answer;
        lock (_script)
        {
            answer = _script.Count > 0 && ScriptApplies(received) ? _script.Dequeue() : Default;
        }

        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the sender stopped waiting: there is no one to answer
            }
        }

        http.Response.StatusCode = answer.Status;
        if (answer.Body.Length > 0)
        {
            await http.Response.WriteAsync(answer.Body);
        }

        _arrivals.Writer.TryWrite(received);
    }
}
