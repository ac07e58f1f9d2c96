using Harness.Storage;

namespace Harness.Sandbox.Keys;

/// <summary>
/// Key material a provider creates on the sandbox's first start (RSA key pairs, certificates) and keeps: a merchant
/// configures its backend once, and the sandbox's restarts must not invalidate that. Each value is also written to
/// <c>&lt;data&gt;/keys/&lt;provider&gt;/&lt;name&gt;</c>, so an SDK can be pointed at a file.
/// </summary>
public sealed class ProviderKeys(IDocumentStore store, string dataDirectory)
{
    private readonly IDocumentCollection<KeyDocument> _keys = store.Collection<KeyDocument>("provider_keys");

    /// <summary>The folder holding one provider's key files.</summary>
    public string Folder(string provider) => Path.GetFullPath(Path.Combine(dataDirectory, "keys", provider));

    /// <summary>The stored value of <paramref name="name"/>, created by <paramref name="create"/> the first time.</summary>
    public string GetOrCreate(string provider, string name, Func<string> create)
    {
        var id = provider + "/" + name;
        lock (_keys)
        {
            var value = _keys.Get(id)?.Value;
            if (value is null)
            {
                value = create();
                _keys.Upsert(new KeyDocument { Id = id, Value = value });
            }

            var file = Path.Combine(Folder(provider), name);
            if (!File.Exists(file))
            {
                Directory.CreateDirectory(Folder(provider));
                File.WriteAllText(file, value);
            }

            return value;
        }
    }

    public sealed class KeyDocument : IDocument
    {
        public string Id { get; set; } = "";

        public string Value { get; set; } = "";
    }
}
