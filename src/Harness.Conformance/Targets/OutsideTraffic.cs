namespace Harness.Conformance.Targets;

/// <summary>
/// A target's transport for one run: requests to the target's own base address go to its handler; every other
/// URL (the provider sandbox, a merchant receiver the scenario runs) goes over sockets without following
/// redirects, because provider steps assert where a pay page sends the buyer.
/// </summary>
public sealed class OutsideTraffic(Uri baseAddress, HttpMessageHandler target) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _target = new(target, disposeHandler: false);
    private readonly HttpMessageInvoker _outside = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        (IsTarget(request.RequestUri) ? _target : _outside).SendAsync(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _outside.Dispose();
            _target.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool IsTarget(Uri? url) =>
        url is null || Uri.Compare(url, baseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
