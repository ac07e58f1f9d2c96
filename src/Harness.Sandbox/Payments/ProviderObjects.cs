using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Storage;

namespace Harness.Sandbox.Payments;

/// <summary>
/// A provider's own objects (sessions, customers, orders, …) kept as the JSON the provider would return, so a
/// retrieval answers with exactly what was stored. Each object carries its id and its <c>object</c> type.
/// </summary>
public sealed class ProviderObjects
{
    private const int ReadPage = 100;

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IDocumentStore _store;
    private readonly IDocumentCollection<ObjectDocument> _objects;
    private readonly StoredSequence _sequence;

    public ProviderObjects(IDocumentStore store, string collection)
    {
        _store = store;
        _objects = store.Collection<ObjectDocument>(collection, nameof(ObjectDocument.TypeOrder));
        _sequence = new StoredSequence(store, collection, () => _objects.All().Select(d => d.Sequence).DefaultIfEmpty(0).Max());
    }

    public JsonObject? Get(string id, string type) =>
        _objects.Get(id) is { } d && d.Type == type ? (JsonObject)JsonNode.Parse(d.Json)! : null;

    /// <summary>Whether any object, of whatever type, is stored under <paramref name="id"/> (for ids a caller chooses).</summary>
    public bool Holds(string id) => _objects.Get(id) is not null;

    public void Put(JsonObject obj)
    {
        var json = obj.ToJsonString(Compact);
        _store.InTransaction(() => _objects.Upsert(new ObjectDocument
        {
            Id = obj.Str("id")!,
            Type = obj.Str("object")!,
            Sequence = _objects.Get(obj.Str("id")!)?.Sequence ?? _sequence.Next(),
            Json = json,
        }));
    }

    /// <summary>
    /// Runs <paramref name="work"/> as one unit of the store these objects live in: units run one at a time, so a
    /// change that reads objects and writes on what it read is never interleaved with another (a refund counted twice).
    /// </summary>
    public void InTransaction(Action work) => _store.InTransaction(work);

    /// <inheritdoc cref="InTransaction"/>
    public T Atomically<T>(Func<T> work) => _store.Atomically(work);

    /// <summary><see cref="InTransaction"/> awaited: the request's thread is free while the unit waits its turn and its sync.</summary>
    public Task InTransactionAsync(Action work) => _store.InTransactionAsync(work);

    /// <summary>Objects of one type, newest first.</summary>
    public IReadOnlyList<JsonObject> List(string type) => [.. Newest(type)];

    /// <summary>
    /// Objects of one type, newest first, after the object <paramref name="startingAfter"/> (none when it is not one of
    /// them), read from the store a page at a time as they are enumerated: a list answer that stops after its page reads
    /// about a page, however many a load test left behind.
    /// </summary>
    public IEnumerable<JsonObject> Newest(string type, string? startingAfter = null)
    {
        var before = type + "}"; // past every "type|…" order key
        if (startingAfter is not null)
        {
            if (_objects.Get(startingAfter) is not { } cursor || cursor.Type != type)
            {
                yield break;
            }

            before = cursor.TypeOrder;
        }

        while (true)
        {
            var page = _objects.Between(nameof(ObjectDocument.TypeOrder), type + "|", before, ReadPage, descending: true);
            foreach (var document in page)
            {
                yield return (JsonObject)JsonNode.Parse(document.Json)!;
            }

            if (page.Count < ReadPage)
            {
                yield break;
            }

            before = page[^1].TypeOrder;
        }
    }

    public sealed class ObjectDocument : IDocument
    {
        public string Id { get; set; } = "";

        public string Type { get; set; } = "";

        /// <summary>Insertion order, for lists.</summary>
        public long Sequence { get; set; }

        /// <summary>Lists' order: the type, then the insertion order (unique: no two objects share a number).</summary>
        public string TypeOrder => Type + "|" + OrderKeys.Number(Sequence);

        public string Json { get; set; } = "";
    }
}

public static class JsonNodeReading
{
    /// <summary>The string value of <paramref name="key"/> when <paramref name="node"/> is an object holding one; otherwise null.</summary>
    public static string? Str(this JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
