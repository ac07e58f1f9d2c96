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

        Assert.Contains("Harness is running.", harness.Output, StringComparison.Ordinal);
        Assert.Matches($@"New-API\s+http://localhost:{harness.Port + 1}", harness.Output);
        Assert.Matches($@"Portaly\s+http://localhost:{harness.Port + 2}", harness.Output);
        Assert.Contains($"http://localhost:{harness.Port}/scalar", harness.Output, StringComparison.Ordinal);
        var reply = await client.Send(
            HttpMethod.Post,
            "/openapi/coin/consume",
            new { userId = "u_demo_user", idempotencyKey = "process-1", serviceCode = "report-export", consumeType = "FIXED" },
            apiKey: "hk_demo_LocalDemoKeyForTheHarnessOnly");

        reply.EnsureOk();
        Assert.Equal(50, reply.Data.GetProperty("coins").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await client.Get("/scalar/v1")).Status);

        // New-API runs on the next port with its demo root.
        using var newApi = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{harness.Port + 1}") };
        newApi.DefaultRequestHeaders.Add("Authorization", "Bearer newapi-demo-root-access-token-01");
        newApi.DefaultRequestHeaders.Add("New-Api-User", "1");
        Assert.Contains("\"username\":\"root\"", await newApi.GetStringAsync(new Uri("/api/user/self", UriKind.Relative), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        // The provider sandbox runs beside the backend and publishes its merchant credentials.
        var control = harness.SandboxControlUrl!.ToString().TrimEnd('/');
        using var sandbox = new HttpClient();
        var providers = await sandbox.GetStringAsync(new Uri(control + "/control/providers"), TestContext.Current.CancellationToken);
        Assert.Contains("sk_test_", providers, StringComparison.Ordinal);
        Assert.Equal(0, await harness.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Sandbox_verb_runs_the_provider_sandbox_alone()
    {
        await using var sandbox = await HarnessProcess.StartSandboxAsync(cancellationToken: TestContext.Current.CancellationToken);
        var control = sandbox.SandboxControlUrl!.ToString().TrimEnd('/');
        using var http = new HttpClient();

        var providers = await http.GetStringAsync(new Uri(control + "/control/providers"), TestContext.Current.CancellationToken);

        Assert.Contains("Harness provider sandbox is running.", sandbox.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("/api/health", sandbox.Output, StringComparison.Ordinal);
        Assert.Contains("\"epay\"", providers, StringComparison.Ordinal);
        Assert.Equal(0, await sandbox.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_free_port_taken_before_the_backend_binds_it_is_chosen_again()
    {
        // The first port "chosen" is one another listener holds, as when a neighbouring test takes it first.
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var chosen = new List<int>();

        await using var harness = await HarnessProcess.StartAsync(
            () =>
            {
                chosen.Add(chosen.Count == 0 ? takenPort : HarnessProcess.FreeSurfacePort());
                return chosen[^1];
            },
            retryPorts: true,
            dataDirectory: null,
            TestContext.Current.CancellationToken);

        Assert.Equal(2, chosen.Count);
        Assert.Equal(chosen[1], harness.Port);
        using var http = new HttpClient { BaseAddress = harness.BaseUrl };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/health", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
    }
}
