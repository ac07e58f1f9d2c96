using System.Globalization;

namespace Harness.Host;

/// <summary>
/// The start options. <c>--port N</c> / <c>HARNESS_PORT</c> (default 8005: the Finance app; the
/// surfaces after it take the next ports) and <c>--data DIR</c> / <c>HARNESS_DATA</c> (default
/// <c>data</c> under the working directory) for the backend;
/// <c>--test-clock</c> offers a route that moves the backend's clock, to anyone (conformance runs by URL);
/// <c>--test-restart</c> offers <c>POST /control/restart</c> on the sandbox, which restarts it on its data and ports;
/// <c>--sandbox-port N</c> / <c>HARNESS_SANDBOX_PORT</c> (default 8100, 0 = free ports) for the provider
/// sandbox, <c>--no-sandbox</c> to leave it off and <c>--sandbox-only</c> to run nothing else.
/// Anything else goes to ASP.NET Core's own configuration.
/// </summary>
public sealed record HostSettings(int Port, string? DataDirectory, int? SandboxPort, bool NoSandbox, bool SandboxOnly, bool UrlsGiven, string[] RemainingArgs)
{
    public const int DefaultPort = 8005;

    public bool TestClock { get; init; }

    public bool TestRestart { get; init; }

    public static HostSettings Parse(string[] args, Func<string, string?> environment)
    {
        var port = environment("HARNESS_PORT");
        var data = environment("HARNESS_DATA");
        var sandboxPort = environment("HARNESS_SANDBOX_PORT");
        bool noSandbox = false, sandboxOnly = false, testClock = false, testRestart = false;
        var remaining = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length:
                    port = args[++i];
                    break;
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                case "--sandbox-port" when i + 1 < args.Length:
                    sandboxPort = args[++i];
                    break;
                case "--no-sandbox":
                    noSandbox = true;
                    break;
                case "--sandbox-only":
                    sandboxOnly = true;
                    break;
                case "--test-clock":
                    testClock = true;
                    break;
                case "--test-restart":
                    testRestart = true;
                    break;
                default:
                    remaining.Add(args[i]);
                    break;
            }
        }

        var urlsGiven = remaining.Any(a => a.StartsWith("--urls", StringComparison.Ordinal))
            || !string.IsNullOrEmpty(environment("ASPNETCORE_URLS"));
        return new HostSettings(
            ParsePort(port, "--port") ?? DefaultPort,
            string.IsNullOrEmpty(data) ? null : data,
            ParsePort(sandboxPort, "--sandbox-port"),
            noSandbox,
            sandboxOnly,
            urlsGiven,
            [.. remaining]) { TestClock = testClock, TestRestart = testRestart };
    }

    /// <summary>Only what was given, so configuration files and test hosts keep their say otherwise.</summary>
    public Dictionary<string, string?> ToConfiguration()
    {
        var values = new Dictionary<string, string?>();
        if (DataDirectory is not null)
        {
            values["Harness:DataDirectory"] = DataDirectory;
        }

        if (SandboxPort is { } sandboxPort)
        {
            values["Harness:Sandbox:Port"] = sandboxPort.ToString(CultureInfo.InvariantCulture);
        }

        if (TestClock)
        {
            values["Harness:TestClock"] = "true";
        }

        if (TestRestart)
        {
            values["Harness:Sandbox:RestartRoute"] = "true";
        }

        if (NoSandbox)
        {
            values["Harness:Sandbox:Enabled"] = "false";
        }

        return values;
    }

    private static int? ParsePort(string? value, string option) =>
        string.IsNullOrEmpty(value) ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535 ? port
        : throw new ArgumentException($"{option} must be a number from 0 to 65535, got '{value}'.");
}
