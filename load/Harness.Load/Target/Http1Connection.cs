using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Harness.Load.Target;

/// <summary>
/// One keep-alive HTTP/1.1 connection of <see cref="Http1Transport"/>: writes a request into a buffer
/// it reuses, reads the answer (Content-Length, chunked, or up to the close) into another, and reads
/// the envelope straight from those bytes. One request at a time, no pipelining.
/// </summary>
internal sealed class Http1Connection : IDisposable
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxBodyBytes = 16 * 1024 * 1024;
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly Stream _stream;
    private byte[] _send = new byte[1024];
    private byte[] _receive = new byte[4096];
    private byte[] _chunked = [];
    private int _start; // unread answer bytes are _receive[_start.._end)
    private int _end;
    private long _deadline; // Stopwatch ticks; 0 while idle
    private int _aborted;

    private Http1Connection(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    /// <summary>How many exchanges completed on this connection.</summary>
    public int Exchanges { get; private set; }

    /// <summary>Whether the last exchange failed before a single byte of the answer arrived (a stale keep-alive connection looks like this).</summary>
    public bool NothingReceived { get; private set; }

    /// <summary>Aborted by the watchdog because the exchange ran past its deadline.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>Whether the connection can carry another request: not aborted, and the last answer kept it alive.</summary>
    public bool Reusable { get; private set; }

    public static async Task<Http1Connection> OpenAsync(Http1Endpoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(endpoint.Host, endpoint.Port), cancellationToken);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (endpoint.Tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                var options = new SslClientAuthenticationOptions { TargetHost = endpoint.Host };
                if (endpoint.AcceptAnyCertificate)
                {
                    options.RemoteCertificateValidationCallback = Http1Endpoint.AcceptAnyCertificateCallback;
                }

                await tls.AuthenticateAsClientAsync(options, cancellationToken);
            }

            return new Http1Connection(socket, stream);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Due time of the exchange under way (Stopwatch ticks), or 0 when idle: the transport's watchdog aborts it past that.</summary>
    public long Deadline => Volatile.Read(ref _deadline);

    /// <summary>
    /// Sends <paramref name="call"/> and reads its answer. Throws <see cref="IOException"/> when the
    /// connection fails or the answer is not HTTP/1.x. It takes no cancellation token: a timeout or an
    /// abort cuts the connection (<see cref="Abort"/>), which ends a read under way.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<LoadAnswer> ExchangeAsync(Http1Endpoint endpoint, LoadCall call, long deadline)
    {
        Volatile.Write(ref _deadline, deadline);
        (NothingReceived, Reusable) = (true, false);
        try
        {
            var length = WriteRequest(endpoint, call);
            await _stream.WriteAsync(_send.AsMemory(0, length));
            var answer = await ReadAnswerAsync(call.Method == "HEAD", call.KeepBody);
            Exchanges++;
            return answer;
        }
        finally
        {
            Volatile.Write(ref _deadline, 0);
        }
    }

    /// <summary>Cuts the connection; an exchange under way fails with an <see cref="IOException"/> or <see cref="ObjectDisposedException"/>.</summary>
    public void Abort(bool timedOut)
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            TimedOut = timedOut;
            Reusable = false;
            _socket.Dispose();
        }
    }

    public void Dispose()
    {
        Abort(timedOut: false);
        _stream.Dispose();
    }

    private int WriteRequest(Http1Endpoint endpoint, LoadCall call)
    {
        var bodyLength = call.Body?.Length ?? 0;
        var most = call.Method.Length + call.Path.Length + endpoint.HostHeader.Length + (call.Authorization?.Length ?? 0) + (call.ApiKey?.Length ?? 0) + call.ContentType.Length + bodyLength + 160;
        // Indexed, not enumerated: the Finance calls have no headers and must not pay for an enumerator.
        var headers = call.Headers;
        for (var i = 0; i < headers?.Count; i++)
        {
            most += headers[i].Key.Length + headers[i].Value.Length + 4;
        }

        if (_send.Length < most)
        {
            _send = new byte[most];
        }

        var buffer = _send.AsSpan();
        var at = Ascii(buffer, 0, call.Method);
        buffer[at++] = (byte)' ';
        at = Ascii(buffer, at, call.Path);
        at = Ascii(buffer, at, " HTTP/1.1\r\n");
        at = Ascii(buffer, at, endpoint.HostHeader);
        if (call.Authorization is not null)
        {
            at = Ascii(buffer, at, "Authorization: ");
            at = Ascii(buffer, at, call.Authorization);
            at = Ascii(buffer, at, "\r\n");
        }

        if (call.ApiKey is not null)
        {
            at = Ascii(buffer, at, FinanceApi.ApiKeyHeader + ": ");
            at = Ascii(buffer, at, call.ApiKey);
            at = Ascii(buffer, at, "\r\n");
        }

        for (var i = 0; i < headers?.Count; i++)
        {
            at = Ascii(buffer, at, headers[i].Key);
            at = Ascii(buffer, at, ": ");
            at = Ascii(buffer, at, headers[i].Value);
            at = Ascii(buffer, at, "\r\n");
        }

        if (call.Body is not null)
        {
            at = Ascii(buffer, at, "Content-Type: ");
            at = Ascii(buffer, at, call.ContentType);
            at = Ascii(buffer, at, "\r\n");
        }

        if (call.Body is not null || call.Method == "POST")
        {
            at = Ascii(buffer, at, "Content-Length: ");
            Utf8Formatter.TryFormat(bodyLength, buffer[at..], out var written);
            at += written;
            at = Ascii(buffer, at, "\r\n");
        }

        at = Ascii(buffer, at, "\r\n");
        call.Body?.CopyTo(buffer[at..]);
        return at + bodyLength;

        static int Ascii(Span<byte> buffer, int at, string text)
        {
            // Header values the runner sends (tokens, keys, paths) are ASCII; anything else would be a bug upstream.
            return at + Encoding.ASCII.GetBytes(text, buffer[at..]);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<LoadAnswer> ReadAnswerAsync(bool head, bool keepBody)
    {
        while (true)
        {
            var headEnd = await FindAsync(HeadEnd, MaxHeadBytes);
            var answer = AnswerHead.Parse(_receive.AsSpan(_start, headEnd - _start));
            _start = headEnd + 4;
            if (answer.Status is >= 100 and < 200)
            {
                continue; // an interim answer (100 Continue): the real one follows
            }

            var bodyless = head || answer.Status is 204 or 304;
            ReadOnlyMemory<byte> body;
            if (bodyless)
            {
                body = ReadOnlyMemory<byte>.Empty;
            }
            else if (answer.Chunked)
            {
                body = await ReadChunkedAsync();
            }
            else if (answer.ContentLength is { } contentLength)
            {
                if (contentLength > MaxBodyBytes)
                {
                    throw new IOException($"the answer's body of {contentLength} bytes is more than the runner reads");
                }

                await EnsureAsync((int)contentLength);
                body = _receive.AsMemory(_start, (int)contentLength);
                _start += (int)contentLength;
            }
            else
            {
                while (await FillAsync())
                {
                    if (_end - _start > MaxBodyBytes)
                    {
                        throw new IOException("the answer's body is more than the runner reads");
                    }
                }

                body = _receive.AsMemory(_start, _end - _start);
                _start = _end;
                answer = answer with { KeepAlive = false };
            }

            var fields = EnvelopeFields.Parse(body.Span);
            // Bytes after the answer were never asked for: the connection is out of step, so it is not reused.
            Reusable = answer.KeepAlive && _start == _end && Volatile.Read(ref _aborted) == 0;
            (_start, _end) = (0, 0);
            return new LoadAnswer((HttpStatusCode)answer.Status, fields, keepBody ? body.ToArray() : null);
        }
    }

    /// <summary>Decodes a chunked body (extensions and trailers skipped) into a buffer of its own.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>> ReadChunkedAsync()
    {
        var length = 0;
        while (true)
        {
            var lineEnd = await FindAsync(LineEnd, MaxHeadBytes);
            var size = ChunkSize(_receive.AsSpan(_start, lineEnd - _start));
            _start = lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            if (length + size > MaxBodyBytes)
            {
                throw new IOException("the answer's body is more than the runner reads");
            }

            await EnsureAsync(size + 2);
            if (_chunked.Length < length + size)
            {
                Array.Resize(ref _chunked, Math.Max(length + size, _chunked.Length * 2));
            }

            _receive.AsSpan(_start, size).CopyTo(_chunked.AsSpan(length));
            length += size;
            if (!_receive.AsSpan(_start + size, 2).SequenceEqual("\r\n"u8))
            {
                throw new IOException("a chunk of the answer does not end with CRLF");
            }

            _start += size + 2;
        }

        // Trailer fields, if any, up to the empty line that ends the message.
        while (true)
        {
            var lineEnd = await FindAsync(LineEnd, MaxHeadBytes);
            var empty = lineEnd == _start;
            _start = lineEnd + 2;
            if (empty)
            {
                return _chunked.AsMemory(0, length);
            }
        }
    }

    private static int ChunkSize(ReadOnlySpan<byte> line)
    {
        var extension = line.IndexOf((byte)';');
        var digits = (extension < 0 ? line : line[..extension]).TrimEnd(" \t"u8);
        return Utf8Parser.TryParse(digits, out int size, out var used, 'x') && used == digits.Length && size >= 0
            ? size
            : throw new IOException("a chunk size of the answer is not hexadecimal");
    }

    /// <summary>Reads until <paramref name="marker"/> is among the unread bytes and returns where it starts (an index into the receive buffer).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FindAsync(byte[] marker, int limit)
    {
        var searched = 0; // bytes after _start already searched without a match
        while (true)
        {
            var at = _receive.AsSpan(_start + searched, _end - _start - searched).IndexOf(marker);
            if (at >= 0)
            {
                return _start + searched + at;
            }

            searched = Math.Max(0, _end - _start - marker.Length + 1);
            if (_end - _start > limit)
            {
                throw new IOException("the answer's head is longer than the runner reads");
            }

            if (!await FillAsync())
            {
                throw new IOException(NothingReceived ? "the connection was closed before an answer" : "the connection was closed in the middle of an answer");
            }
        }
    }

    /// <summary>Reads until at least <paramref name="count"/> bytes are unread.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EnsureAsync(int count)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync(count))
            {
                throw new IOException("the connection was closed in the middle of an answer");
            }
        }
    }

    /// <summary>Reads what has arrived after the unread bytes, making room first; false when the peer closed the connection.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(int want = 0)
    {
        var unread = _end - _start;
        var room = Math.Max(want, unread + 1);
        if (_receive.Length - _start < room)
        {
            _receive.AsSpan(_start, unread).CopyTo(_receive);
            (_start, _end) = (0, unread);
            if (_receive.Length < room)
            {
                Array.Resize(ref _receive, Math.Max(room, _receive.Length * 2));
            }
        }

        var read = await _stream.ReadAsync(_receive.AsMemory(_end));
        if (read > 0)
        {
            NothingReceived = false;
        }

        _end += read;
        return read > 0;
    }
}

