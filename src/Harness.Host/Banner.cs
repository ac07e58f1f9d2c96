namespace Harness.Host;

/// <summary>The start banner: every surface and the sandbox, where they listen and how to try them.</summary>
internal static class Banner
{
    public static void Print(IConfiguration configuration, SurfaceHosting? surfaces, SandboxHosting? sandbox)
    {
        if (!configuration.GetValue("Harness:Banner", true))
        {
            return;
        }

        var lines = new List<string> { "", surfaces is null ? "Harness provider sandbox is running." : "Harness is running.", "" };
        if (surfaces is not null)
        {
            lines.AddRange(surfaces.Description);
        }

        if (sandbox?.Server is { } server)
        {
            lines.Add("");
            lines.Add(server.Describe());
            lines.Add("  guide: docs/sandbox.md (pointing Stripe.net, stripe-node, creem, go-epay, wechatpay-node-v3 and alipay-sdk at these URLs)");
        }

        lines.Add("");
        lines.Add("Press Ctrl-C to stop.");
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
        Console.Out.Flush();
    }
}
