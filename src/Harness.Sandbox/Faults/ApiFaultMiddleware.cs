using Harness.Http;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Faults;

/// <summary>
/// Applies provider-API faults before the provider's handler runs: held responses (latency on the sandbox clock)
/// and 5xx answers in the provider's own error shape. A payment-scoped fault fires for requests whose path or
/// query names that payment.
/// </summary>
public sealed class ApiFaultMiddleware(RequestDelegate next, ISandboxProvider provider, SandboxContext context)
{
    public const string FaultHeader = "X-Sandbox-Fault";

    public async Task InvokeAsync(HttpContext http)
    {
        var target = http.Request.Path.Value + http.Request.QueryString.Value;
        bool Names(string paymentId) => target.Contains(paymentId, StringComparison.Ordinal);

        if (context.Faults.Take(FaultKind.Latency, provider.Name, Names) is { } latency)
        {
            var until = context.Clock.GetUtcNow().AddSeconds(latency.Seconds ?? 5);
            await context.Clock.WaitUntilAsync(until, wake: null, http.RequestAborted);
            http.Response.Headers.Append(FaultHeader, "latency");
        }

        if (context.Faults.Take(FaultKind.ServerError, provider.Name, Names) is { } serverError)
        {
            http.Response.Headers.Append(FaultHeader, "server_error");
            var kind = serverError.Status == StatusCodes.Status503ServiceUnavailable ? ApiErrorKind.Unavailable : ApiErrorKind.Internal;
            await provider.Errors.Error(kind, "sandbox fault: injected server error").ExecuteAsync(http);
            return;
        }

        await next(http);
    }
}
