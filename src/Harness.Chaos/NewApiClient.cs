using System.Net.Http.Json;
using System.Text.Json;

namespace Harness.Chaos;

/// <summary>A New-API user the campaign made for itself: its id (sent as <c>New-Api-User</c>) and access token.</summary>
public sealed record NewApiAccount(string Id, string Token);

/// <summary>
/// The New-API surface as the campaign drives it (docs/new-api.md): an admin's credentials, and users made through
/// the admin routes (<c>POST /api/user/</c>, then their own sign-in and <c>GET /api/user/token</c>). The client must
/// keep no cookies: a session cookie wins over the access token, so a kept sign-in would speak for every later call.
/// </summary>
public sealed class NewApiClient(HttpClient http, NewApiAccount admin)
{
    public HttpClient Http => http;

    public NewApiAccount Admin => admin;

    /// <summary>A common user (role 1) of the campaign's own, signed in with an access token.</summary>
    public async Task<NewApiAccount> NewUserAsync(CancellationToken cancellationToken)
    {
        var username = "chaos" + Guid.NewGuid().ToString("N")[..10];
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await DataAsync(HttpMethod.Post, "/api/user/", new { username, password, display_name = username }, admin, cancellationToken);

        using var login = await http.PostAsJsonAsync(new Uri("/api/user/login", UriKind.Relative), new { username, password }, cancellationToken);
        var id = Succeeded(login, await login.Content.ReadAsStringAsync(cancellationToken), "POST /api/user/login").GetProperty("data").GetProperty("id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var session = login.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith("session=", StringComparison.Ordinal))
            : null;

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/user/token");
        request.Headers.Add("Cookie", session ?? throw new InvalidOperationException("POST /api/user/login set no session cookie"));
        request.Headers.Add("New-Api-User", id);
        using var answer = await http.SendAsync(request, cancellationToken);
        return new NewApiAccount(id, Succeeded(answer, await answer.Content.ReadAsStringAsync(cancellationToken), "GET /api/user/token").GetProperty("data").GetString()!);
    }

    /// <summary>Bans a user as the admin (status 2): its token still names it, and every guarded route must refuse it.</summary>
    public Task BanAsync(NewApiAccount user, CancellationToken cancellationToken) =>
        DataAsync(HttpMethod.Post, "/api/user/manage", new { id = int.Parse(user.Id, System.Globalization.CultureInfo.InvariantCulture), action = "disable" }, admin, cancellationToken);

    public async Task<long> QuotaAsync(NewApiAccount user, CancellationToken cancellationToken) =>
        (await DataAsync(HttpMethod.Get, "/api/user/self", null, user, cancellationToken)).GetProperty("quota").GetInt64();

    /// <summary>Sets a user's <c>Authorization</c> and <c>New-Api-User</c>.</summary>
    public static void Authorize(HttpRequestMessage request, NewApiAccount user)
    {
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + user.Token);
        request.Headers.TryAddWithoutValidation("New-Api-User", user.Id);
    }

    /// <summary>
    /// A call that must succeed — the standard envelope's <c>success: true</c> or the payment routes'
    /// <c>message: "success"</c> — as <paramref name="user"/>: its <c>data</c> (undefined when there is none), or an
    /// exception naming the answer.
    /// </summary>
    public async Task<JsonElement> DataAsync(HttpMethod method, string path, object? body, NewApiAccount user, CancellationToken cancellationToken) =>
        (await AnswerAsync(method, path, body, user, cancellationToken)).TryGetProperty("data", out var data) ? data : default;

    /// <summary>The whole answer of a call that must succeed (the payment routes put the gateway's URL beside <c>data</c>).</summary>
    public async Task<JsonElement> AnswerAsync(HttpMethod method, string path, object? body, NewApiAccount user, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        Authorize(request, user);
        using var response = await http.SendAsync(request, cancellationToken);
        return Succeeded(response, await response.Content.ReadAsStringAsync(cancellationToken), $"{method} {path}");
    }

    private static JsonElement Succeeded(HttpResponseMessage response, string text, string call)
    {
        using var document = response.IsSuccessStatusCode ? JsonDocument.Parse(text) : null;
        return document?.RootElement is { ValueKind: JsonValueKind.Object } root
            && ((root.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True)
                || (!root.TryGetProperty("success", out _) && root.TryGetProperty("message", out var message) && message.GetString() == "success"))
            ? root.Clone()
            : throw new InvalidOperationException($"{call} answered {(int)response.StatusCode}: {text}");
    }
}
