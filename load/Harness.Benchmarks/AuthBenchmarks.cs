using BenchmarkDotNet.Attributes;
using Harness.Security;

namespace Harness.Benchmarks;

/// <summary>
/// What every user request pays before its handler runs: the HS256 signature and expiry check of the
/// token, and the constant-time comparison of its hash with the live session's. Loops inside the
/// benchmark because the shared job runs one invocation per iteration.
/// </summary>
[MemoryDiagnoser]
public class AuthBenchmarks
{
    /// <summary>Checks per benchmark invocation.</summary>
    public const int Checks = 20_000;

    private readonly Hs256Jwt _jwt = new(new byte[32]);
    private string _token = "";
    private string _tokenHash = "";

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _token = _jwt.Sign(new Dictionary<string, object>
        {
            ["userId"] = "u_0123456789abcdef",
            ["phone"] = "13800000001",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddDays(7).ToUnixTimeSeconds(),
        });
        _tokenHash = Secrets.Hash(_token);
    }

    [Benchmark(OperationsPerInvoke = Checks)]
    public int ValidateToken()
    {
        var valid = 0;
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Checks; i++)
        {
            valid += _jwt.Validate(_token, now) is null ? 0 : 1;
        }

        return valid;
    }

    [Benchmark(OperationsPerInvoke = Checks)]
    public int MatchSessionHash()
    {
        var valid = 0;
        for (var i = 0; i < Checks; i++)
        {
            valid += Secrets.HashMatches(_token, _tokenHash) ? 1 : 0;
        }

        return valid;
    }
}
