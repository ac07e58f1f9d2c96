using Harness.Backend.Demo;
using Harness.Sandbox;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Harness.Host;

/// <summary>The start banner: where everything is and how to try it in one paste.</summary>
internal static class Banner
{
    public static void Print(WebApplication app, DemoCredentials? demo, SandboxServer? sandbox)
    {
        if (!app.Configuration.GetValue("Harness:Banner", true))
        {
            return;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            return;
        }

        var baseUrl = address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal).Replace("[::1]", "localhost", StringComparison.Ordinal);
        var lines = new List<string>
        {
            "",
            "Harness reference backend is running.",
            "",
            $"  Base URL      {baseUrl}",
            $"  API docs      {baseUrl}/scalar   (OpenAPI JSON: {baseUrl}/openapi/v1.json)",
            $"  Health        {baseUrl}/api/health",
            $"  Data          {Path.GetFullPath(app.Configuration["Harness:DataDirectory"] ?? "data")}",
        };
        if (demo is not null)
        {
            lines.AddRange(
            [
                "",
                "Demo credentials (fresh tokens each start; a new sign-in ends the previous token):",
                $"  Admin   userId {demo.Admin.Id}  phone {demo.Admin.Phone}",
                $"          token  {demo.AdminToken}",
                $"  User    userId {demo.User.Id}  phone {demo.User.Phone}",
                $"          token  {demo.UserToken}",
                $"  OpenAPI key (all users)  {demo.ApiKey}",
                "  Sign in as anyone: POST /api/auth/sms/sendCode {phone}, read GET /api/auth/sms/sandbox/code?phone=, POST /api/auth/login {phone, code}",
                "",
                "Consume coins (run it twice: the second call is a replay and charges nothing):",
                $"  curl -s {baseUrl}/api/finance/consume -H 'Authorization: Bearer {demo.UserToken}' -H 'Content-Type: application/json' \\",
                "    -d '{\"idempotencyKey\":\"demo-1\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":1500}'",
                "",
                "Same through the OpenAPI key:",
                $"  curl -s {baseUrl}/openapi/coin/consume -H 'X-API-Key: {demo.ApiKey}' -H 'Content-Type: application/json' \\",
                $"    -d '{{\"userId\":\"{demo.User.Id}\",\"idempotencyKey\":\"demo-2\",\"serviceCode\":\"report-export\",\"consumeType\":\"FIXED\"}}'",
            ]);
        }

        if (sandbox is not null)
        {
            lines.Add("");
            lines.Add(sandbox.Describe());
            lines.Add("  guide: docs/sandbox.md (pointing Stripe.net, stripe-node, creem and go-epay at these URLs)");
        }

        lines.Add("");
        lines.Add("Press Ctrl-C to stop.");
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
        Console.Out.Flush();
    }
}
