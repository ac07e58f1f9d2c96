using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Harness.Load.Tests.Support;

/// <summary>
/// A loopback TCP server that reads each HTTP request (head and Content-Length body) and answers with
/// whatever the test's script says for that request: exact bytes, in pieces, late, or not at all — the
/// answers a real server sends rarely but a client must still read right.
/// </summary>
internal sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<Exchange, Task> _script;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _requests;
    private int _open;
    private int _mostOpen;

    /// <param name="script">Answers one request; it may write, delay, or close the connection.</param>
    /// <param name="certificate">When given, the server speaks TLS with it (an https target).</param>
    public ScriptedHttpServer(Func<Exchange, Task> script, X509Certificate2? certificate = null)
    {
        _script = script;
        _certificate = certificate;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl => new($"{(_certificate is null ? "http" : "https")}://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Connections accepted so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>The most connections that were open at once.</summary>
    public int MostOpen => Volatile.Read(ref _mostOpen);

    /// <summary>Every request as received (head and body), in order of arrival.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>A loopback port nothing listens on (it was free a moment ago).</summary>
    public static int UnusedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAll([_accepting, .. _connections]).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Accepted++;
            var open = Interlocked.Increment(ref _open);
            InterlockedMax(ref _mostOpen, open);
            lock (_connections)
            {
                _connections.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        var pending = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                stream = tls;
                await tls.AuthenticateAsServerAsync(_certificate);
            }

            while (!_stop.IsCancellationRequested)
            {
                var request = await ReadRequestAsync(stream, pending, buffer);
                if (request is null)
                {
                    return;
                }

                int number;
                lock (Requests)
                {
                    Requests.Add(request);
                    number = ++_requests;
                }

                var exchange = new Exchange(number, request, stream, _stop.Token);
                await _script(exchange);
                if (exchange.Closed)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // the client went away (or refused the certificate) or the server stops
        }
        finally
        {
            await stream.DisposeAsync();
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task<string?> ReadRequestAsync(Stream stream, List<byte> pending, byte[] buffer)
    {
        while (true)
        {
            var text = Encoding.ASCII.GetString([.. pending]);
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0)
            {
                var lengthLine = text[..headEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (pending.Count >= headEnd + 4 + length)
                {
                    var request = Encoding.UTF8.GetString([.. pending.Take(headEnd + 4 + length)]);
                    pending.RemoveRange(0, headEnd + 4 + length);
                    return request;
                }
            }

            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return null;
            }

            pending.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var now && now != seen)
        {
            seen = now;
        }
    }

    /// <summary>One request and the means to answer it.</summary>
    internal sealed class Exchange(int number, string request, Stream stream, CancellationToken stop)
    {
        /// <summary>1 for the first request the server received, across connections.</summary>
        public int Number { get; } = number;

        public string Request { get; } = request;

        public bool Closed { get; private set; }

        public CancellationToken Stop { get; } = stop;

        public async Task WriteAsync(string bytes)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(bytes), Stop);
            await stream.FlushAsync(Stop);
        }

        /// <summary>Writes the answer one byte at a time, each its own TCP segment, so the client reads it in many pieces.</summary>
        public async Task TrickleAsync(string bytes)
        {
            foreach (var b in Encoding.UTF8.GetBytes(bytes))
            {
                await stream.WriteAsync(new[] { b }, Stop);
                await stream.FlushAsync(Stop);
                await Task.Delay(1, Stop);
            }
        }

        /// <summary>Ends the connection after this exchange.</summary>
        public void Close() => Closed = true;

        /// <summary>A complete answer with a Content-Length body.</summary>
        public static string Ok(string json, string extraHeaders = "") =>
            $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{extraHeaders}Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}";
    }
}
