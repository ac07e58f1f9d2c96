using System.Globalization;
using Harness.Launcher;

namespace Harness.Load.Target;

/// <summary>
/// Where the load goes and as whom: the HTTP client, the users consumes are charged to, and the admin
/// token and API key when the target offers them. Owns the built-in backend process when it started one.
/// </summary>
public sealed class LoadTarget : IAsyncDisposable
{
    /// <summary>The published demo key of the reference backend (all users); see the start banner.</summary>
    public const string ReferenceDemoApiKey = "hk_demo_LocalDemoKeyForTheHarnessOnly";

    /// <summary>The reference backend's demo admin signs in through the SMS sandbox like anyone else.</summary>
    public const string ReferenceAdminPhone = "13800000000";

    private readonly HarnessProcess? _process;

    private LoadTarget(string description, FinanceApi api, string? adminToken, string? apiKey, HarnessProcess? process)
    {
        Description = description;
        Api = api;
        AdminToken = adminToken;
        ApiKey = apiKey;
        _process = process;
    }

    public string Description { get; }

    public FinanceApi Api { get; }

    public string? AdminToken { get; }

    public string? ApiKey { get; }

    public IReadOnlyList<LoadUser> Users { get; private set; } = [];

    /// <summary>The built-in backend's process and data directory; null for a target by URL.</summary>
    public HarnessProcess? Backend => _process;

    /// <summary>Starts the reference backend as its own process on a free port, on a fresh data directory (under <paramref name="dataRoot"/> when given).</summary>
    public static async Task<LoadTarget> StartBuiltInAsync(string? dataRoot, int maxConnections, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var data = dataRoot is null ? TempDirectory.Create("load") : Path.Combine(Path.GetFullPath(dataRoot), "harness-load-" + Guid.NewGuid().ToString("N"));
        var process = await HarnessProcess.StartAsync(data, cancellationToken: cancellationToken);
        var api = Connect(process.BaseUrl, maxConnections, timeout);
        try
        {
            var admin = await api.SignInAsync(ReferenceAdminPhone, cancellationToken);
            return new LoadTarget($"built-in reference backend at {process.BaseUrl} (separate process, data {process.DataDirectory})", api, admin.Token, ReferenceDemoApiKey, process);
        }
        catch
        {
            Close(api);
            await StopAsync(process);
            throw;
        }
    }

    /// <summary>A target by URL, with the profile's credentials; without an admin token it tries the reference SMS sandbox for the demo admin.</summary>
    public static async Task<LoadTarget> ConnectAsync(Uri baseUrl, TargetProfile? profile, int maxConnections, TimeSpan timeout, bool acceptAnyCertificate, CancellationToken cancellationToken)
    {
        var api = Connect(baseUrl, maxConnections, timeout, acceptAnyCertificate);
        var adminToken = profile?.AdminJwt;
        if (adminToken is null && profile?.UserJwt is null)
        {
            try
            {
                adminToken = (await api.SignInAsync(ReferenceAdminPhone, cancellationToken)).Token;
            }
            catch
            {
                Close(api);
                throw;
            }
        }

        var target = new LoadTarget($"{baseUrl} (by URL)", api, adminToken, profile?.FinanceApiKey ?? (profile is null ? ReferenceDemoApiKey : null), null);
        if (profile is { UserJwt: { } jwt, UserId: { } userId })
        {
            target.Users = [new LoadUser(userId, jwt)];
        }

        return target;
    }

    /// <summary>The reference backend reached through a given client (in-process tests): the demo admin and key, users from its SMS sandbox.</summary>
    public static async Task<LoadTarget> ForReferenceClientAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var api = new FinanceApi(client, new HttpClientTransport(client));
        var admin = await api.SignInAsync(ReferenceAdminPhone, cancellationToken);
        return new LoadTarget($"{client.BaseAddress} (in-process)", api, admin.Token, ReferenceDemoApiKey, null);
    }

    /// <summary>
    /// Signs in <paramref name="count"/> fresh users through the SMS sandbox (unless the profile named
    /// one) and credits each with <paramref name="credit"/> coins when an admin token is available.
    /// </summary>
    public async Task PrepareUsersAsync(int count, long credit, string runId, CancellationToken cancellationToken)
    {
        if (Users.Count == 0)
        {
            // Distinct phones per run: the sandbox sends one code per phone per minute.
            var first = 17_000_000_000L + (Random.Shared.NextInt64(0, 90_000_000) * 10);
            var users = new LoadUser[count];
            for (var i = 0; i < count; i++)
            {
                users[i] = await Api.SignInAsync((first + i).ToString(CultureInfo.InvariantCulture), cancellationToken);
            }

            Users = users;
        }

        if (AdminToken is not null && credit > 0)
        {
            foreach (var user in Users)
            {
                await Api.CreditAsync(AdminToken, user.UserId, credit, $"{runId}-credit-{user.UserId}", cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(Api);
        if (_process is not null)
        {
            await StopAsync(_process);
        }
    }

    /// <summary>The load's own calls over the lean transport, up to <paramref name="maxConnections"/>; setup and audit over an <see cref="HttpClient"/>.</summary>
    private static FinanceApi Connect(Uri baseUrl, int maxConnections, TimeSpan timeout, bool acceptAnyCertificate = false)
    {
        var handler = new SocketsHttpHandler();
        if (acceptAnyCertificate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = Http1Endpoint.AcceptAnyCertificateCallback;
        }

        // Each setup and audit call sets its own deadline: the ledger audit may take minutes, a sign-in must not.
        return new(new HttpClient(handler) { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan }, new Http1Transport(baseUrl, maxConnections, timeout, acceptAnyCertificate))
        {
            RequestTimeout = timeout,
        };
    }

    /// <summary>Closes the clients' connections (and the transport's watchdog).</summary>
    private static void Close(FinanceApi api)
    {
        api.Http.Dispose();
        (api.Transport as IDisposable)?.Dispose();
    }

    private static async Task StopAsync(HarnessProcess process)
    {
        await process.DisposeAsync();
        TempDirectory.TryDelete(process.DataDirectory);
    }
}
