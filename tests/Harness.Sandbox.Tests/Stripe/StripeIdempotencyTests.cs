using System.Text.Json.Nodes;
using Harness.Storage;
using Harness.Sandbox.Stripe;

namespace Harness.Sandbox.Tests.Stripe;

public sealed class StripeIdempotencyTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N") + ".db");
    private readonly LiteDocumentStore _store;
    private readonly StripeIdempotency _idempotency;

    public StripeIdempotencyTests()
    {
        _store = new LiteDocumentStore(_file);
        _idempotency = new StripeIdempotency(_store);
    }

    [Fact]
    public async Task A_key_still_in_flight_gets_409_and_validation_failures_are_not_stored()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var parameters = new JsonObject { ["mode"] = "payment" };
        var first = Task.Run(() => _idempotency.RunAsync("sk", "k1", "POST /v1/x", parameters, () =>
        {
            entered.Set();
            release.Wait();
            return StripeErrors.Missing("line_items");
        }));
        entered.Wait(TestContext.Current.CancellationToken);

        var (concurrent, _) = await _idempotency.RunAsync("sk", "k1", "POST /v1/x", parameters, () => throw new InvalidOperationException("must not run"));
        Assert.Equal(409, concurrent.Status);
        Assert.Equal("idempotency_key_in_use", concurrent.Body["error"]!["code"]!.GetValue<string>());

        release.Set();
        Assert.Equal(400, (await first).Response.Status);

        // The rejected request was not stored, so the corrected retry executes under the same key.
        var (retry, replayed) = await _idempotency.RunAsync("sk", "k1", "POST /v1/x", parameters, () => StripeResponse.Ok(new JsonObject { ["id"] = "cs_1" }));
        Assert.False(replayed);
        Assert.Equal("cs_1", retry.Body["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keys_are_scoped_per_api_key()
    {
        var parameters = new JsonObject();
        await _idempotency.RunAsync("sk_a", "k", "POST /v1/x", parameters, () => StripeResponse.Ok(new JsonObject { ["id"] = "a" }));
        var (other, replayed) = await _idempotency.RunAsync("sk_b", "k", "POST /v1/x", parameters, () => StripeResponse.Ok(new JsonObject { ["id"] = "b" }));
        Assert.False(replayed);
        Assert.Equal("b", other.Body["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keys_differing_only_in_case_are_different_keys()
    {
        var parameters = new JsonObject();
        await _idempotency.RunAsync("sk", "abc", "POST /v1/x", parameters, () => StripeResponse.Ok(new JsonObject { ["id"] = "lower" }));
        var (upper, replayed) = await _idempotency.RunAsync("sk", "ABC", "POST /v1/x", parameters, () => StripeResponse.Ok(new JsonObject { ["id"] = "upper" }));
        Assert.False(replayed);
        Assert.Equal("upper", upper.Body["id"]!.GetValue<string>());

        var (again, replayedAgain) = await _idempotency.RunAsync("sk", "abc", "POST /v1/x", parameters, () => throw new InvalidOperationException("must replay"));
        Assert.True(replayedAgain);
        Assert.Equal("lower", again.Body["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task What_a_request_writes_and_its_replay_record_land_together_or_not_at_all()
    {
        var objects = _store.Collection<Created>("objects");
        var parameters = new JsonObject { ["n"] = "1" };
        await Assert.ThrowsAsync<InvalidOperationException>(() => _idempotency.RunAsync("sk", "k", "POST /v1/x", parameters, () =>
        {
            objects.Upsert(new Created("obj_1"));
            throw new InvalidOperationException("crash after the write");
        }));
        Assert.Null(objects.Get("obj_1"));

        // Nothing was recorded under the key, so the retry runs; its write and the record then replay together.
        var (first, _) = await _idempotency.RunAsync("sk", "k", "POST /v1/x", parameters, () =>
        {
            objects.Upsert(new Created("obj_2"));
            return StripeResponse.Ok(new JsonObject { ["id"] = "obj_2" });
        });
        var (again, replayed) = await _idempotency.RunAsync("sk", "k", "POST /v1/x", parameters, () => throw new InvalidOperationException("must not run"));
        Assert.True(replayed);
        Assert.Equal(first.Body.ToJsonString(), again.Body.ToJsonString());
        Assert.NotNull(objects.Get("obj_2"));
    }

    public sealed record Created(string Id) : IDocument;

    public void Dispose()
    {
        _store.Dispose();
        File.Delete(_file);
    }
}
