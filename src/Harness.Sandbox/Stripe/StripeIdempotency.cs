using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Harness.Security;
using Harness.Storage;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Stripe's <c>Idempotency-Key</c> rules (providers.md §5.4): the first executed response (any status) is stored
/// and replayed for the same key and parameters with <c>Idempotent-Replayed: true</c>; other parameters or another
/// endpoint get 400 <c>idempotency_error</c>; a key still in flight gets 409. Requests rejected by validation are
/// not stored, so a corrected retry may reuse the key.
/// </summary>
public sealed class StripeIdempotency(IDocumentStore store)
{
    private const int MaxKeyLength = 255;

    private readonly IDocumentCollection<StoredResponse> _responses = store.Collection<StoredResponse>("stripe_idempotency");
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="execute"/> and stores its response under the key in one unit of the store, so what the
    /// request wrote and the record that replays it land together: a retry after a crash either finds both or
    /// runs the request again on a store that has neither.
    /// </summary>
    public async Task<(StripeResponse Response, bool Replayed)> RunAsync(string apiKey, string? key, string endpoint, JsonObject parameters, Func<StripeResponse> execute)
    {
        if (string.IsNullOrEmpty(key))
        {
            return (await store.AtomicallyAsync(execute), false);
        }

        if (key.Length > MaxKeyLength)
        {
            return (StripeErrors.InvalidParam($"Idempotency-Key must be at most {MaxKeyLength} characters long.", null), false);
        }

        // Keys are scoped per API key, as at Stripe.
        var id = Secrets.Hash(apiKey) + ":" + key;
        var fingerprint = Secrets.Hash(parameters.ToJsonString(StripeJson.Options));
        if (!_inFlight.TryAdd(id, 0))
        {
            return (StripeErrors.Envelope(409, "idempotency_error",
                "There is currently another in-progress request using this Idempotency-Key. Please try again later.", "idempotency_key_in_use", null), false);
        }

        // Released only after the unit has committed: the next request with this key then finds the record.
        try
        {
            return await store.AtomicallyAsync(() =>
            {
                if (_responses.Get(id) is { } stored)
                {
                    return stored.Endpoint == endpoint && stored.Fingerprint == fingerprint
                        ? (new StripeResponse(stored.Status, (JsonObject)JsonNode.Parse(stored.Body)!), true)
                        : (StripeErrors.Envelope(400, "idempotency_error",
                            $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.",
                            null, null), false);
                }

                var response = execute();
                if (response.Stored)
                {
                    _responses.Upsert(new StoredResponse
                    {
                        Id = id,
                        Endpoint = endpoint,
                        Fingerprint = fingerprint,
                        Status = response.Status,
                        Body = response.Body.ToJsonString(StripeJson.Options),
                    });
                }

                return (response, false);
            });
        }
        finally
        {
            _inFlight.TryRemove(id, out _);
        }
    }

    public sealed class StoredResponse : Harness.Storage.IDocument
    {
        public string Id { get; set; } = "";

        public string Endpoint { get; set; } = "";

        public string Fingerprint { get; set; } = "";

        public int Status { get; set; }

        public string Body { get; set; } = "";
    }
}
