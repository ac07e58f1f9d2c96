using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Harness.Testing;

/// <summary>
/// A loopback port in front of an in-process test server, so something outside the process's test host (the provider
/// sandbox delivering notifications) reaches the backend over real HTTP. Each request is passed on as it came.
/// </summary>
public sealed class LoopbackRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private HttpMessageInvoker? _target;

    private LoopbackRelay(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.First();

    public static LoopbackRelay Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var relay = new LoopbackRelay(app);
        app.Run(relay.ForwardAsync);
        app.StartAsync().GetAwaiter().GetResult();
        return relay;
    }

    /// <summary>Where requests go from now on (the test server's handler).</summary>
    public void ForwardTo(HttpMessageHandler handler) => _target = new HttpMessageInvoker(handler, disposeHandler: false);

    private async Task ForwardAsync(HttpContext context)
    {
        if (_target is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var incoming = context.Request;
        using var body = new MemoryStream();
        await incoming.Body.CopyToAsync(body, context.RequestAborted);
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri("http://localhost" + incoming.Path + incoming.QueryString))
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        foreach (var (name, values) in incoming.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var answer = await _target.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        _target?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
