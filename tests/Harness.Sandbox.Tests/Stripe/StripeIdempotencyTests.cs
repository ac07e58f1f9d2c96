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
        var release = new TaskCompletionSource<StripeResponse>();
        var parameters = new JsonObject { ["mode"] = "payment" };
        var first = _idempotency.RunAsync("sk", "k1", "POST /v1/x", parameters, () => release.Task);

        var (concurrent, _) = await _idempotency.RunAsync("sk", "k1", "POST /v1/x", parameters, () => throw new InvalidOperationException("must not run"));
        Assert.Equal(409, concurrent.Status);
        Assert.Equal("idempotency_key_in_use", concurrent.Body["error"]!["code"]!.GetValue<string>());

        release.SetResult(StripeErrors.Missing("line_items"));
        Assert.Equal(400, (await first).Response.Status);

        // The rejected request was not stored, so the corrected retry executes under the same key.
        var (retry, replayed) = await _idempotency.RunAsync("sk", "k1", "POST /v1/x", parameters, () => Task.FromResult(StripeResponse.Ok(new JsonObject { ["id"] = "cs_1" })));
        Assert.False(replayed);
        Assert.Equal("cs_1", retry.Body["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keys_are_scoped_per_api_key()
    {
        var parameters = new JsonObject();
        await _idempotency.RunAsync("sk_a", "k", "POST /v1/x", parameters, () => Task.FromResult(StripeResponse.Ok(new JsonObject { ["id"] = "a" })));
        var (other, replayed) = await _idempotency.RunAsync("sk_b", "k", "POST /v1/x", parameters, () => Task.FromResult(StripeResponse.Ok(new JsonObject { ["id"] = "b" })));
        Assert.False(replayed);
        Assert.Equal("b", other.Body["id"]!.GetValue<string>());
    }

    public void Dispose()
    {
        _store.Dispose();
        File.Delete(_file);
    }
}
