namespace Harness.Host;

/// <summary><c>./run-harness.sh sandbox</c>: the provider sandbox alone, for developers who bring their own backend.</summary>
internal static class SandboxOnly
{
    public static async Task RunAsync(HostSettings settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = settings.RemainingArgs,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
        builder.Services.AddSingleton<SandboxHosting>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SandboxHosting>());
        using var host = builder.Build();
        await host.StartAsync();
        Console.Out.WriteLine();
        Console.Out.WriteLine(host.Services.GetRequiredService<SandboxHosting>().Server!.Describe());
        Console.Out.WriteLine();
        Console.Out.WriteLine("Press Ctrl-C to stop.");
        await host.WaitForShutdownAsync();
    }
}
