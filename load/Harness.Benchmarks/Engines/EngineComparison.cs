using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Harness.Benchmarks.Engines;

/// <summary>
/// The <c>engines</c> verb (issue #30): measures each candidate engine for the ledger's on-disk part in
/// a process of its own, so memory figures are the engine's: it runs each engine chosen with
/// <c>--engine a,b</c> (all by default) as a child process (<c>--measure NAME</c>) and prints the tables.
/// </summary>
internal static class EngineComparison
{
    public static readonly IReadOnlyDictionary<string, Func<string, IEngineStore>> Engines = new Dictionary<string, Func<string, IEngineStore>>(StringComparer.OrdinalIgnoreCase)
    {
        ["faster"] = directory => new FasterEngine(directory),
        ["rocksdb"] = directory => new RocksDbEngine(directory),
        ["zonetree"] = directory => new ZoneTreeEngine(directory, fsyncWriteAheadLog: false),
        ["zonetree-fsync"] = directory => new ZoneTreeEngine(directory, fsyncWriteAheadLog: true),
        ["lmdb"] = directory => new LmdbEngine(directory),
        ["sqlite"] = directory => new SqliteEngine(directory),
        ["litedb"] = directory => new LiteDbEngine(directory),
    };

    private const string ResultPrefix = "RESULT ";

    public static int Run(string[] args)
    {
        var chosen = Engines.Keys.ToList();
        string? measure = null;
        var entries = 2_000_000L;
        var root = Path.Combine(Path.GetTempPath(), "harness-engines");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--engine": chosen = [.. args[++i].Split(',')]; break;
                case "--measure": measure = args[++i]; break;
                case "--entries": entries = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--dir": root = args[++i]; break;
                default:
                    Console.Error.WriteLine($"engines [--engine {string.Join(',', Engines.Keys)}] [--entries N] [--dir DIR]; unknown argument {args[i]}");
                    return 2;
            }
        }

        if (chosen.Concat(measure is null ? [] : [measure]).FirstOrDefault(name => !Engines.ContainsKey(name)) is { } unknown)
        {
            Console.Error.WriteLine($"Unknown engine {unknown}; one of {string.Join(", ", Engines.Keys)}.");
            return 2;
        }

        if (measure is not null)
        {
            var result = EngineMeasurement.Measure(measure, Engines[measure], Path.Combine(root, measure), entries);
            Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
            return 0;
        }

        var results = new List<EngineResult>();
        foreach (var name in chosen)
        {
            var result = RunChild(name, entries, root);
            if (result is not null)
            {
                results.Add(result);
            }
        }

        EngineReport.Print(results);
        return results.Count == chosen.Count ? 0 : 1;
    }

    /// <summary>Runs one engine in a fresh process of this program; null when it failed.</summary>
    private static EngineResult? RunChild(string engine, long entries, string root)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(EngineComparison).Assembly.Location);
        }

        foreach (var argument in new[] { "engines", "--measure", engine, "--entries", entries.ToString(CultureInfo.InvariantCulture), "--dir", root })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        EngineResult? result = null;
        for (var line = child.StandardOutput.ReadLine(); line is not null; line = child.StandardOutput.ReadLine())
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<EngineResult>(line[ResultPrefix.Length..]);
            }
            else
            {
                Console.WriteLine($"[{engine}] {line}");
            }
        }

        child.WaitForExit();
        if (child.ExitCode != 0 || result is null)
        {
            Console.WriteLine($"[{engine}] failed with exit code {child.ExitCode}");
            return null;
        }

        return result;
    }
}
