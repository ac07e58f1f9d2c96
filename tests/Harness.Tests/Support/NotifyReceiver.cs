using Harness.Finance.Payments.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Arrivals = System.Threading.Channels.Channel;

namespace Harness.Tests.Support;

/// <summary>
/// A merchant's notify endpoint on a loopback port, as the backend wires one: every request is read by the channel,
/// answered with its <see cref="IPaymentChannel.Acknowledge"/> or <see cref="IPaymentChannel.Refuse"/>, and what the
/// channel read is kept for the test.
/// </summary>
public sealed class NotifyReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly System.Threading.Channels.Channel<ChannelNotification> _read = Arrivals.CreateUnbounded<ChannelNotification>();

    private NotifyReceiver(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/notify";

    public static async Task<NotifyReceiver> StartAsync(IPaymentChannel channel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new NotifyReceiver(app);
        app.MapPost("/notify", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var notification = await channel.ReadNotificationAsync(request, cancellationToken);
            receiver._read.Writer.TryWrite(notification);
            return notification.Refusal is { } reason ? channel.Refuse(reason) : channel.Acknowledge();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    /// <summary>What the channel made of the next request (waits up to 30 s).</summary>
    public async Task<ChannelNotification> NextAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        return await _read.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
