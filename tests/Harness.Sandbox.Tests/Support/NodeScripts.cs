using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Harness.Sandbox.Tests.Support;

/// <summary>Runs scripts in tests/sdk-clients with Node, installing the SDKs there first when they are missing.</summary>
public static class NodeScripts
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string Folder { get; } = Path.Combine(RepositoryRoot(), "tests", "sdk-clients");

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        // Test classes run in parallel: one npm install at a time, and only when a package is missing.
        await InstallLock.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (Dependencies().Any(name => !Directory.Exists(Path.Combine(Folder, "node_modules", name))))
            {
                var install = await ExecAsync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock"], new Dictionary<string, string>());
                Assert.True(install.ExitCode == 0, "npm install failed: " + install.Errors);
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return await ExecAsync("node", [script], environment);
    }

    /// <summary>The SDKs package.json names; a checkout missing any of them gets <c>npm install</c>.</summary>
    private static IEnumerable<string> Dependencies() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "package.json")))!["dependencies"]!.AsObject().Select(d => d.Key);

    private static async Task<(int ExitCode, string Output, string Errors)> ExecAsync(string file, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await output, await errors);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Harness.sln not found above " + AppContext.BaseDirectory);
    }
}
