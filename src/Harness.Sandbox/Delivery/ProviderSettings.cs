using Harness.Storage;

namespace Harness.Sandbox.Delivery;

/// <summary>
/// Per-provider merchant settings that a dashboard would hold: where webhooks go, the Stripe API version
/// events are rendered with, whether Epay notifies by GET or POST. Kept in the sandbox store.
/// </summary>
public sealed class ProviderSettings(IDocumentStore store)
{
    public const string WebhookUrl = "webhook_url";

    private readonly IDocumentCollection<SettingsDocument> _settings = store.Collection<SettingsDocument>("provider_settings");

    public IReadOnlyDictionary<string, string> All(string provider) =>
        _settings.Get(provider)?.Values ?? new Dictionary<string, string>(StringComparer.Ordinal);

    public string? Get(string provider, string key) => All(provider).GetValueOrDefault(key);

    public void Set(string provider, IReadOnlyDictionary<string, string?> values)
    {
        lock (_settings)
        {
            var document = _settings.Get(provider) ?? new SettingsDocument { Id = provider };
            foreach (var (key, value) in values)
            {
                if (string.IsNullOrEmpty(value))
                {
                    document.Values.Remove(key);
                }
                else
                {
                    document.Values[key] = value;
                }
            }

            _settings.Upsert(document);
        }
    }

    public sealed class SettingsDocument : IDocument
    {
        public string Id { get; set; } = "";

        public Dictionary<string, string> Values { get; set; } = new(StringComparer.Ordinal);
    }
}
