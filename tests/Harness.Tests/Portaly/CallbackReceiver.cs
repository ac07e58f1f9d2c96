using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Harness.Tests.Portaly;

/// <summary>One callback as it arrived: the three Portaly headers and the raw body.</summary>
public sealed record ReceivedCallback(string? Event, string? Timestamp, string? Signature, string Body);

/// <summary>
/// A merchant's callback endpoint on a loopback port: records every request and answers with the scripted statuses in
/// turn (then 200), so tests can make a receiver fail a few times and recover.
/// </summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script = new();
    private readonly ConcurrentQueue<ReceivedCallback> _received = new();

    private CallbackReceiver(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/portaly/callback";

    public IReadOnlyList<ReceivedCallback> Received => [.. _received];

    /// <summary>How long each request is held after it is recorded and before it is answered, as a receiver that does some work.</summary>
    public TimeSpan AnswerDelay { get; set; }

    public static async Task<CallbackReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new CallbackReceiver(app);
        app.MapPost("/portaly/callback", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            receiver._received.Enqueue(new ReceivedCallback(
                request.Headers["x-portaly-event"].FirstOrDefault(),
                request.Headers["x-portaly-timestamp"].FirstOrDefault(),
                request.Headers["x-portaly-signature"].FirstOrDefault(),
                await reader.ReadToEndAsync()));
            await Task.Delay(receiver.AnswerDelay);
            return Results.StatusCode(receiver._script.TryDequeue(out var status) ? status : 200);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    /// <summary>The next requests are answered with these statuses, in order.</summary>
    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue(status);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
