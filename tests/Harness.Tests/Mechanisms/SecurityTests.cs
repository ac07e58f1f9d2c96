using System.Buffers.Text;
using System.Text;
using Harness.Storage;
using Harness.Security;

namespace Harness.Tests.Mechanisms;

public sealed class SecurityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly Hs256Jwt _jwt = new(Encoding.UTF8.GetBytes("a-test-secret-of-at-least-32-bytes!!"));

    [Fact]
    public void A_signed_token_validates_until_exp()
    {
        var token = _jwt.Sign(new Dictionary<string, object> { ["userId"] = "u1", ["exp"] = Now.AddMinutes(1).ToUnixTimeSeconds() });

        Assert.Equal("u1", _jwt.Validate(token, Now)!.Value.GetProperty("userId").GetString());
        Assert.Null(_jwt.Validate(token, Now.AddMinutes(1)));
    }

    [Fact]
    public void The_signature_matches_an_independent_hmac_sha256_over_header_and_payload()
    {
        var token = _jwt.Sign(new Dictionary<string, object> { ["userId"] = "u1", ["exp"] = 2_000_000_000 });
        var parts = token.Split('.');
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes("a-test-secret-of-at-least-32-bytes!!"));
        var expected = Base64Url.EncodeToString(hmac.ComputeHash(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1])));

        Assert.Equal(expected, parts[2]);
        Assert.Equal("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
    }

    [Fact]
    public void Tampered_unsigned_or_foreign_tokens_are_refused()
    {
        var token = _jwt.Sign(new Dictionary<string, object> { ["userId"] = "u1", ["exp"] = Now.AddDays(1).ToUnixTimeSeconds() });
        var parts = token.Split('.');
        var otherPayload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"userId\":\"admin\",\"exp\":{Now.AddDays(1).ToUnixTimeSeconds()}}}"));
        var noneHeader = Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8);
        var foreign = new Hs256Jwt(Encoding.UTF8.GetBytes("another-secret-of-at-least-32-bytes!")).Sign(new Dictionary<string, object> { ["userId"] = "u1", ["exp"] = Now.AddDays(1).ToUnixTimeSeconds() });

        Assert.Null(_jwt.Validate($"{parts[0]}.{otherPayload}.{parts[2]}", Now));
        Assert.Null(_jwt.Validate($"{noneHeader}.{parts[1]}.", Now));
        Assert.Null(_jwt.Validate($"{noneHeader}.{parts[1]}.{parts[2]}", Now));
        Assert.Null(_jwt.Validate(foreign, Now));
        Assert.Null(_jwt.Validate(token + "x", Now));
        Assert.Null(_jwt.Validate("..", Now));
    }

    [Fact]
    public void A_token_without_exp_is_refused()
    {
        Assert.Null(_jwt.Validate(_jwt.Sign(new Dictionary<string, object> { ["userId"] = "u1" }), Now));
    }

    [Fact]
    public void Secret_hashes_verify_only_the_same_secret()
    {
        var hash = Secrets.Hash("s3cret");

        Assert.True(Secrets.HashMatches("s3cret", hash));
        Assert.False(Secrets.HashMatches("s3cret ", hash));
        Assert.DoesNotContain("s3cret", hash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_keyed_lock_excludes_holders_of_the_same_key_only()
    {
        var locks = new KeyedLock();
        var inside = 0;
        var maxInside = 0;

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            using var _ = await locks.AcquireAsync(i % 2 == 0 ? "even" : "odd");
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, now);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
        })));

        Assert.InRange(maxInside, 1, 2); // one per key at most
        using var free = await locks.AcquireAsync("even").AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
