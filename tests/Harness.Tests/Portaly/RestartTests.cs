using System.Net;
using Harness.Portaly.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Portaly;

public sealed class RestartTests
{
    [Fact]
    public async Task Keys_plans_and_codes_survive_a_restart_and_the_demo_keys_are_not_issued_again()
    {
        var directory = TempDirectory.Create("portaly-restart");
        try
        {
            string secret, planId;
            await using (var first = new PortalyTestApp(directory))
            {
                secret = (await first.Admin().Post("/api-keys", new { profileId = "shop-2", mode = "test" })).Data["secret"]!.GetValue<string>();
                planId = await first.Live().CreatePlan();
                await first.Test().Post("/discount-codes", new { code = "KEEP", rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "free" } } } });
            }

            await using var second = new PortalyTestApp(directory);
            var keys = second.Services.GetRequiredService<Harness.Storage.IDocumentStore>().Collection<PortalyApiKey>("api_keys").All();

            Assert.Equal(3, keys.Count);
            Assert.Equal(HttpStatusCode.OK, (await second.With(secret).Get("/config")).Status);
            Assert.Equal(HttpStatusCode.OK, (await second.Test().Get("/plans/" + planId)).Status);
            Assert.Equal(HttpStatusCode.OK, (await second.Live().Get("/discount-codes/lookup?code=keep")).Status);
        }
        finally
        {
            TempDirectory.TryDelete(directory);
        }
    }
}
