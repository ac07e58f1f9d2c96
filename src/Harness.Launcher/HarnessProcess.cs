using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Harness.Launcher;

/// <summary>
/// The reference backend started the way a user starts it, <c>./run-harness.sh serve</c>, as a separate
/// process on a free port with its own data directory. <c>--no-build</c>: the test run has built it.
/// </summary>
public sealed class HarnessProcess : IAsyncDisposable
{
    private readonly Process _process;
    private int _disposed;
    private readonly StringBuilder _output = new();

    private HarnessProcess(Process process, int port, string dataDirectory)
    {
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    public bool HasExited => _process.HasExited;

    /// <summary>The backend's own process id: <c>run-harness.sh</c> execs <c>dotnet</c>, so the script's process becomes the backend's.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The sandbox's control URL, as the banner prints it ("control + pay pages"); null before the banner or without a sandbox.</summary>
    public Uri? SandboxControlUrl =>
        System.Text.RegularExpressions.Regex.Match(Output, @"control \+ pay pages\s+(http://\S+)") is { Success: true } found ? new Uri(found.Groups[1].Value) : null;

    /// <summary>The backend's test clock, as the banner prints it (<c>serve --test-clock</c>); null otherwise.</summary>
    public Uri? TestClockUrl =>
        System.Text.RegularExpressions.Regex.Match(Output, @"Test clock\s+(http://\S+)") is { Success: true } found ? new Uri(found.Groups[1].Value) : null;

    /// <summary>The banner's last line is out: every surface and the sandbox have started.</summary>
    public bool BannerPrinted => Output.Contains("Press Ctrl-C", StringComparison.Ordinal);

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>serve</c> (backend and sandbox on free ports) and waits until <c>/api/health</c> answers 200 and the
    /// banner is out. <paramref name="options"/> are further <c>serve</c> options, e.g. <c>--test-clock</c>.
    /// </summary>
    public static Task<HarnessProcess> StartAsync(string? dataDirectory = null, int? port = null, CancellationToken cancellationToken = default, params string[] options) =>
        StartAsync(port is { } fixedPort ? () => fixedPort : FreeSurfacePort, retryPorts: port is null, dataDirectory, cancellationToken, options);

    /// <summary>Starts <c>serve</c> on the ports <paramref name="choosePort"/> gives; with <paramref name="retryPorts"/>, on another one when the chosen one was taken before the backend bound it.</summary>
    internal static async Task<HarnessProcess> StartAsync(Func<int> choosePort, bool retryPorts, string? dataDirectory, CancellationToken cancellationToken, params string[] options)
    {
        var data = dataDirectory ?? TempDirectory.Create("process");
        for (var attempt = 1; ; attempt++)
        {
            var chosenPort = choosePort();
            var harness = Launch(["serve", "--no-build", "--port", chosenPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", data, "--sandbox-port", "0", .. options], chosenPort, data);
            try
            {
                await harness.WaitUntilAsync(async ct => await harness.IsHealthyAsync(ct) && harness.BannerPrinted, TimeSpan.FromSeconds(60), cancellationToken);
                return harness;
            }
            catch (InvalidOperationException) when (retryPorts && attempt < PortAttempts && harness.LostItsPort)
            {
                // A free port is chosen before the backend binds it, and another process can take it in between.
                await harness.DisposeAsync();
            }
        }
    }

    private const int PortAttempts = 3;

    /// <summary>Whether the process ended because a port it was given was in use by then.</summary>
    private bool LostItsPort => HasExited && Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Starts the <c>sandbox</c> verb on free ports and waits for its banner; on <paramref name="dataDirectory"/>
    /// when given (a restart on the same state), else on a fresh temp directory.
    /// </summary>
    public static async Task<HarnessProcess> StartSandboxAsync(string? dataDirectory = null, CancellationToken cancellationToken = default)
    {
        var data = dataDirectory ?? TempDirectory.Create("sandbox");
        var harness = Launch(["sandbox", "--no-build", "--data", data, "--sandbox-port", "0"], 0, data);
        await harness.WaitUntilAsync(_ => Task.FromResult(harness.BannerPrinted), TimeSpan.FromSeconds(60), cancellationToken);
        return harness;
    }

    /// <summary>The runtime's switch that runs socket completions on the event thread (the load runner sets it for itself).</summary>
    public const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static HarnessProcess Launch(string[] arguments, int port, string data)
    {
        var start = new ProcessStartInfo("bash", ["run-harness.sh", .. arguments])
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["HARNESS_CONFIGURATION"] = BuildConfiguration;
        start.Environment.Remove(InlineSocketCompletions); // the backend runs on the runtime's defaults, whatever its launcher chose for itself
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start run-harness.sh.");
        var harness = new HarnessProcess(process, port, data);
        process.OutputDataReceived += (_, e) => harness.Append(e.Data);
        process.ErrorDataReceived += (_, e) => harness.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return harness;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; what survives is what was durable.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, the signal Ctrl-C's cousin: the host should drain and exit 0.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill!.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        // Once only: a second dispose (an owner's cleanup after a restart that failed) must not hide the first error.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    public static string RepositoryRoot()
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

    /// <summary>The surfaces that listen on the ports after Finance's: New-API (+1) and Portaly (+2).</summary>
    public const int SurfacesAfterFinance = 2;

    /// <summary>A free port whose next <see cref="SurfacesAfterFinance"/> ports are free too.</summary>
    public static int FreeSurfacePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var next = new List<TcpListener>();
            try
            {
                for (var offset = 1; offset <= SurfacesAfterFinance; offset++)
                {
                    var listener = new TcpListener(System.Net.IPAddress.Loopback, port + offset);
                    listener.Start();
                    next.Add(listener);
                }

                return port;
            }
            catch (SocketException) when (attempt < 50)
            {
            }
            finally
            {
                next.ForEach(l => l.Stop());
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The configuration the tests were built in; the script runs the host binary of the same one.</summary>
    public static string BuildConfiguration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri("/api/health", UriKind.Relative), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // slow first answer while the runtime warms up
        }
    }

    private async Task WaitUntilAsync(Func<CancellationToken, Task<bool>> ready, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"run-harness.sh exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            if (await ready(cancellationToken))
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"run-harness.sh was not ready within {timeout}:\n{Output}");
    }
}
