using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Harness.Portaly;

/// <summary>Where the hosted pages are reached: <c>Portaly:PublicBaseUrl</c>, else the request's own scheme and host.</summary>
public static class PublicUrls
{
    public static string Base(HttpContext context)
    {
        var configured = context.RequestServices.GetRequiredService<IOptions<PortalyOptions>>().Value.PublicBaseUrl;
        return string.IsNullOrEmpty(configured) ? $"{context.Request.Scheme}://{context.Request.Host}" : configured.TrimEnd('/');
    }
}
