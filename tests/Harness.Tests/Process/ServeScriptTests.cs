using System.Net;
using Harness.Tests.Support;

namespace Harness.Tests.Process;

/// <summary>The backend as users run it: <c>./run-harness.sh serve</c> in its own process, over real HTTP.</summary>
public sealed class ServeScriptTests
{
    [Fact]
    public async Task Script_serves_consumes_coins_over_http_and_stops_cleanly_on_sigterm()
    {
        await using var harness = await HarnessProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var client = new FinanceClient(new HttpClient { BaseAddress = harness.BaseUrl });

        Assert.Contains("Harness reference backend is running.", harness.Output, StringComparison.Ordinal);
        Assert.Contains($"http://localhost:{harness.Port}/scalar", harness.Output, StringComparison.Ordinal);
        var reply = await client.Send(
            HttpMethod.Post,
            "/openapi/coin/consume",
            new { userId = "u_demo_user", idempotencyKey = "process-1", serviceCode = "report-export", consumeType = "FIXED" },
            apiKey: "hk_demo_LocalDemoKeyForTheHarnessOnly");

        reply.EnsureOk();
        Assert.Equal(50, reply.Data.GetProperty("coins").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await client.Get("/scalar/v1")).Status);
        Assert.Equal(0, await harness.StopAsync(TimeSpan.FromSeconds(30)));
    }
}
