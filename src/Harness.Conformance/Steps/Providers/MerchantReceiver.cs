using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Harness.Conformance.Steps.Providers;

/// <summary>One request the merchant's endpoint received, as it arrived.</summary>
public sealed record ReceivedRequest(string Method, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    /// <summary>When it arrived, by the runner's clock (a signed timestamp is checked against it).</summary>
    public DateTimeOffset ReceivedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The HTTP status the endpoint answered it with.</summary>
    public int AnsweredStatus { get; init; }

    /// <summary>The parameters a PHP merchant reads: the query of a GET, the fields of a form POST.</summary>
    public Dictionary<string, string> Parameters => FormText.Dictionary(FormText.Parse(Method == "GET" ? Query : Body));
}

/// <summary>
/// The merchant's webhook/notify endpoint for one scenario, on a free local port (HttpListener, so the runner
/// needs no web host). It answers with a scripted sequence of responses, then a default, and records every request.
/// </summary>
public sealed class MerchantReceiver : IDisposable
{
    private readonly HttpListener _listener;
    private readonly List<ReceivedRequest> _received = [];
    private readonly Queue<(int Status, string Body)> _script = new();
    private readonly Task _loop;

    private MerchantReceiver(HttpListener listener, string url)
    {
        _listener = listener;
        Url = url;
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>The answer once the script is used up (or for requests the script does not apply to).</summary>
    public (int Status, string Body) Default { get; set; } = (200, "");

    /// <summary>Which requests the script answers; all of them unless a step narrows it.</summary>
    public Func<ReceivedRequest, bool> ScriptApplies { get; set; } = _ => true;

    public IReadOnlyList<ReceivedRequest> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public static MerchantReceiver Start()
    {
        // A port can be taken between probing and listening; a few tries make that harmless.
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreePort()}/hook/";
            var listener = new HttpListener();
            listener.Prefixes.Add(url);
            try
            {
                listener.Start();
                return new MerchantReceiver(listener, url.TrimEnd('/'));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>A loopback port nothing listens on (for "the receiver is unreachable").</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Script(params (int Status, string Body)[] answers)
    {
        lock (_script)
        {
            foreach (var answer in answers)
            {
                _script.Enqueue(answer);
            }
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext http;
            try
            {
                http = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // closed at the end of the scenario
            }

            try
            {
                await AnswerAsync(http);
            }
            catch (Exception ex) when (!_listener.IsListening && ex is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                return; // the scenario ended while a request was being answered; closing the listener aborted it
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext http)
    {
        using var reader = new StreamReader(http.Request.InputStream, Encoding.UTF8);
        var request = new ReceivedRequest(
            http.Request.HttpMethod,
            http.Request.Url?.Query ?? "",
            http.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => http.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase),
            await reader.ReadToEndAsync());
        (int Status, string Body) answer;
        lock (_script)
        {
            answer = _script.Count > 0 && ScriptApplies(request) ? _script.Dequeue() : Default;
        }

        request = request with { AnsweredStatus = answer.Status };

        lock (_received)
        {
            _received.Add(request);
        }

        var bytes = Encoding.UTF8.GetBytes(answer.Body);
        try
        {
            http.Response.StatusCode = answer.Status;
            http.Response.ContentLength64 = bytes.Length;
            await http.Response.OutputStream.WriteAsync(bytes);
            http.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // The sender gave up (its timeout) and the connection's response went with it (disposed, or already
            // submitted as the connection closed); the request is recorded all the same.
        }
    }
}
