using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Harness.Testing;

/// <summary>
/// The reference backend started the way a user starts it, <c>./run-harness.sh serve</c>, as a separate
/// process on a free port with its own data directory. <c>--no-build</c>: the test run has built it.
/// </summary>
public sealed class HarnessProcess : IAsyncDisposable
{
    private readonly Process _process;
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

    /// <summary>Starts the script and waits until <c>/api/health</c> answers 200.</summary>
    public static async Task<HarnessProcess> StartAsync(string? dataDirectory = null, int? port = null, CancellationToken cancellationToken = default)
    {
        var root = RepositoryRoot();
        var chosenPort = port ?? FreePort();
        var data = dataDirectory ?? TempDirectory.Create("process");
        var start = new ProcessStartInfo("bash", ["run-harness.sh", "serve", "--no-build", "--port", chosenPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", data])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["HARNESS_CONFIGURATION"] = BuildConfiguration;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start run-harness.sh.");
        var harness = new HarnessProcess(process, chosenPort, data);
        process.OutputDataReceived += (_, e) => harness.Append(e.Data);
        process.ErrorDataReceived += (_, e) => harness.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await harness.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), cancellationToken);
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

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"run-harness.sh exited with {_process.ExitCode} before becoming healthy:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/api/health", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // slow first answer while the runtime warms up
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"The backend did not become healthy within {timeout}:\n{Output}");
    }
}
