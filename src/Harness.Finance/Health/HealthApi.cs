using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Finance.Health;

public sealed record HealthView(string Status, DateTimeOffset Time);

public static class HealthApi
{
    /// <summary>No auth (whitelisted by the Finance document). The host only listens once the ledger is loaded.</summary>
    public static void MapHealth(this RouteGroupBuilder api) =>
        api.MapGet("/health", (TimeProvider clock) => FinanceEnvelope.Ok(new HealthView("UP", clock.GetUtcNow())))
            .AllowAnonymous()
            .WithTags("Platform")
            .WithSummary("Liveness: 200 once the backend is ready");
}
