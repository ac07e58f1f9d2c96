using System.Net.Http.Json;
using System.Text.Json;
using Harness.Chaos.Reports;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// What a surface's callback chaos sent and what the backend made of it: notifications sent, spoiled ones refused,
/// credit beyond or short of what was paid, and the findings (each request named <c>{surface}: …</c>).
/// </summary>
public sealed class CallbackTally(string surface, string unit)
{
    private readonly List<Finding> _findings = [];
    private int _sent;
    private int _spoiledSent;
    private int _spoiledRefused;
    private long _excess;
    private long _missing;

    public IReadOnlyList<Finding> Findings => _findings;

    /// <summary>The published credentials of the sandbox's providers (<c>GET /control/providers</c>), by provider name.</summary>
    public static async Task<Dictionary<string, IReadOnlyDictionary<string, string>>> CredentialsAsync(HttpClient control, CancellationToken cancellationToken)
    {
        var providers = await control.GetFromJsonAsync<JsonElement>("/control/providers", cancellationToken);
        return providers.EnumerateArray().ToDictionary(
            p => p.GetProperty("name").GetString()!,
            p => (IReadOnlyDictionary<string, string>)p.GetProperty("credentials").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetString() ?? ""));
    }

    /// <summary>
    /// Sends one notification; a 5xx is a finding, and so is a spoiled one the backend took. Whether it was taken
    /// (<paramref name="acknowledged"/> reads the answer as the provider would).
    /// </summary>
    public async Task<bool> SendAsync(HttpClient backend, HttpRequestMessage notification, Spoil spoil, Func<HttpResponseMessage, string, bool> acknowledged, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sent);
        var route = $"{notification.Method} {notification.RequestUri}";
        using var answer = await backend.SendAsync(notification, cancellationToken);
        var body = await answer.Content.ReadAsStringAsync(cancellationToken);
        if ((int)answer.StatusCode >= 500)
        {
            Add("5xx", route, $"{(int)answer.StatusCode}: {body}");
        }

        var taken = acknowledged(answer, body);
        if (spoil != Spoil.None)
        {
            Interlocked.Increment(ref _spoiledSent);
            if (!taken)
            {
                Interlocked.Increment(ref _spoiledRefused);
            }
            else
            {
                Add("accepted a " + spoil switch
                {
                    Spoil.Stale => "stale notification",
                    Spoil.Signature => "notification with a wrong signature",
                    _ => "notification changed after signing",
                }, route, $"{(int)answer.StatusCode}: {body}");
            }
        }

        return taken;
    }

    /// <summary>
    /// Pays an order on the sandbox's pay page, waits until the backend has <paramref name="credited"/> it, then has
    /// the sandbox resend its notification twice.
    /// </summary>
    public async Task PayThroughSandboxAsync(HttpClient control, string provider, string reference, Func<Task<bool>> credited, CancellationToken cancellationToken)
    {
        var payments = await control.GetFromJsonAsync<JsonElement>($"/control/payments?provider={provider}", cancellationToken);
        var payment = payments.EnumerateArray().First(p => p.GetProperty("merchant_reference").GetString() == reference).GetProperty("id").GetString();
        using (var paid = await control.PostAsJsonAsync($"/control/payments/{payment}/pay", new { }, cancellationToken))
        {
            paid.EnsureSuccessStatusCode();
        }

        for (var waited = 0; waited < 100 && !await credited(); waited++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        var deliveries = await control.GetFromJsonAsync<JsonElement>($"/control/deliveries?payment_id={payment}", cancellationToken);
        foreach (var delivery in deliveries.EnumerateArray().Select(d => d.GetProperty("id").GetString()).Take(1))
        {
            for (var i = 0; i < 2; i++)
            {
                using var resent = await control.PostAsync(new Uri($"/control/deliveries/{delivery}/resend", UriKind.Relative), null, cancellationToken);
                Interlocked.Increment(ref _sent);
            }
        }
    }

    /// <summary>Compares what a channel credited with what its paid orders were worth.</summary>
    public void Credited(string channel, long credited, long expected)
    {
        _excess += Math.Max(0, credited - expected);
        _missing += Math.Max(0, expected - credited);
        if (credited != expected)
        {
            Add(credited > expected ? "double credit" : "payment not credited", channel, $"{credited} {unit} credited for payments worth {expected}");
        }
    }

    /// <summary>A spoiled order that the backend paid anyway.</summary>
    public void SpoiledOrderPaid(string channel, string order) =>
        Add("tampered, stale or wrong-amount notification applied", channel, $"order {order} is paid");

    public CallbackFigures Figures(int channels) => new(surface, channels, _sent, _spoiledSent, _spoiledRefused, _excess, _missing, unit);

    private void Add(string kind, string request, string detail)
    {
        lock (_findings)
        {
            _findings.Add(new Finding("callbacks", kind, $"{surface}: {request}", detail));
        }
    }
}