/// <summary>Where <see cref="Http1Transport"/> connects, the <c>Host</c> header line it sends, and whether an https target's certificate goes unchecked.</summary>
internal sealed record Http1Endpoint(string Host, int Port, bool Tls, string HostHeader, bool AcceptAnyCertificate)
{
    public static Http1Endpoint Of(Uri baseUrl, bool acceptAnyCertificate) => baseUrl.Scheme is "http" or "https"
        ? new(baseUrl.IdnHost, baseUrl.Port, baseUrl.Scheme == "https", $"Host: {baseUrl.Authority}\r\n", acceptAnyCertificate)
        : throw new ArgumentException($"the load runner speaks http and https, not {baseUrl.Scheme}", nameof(baseUrl));

#pragma warning disable CA5359 // only with --insecure: the user asked to load a target whose certificate is self-signed
    /// <summary>The certificate check <c>--insecure</c> asks for: none.</summary>
    public static readonly RemoteCertificateValidationCallback AcceptAnyCertificateCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
}

/// <summary>The status line and the headers of an answer that say how its body is framed and whether the connection stays.</summary>
internal readonly record struct AnswerHead(int Status, long? ContentLength, bool Chunked, bool KeepAlive)
{
    public static AnswerHead Parse(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        // "HTTP/1.1 200 OK": the version, a space, three digits.
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var used) || used != 3)
        {
            throw new IOException("the answer does not start with an HTTP/1.x status line");
        }

        var (contentLength, chunked, keepAlive) = ((long?)null, false, statusLine[7] == (byte)'1');
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                contentLength = Utf8Parser.TryParse(value, out long length, out var read) && read == value.Length && length >= 0
                    ? length
                    : throw new IOException("the answer's Content-Length is not a number");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = EndsWithToken(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                keepAlive = keepAlive ? !ContainsToken(value, "close"u8) : ContainsToken(value, "keep-alive"u8);
            }
        }

        return new AnswerHead(status, contentLength, chunked, keepAlive);
    }

    private static bool EndsWithToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        var comma = value.LastIndexOf((byte)',');
        return Ascii.EqualsIgnoreCase(value[(comma + 1)..].Trim(" \t"u8), token);
    }

    private static bool ContainsToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }
}
