using System.Globalization;

namespace Harness.Host;

/// <summary>
/// The start options: <c>--port N</c> / <c>HARNESS_PORT</c> (default 8005) and <c>--data DIR</c> /
/// <c>HARNESS_DATA</c> (default <c>data</c>). Anything else goes to ASP.NET Core's own configuration.
/// </summary>
public sealed record HostSettings(int Port, string? DataDirectory, bool UrlsGiven, string[] RemainingArgs)
{
    public const int DefaultPort = 8005;

    public static HostSettings Parse(string[] args, Func<string, string?> environment)
    {
        var port = environment("HARNESS_PORT");
        var data = environment("HARNESS_DATA");
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
                default:
                    remaining.Add(args[i]);
                    break;
            }
        }

        var parsedPort = DefaultPort;
        if (!string.IsNullOrEmpty(port) && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out parsedPort) || parsedPort > 65535))
        {
            throw new ArgumentException($"--port must be a number from 0 to 65535, got '{port}'.");
        }

        var urlsGiven = remaining.Any(a => a.StartsWith("--urls", StringComparison.Ordinal))
            || !string.IsNullOrEmpty(environment("ASPNETCORE_URLS"));
        return new HostSettings(parsedPort, string.IsNullOrEmpty(data) ? null : data, urlsGiven, [.. remaining]);
    }

    /// <summary>Only what was given, so configuration files and test hosts keep their say otherwise.</summary>
    public Dictionary<string, string?> ToConfiguration() =>
        DataDirectory is null ? [] : new() { ["Harness:DataDirectory"] = DataDirectory };
}
