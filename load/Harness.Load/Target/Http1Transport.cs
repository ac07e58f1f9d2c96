using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Harness.Load.Target;

/// <summary>
/// The load's requests over a pool of plain HTTP/1.1 keep-alive connections (TLS for an https
/// target), up to a limit, with a timeout per request.
/// <para>
/// Why not <see cref="HttpClient"/>: the open model charges the runner's own stalls to the target, and
/// on a small box the runner shares the CPUs with the backend it measures. Through
/// <see cref="SocketsHttpHandler"/> a consume cost the runner about 5 KB of garbage (request and
/// response objects, header collections, content streams) and ~55 µs of CPU; here about half the
/// garbage and ~39 µs. The scenarios send a handful of request shapes
/// and read a small JSON envelope, so a connection writes the request into a buffer it keeps, reads
/// the answer into another, and parses the envelope in place; one watchdog keeps every timeout
/// instead of a timer per request.
/// </para>
/// </summary>
public sealed class Http1Transport : ILoadTransport, IDisposable
{
    private readonly Http1Endpoint _endpoint;
    private readonly int _maxConnections;
    private readonly long _timeoutTicks;
    private readonly Lock _gate = new();
    private readonly Stack<Http1Connection> _idle = new();
    private readonly Queue<TaskCompletionSource<Http1Connection>> _waiting = new();
    private readonly HashSet<Http1Connection> _open = [];
    private readonly Timer _watchdog;
    private int _opening;
    private bool _disposed;

    /// <param name="baseUrl">An http or https URL; its path is not used (calls carry absolute paths).</param>
    /// <param name="maxConnections">At most this many connections are open at once; further calls wait for one.</param>
    /// <param name="timeout">Per call, connecting included.</param>
    /// <param name="acceptAnyCertificate">For an https target: accept its certificate unchecked (a staging server's self-signed one).</param>
    public Http1Transport(Uri baseUrl, int maxConnections, TimeSpan timeout, bool acceptAnyCertificate = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        _endpoint = Http1Endpoint.Of(baseUrl, acceptAnyCertificate);
        _maxConnections = maxConnections;
        _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var every = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 20, 10, 500));
        _watchdog = new Timer(static state => ((Http1Transport)state!).AbortOverdue(), this, every, every);
    }

    /// <summary>Connections open now (idle or busy), for the tests.</summary>
    public int OpenConnections
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>
    /// Sends one call on an idle connection, a new one while under the limit, or the first one freed.
    /// The timeout covers the whole call, the wait for a connection included, as
    /// <see cref="HttpClient.Timeout"/> does. A reused connection that fails before any answer arrived
    /// was closed by the peer while idle; the call goes once more on a new connection (every call the
    /// scenarios make may be repeated: consumes and Stripe creates carry an idempotency key, an Epay order
    /// reopens by its merchant number, a second pay of a paid payment charges nothing, a repeated Creem
    /// create only leaves one more open checkout, the rest only read).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<LoadAnswer> SendAsync(LoadCall call, CancellationToken cancellationToken)
    {
        ThrowIfAborted(cancellationToken);
        var deadline = Stopwatch.GetTimestamp() + _timeoutTicks;
        var connection = await RentAsync(deadline, cancellationToken);
        try
        {
            return await ExchangeAsync(connection, call, deadline, cancellationToken);
        }
        catch (IOException) when (connection is { Exchanges: > 0, NothingReceived: true, TimedOut: false } && !cancellationToken.IsCancellationRequested)
        {
            var fresh = await OpenAsync(deadline, cancellationToken);
            return await ExchangeAsync(fresh, call, deadline, cancellationToken);
        }
    }

    public void Dispose()
    {
        Http1Connection[] open;
        lock (_gate)
        {
            _disposed = true;
            open = [.. _open];
            _open.Clear();
            _idle.Clear();
            while (_waiting.TryDequeue(out var waiter))
            {
                waiter.TrySetException(new ObjectDisposedException(nameof(Http1Transport)));
            }
        }

        _watchdog.Dispose();
        foreach (var connection in open)
        {
            connection.Dispose();
        }
    }

    /// <summary>One exchange on a rented connection, which goes back to the pool (or is closed) whatever happens.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<LoadAnswer> ExchangeAsync(Http1Connection connection, LoadCall call, long deadline, CancellationToken cancellationToken)
    {
        using var abort = cancellationToken.UnsafeRegister(static state => ((Http1Connection)state!).Abort(timedOut: false), connection);
        try
        {
            return await connection.ExchangeAsync(_endpoint, call, deadline);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            if (connection.TimedOut)
            {
                throw TimedOut("no answer");
            }

            ThrowIfAborted(cancellationToken);
            throw ex as IOException ?? new IOException("the connection failed: " + ex.Message, ex);
        }
        finally
        {
            Return(connection);
        }
    }

    private ValueTask<Http1Connection> RentAsync(long deadline, CancellationToken cancellationToken)
    {
        TaskCompletionSource<Http1Connection> waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
            {
                return new(idle);
            }

            if (_open.Count + _opening < _maxConnections)
            {
                _opening++;
                return new(ConnectAsync(deadline, cancellationToken));
            }

            waiter = new TaskCompletionSource<Http1Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(waiter);
        }

        return new(WaitAsync(waiter, deadline, cancellationToken));
    }

    /// <summary>Waits for a connection another call frees, until the call's deadline.</summary>
    private async Task<Http1Connection> WaitAsync(TaskCompletionSource<Http1Connection> waiter, long deadline, CancellationToken cancellationToken)
    {
        // A waiter that gave up stays queued but can no longer be handed a connection: Return skips it.
        using var expiry = new CancellationTokenSource(Remaining(deadline));
        using var expire = expiry.Token.UnsafeRegister(static state => ((TaskCompletionSource<Http1Connection>)state!).TrySetException(new TimeoutException()), waiter);
        using var cancel = cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource<Http1Connection>)state!).TrySetCanceled(), waiter);
        try
        {
            return await waiter.Task;
        }
        catch (TimeoutException)
        {
            throw TimedOut("no free connection (--connections)");
        }
    }

    /// <summary>A new connection outside the idle pool, in place of one that just failed (which no longer counts against the limit).</summary>
    private Task<Http1Connection> OpenAsync(long deadline, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _opening++;
        }

        return ConnectAsync(deadline, cancellationToken);
    }

    /// <summary>Opens a connection already counted in <see cref="_opening"/>; a failure frees its place for a waiter.</summary>
    private async Task<Http1Connection> ConnectAsync(long deadline, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Remaining(deadline));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Http1Connection connection;
        try
        {
            connection = await Http1Connection.OpenAsync(_endpoint, linked.Token);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            lock (_gate)
            {
                _opening--;
            }

            OpenForWaiter();
            ThrowIfAborted(cancellationToken);
            throw timeout.IsCancellationRequested
                ? TimedOut("could not connect")
                : new HttpRequestException($"could not connect to {_endpoint.Host}:{_endpoint.Port}: {ex.Message}", ex);
        }

        lock (_gate)
        {
            _opening--;
            if (!_disposed)
            {
                _open.Add(connection);
                return connection;
            }
        }

        connection.Dispose();
        throw new ObjectDisposedException(nameof(Http1Transport));
    }

    /// <summary>Hands a usable connection to the first live waiter or back to the idle pool; closes any other and lets a waiter open a new one.</summary>
    private void Return(Http1Connection connection)
    {
        lock (_gate)
        {
            if (connection.Reusable && !_disposed)
            {
                while (_waiting.TryDequeue(out var waiter))
                {
                    if (waiter.TrySetResult(connection))
                    {
                        return;
                    }
                }

                _idle.Push(connection);
                return;
            }

            _open.Remove(connection);
        }

        connection.Dispose();
        OpenForWaiter();
    }

    /// <summary>When a place under the limit is free and someone waits, opens a connection for the first live waiter.</summary>
    private void OpenForWaiter()
    {
        TaskCompletionSource<Http1Connection>? waiter = null;
        lock (_gate)
        {
            if (_disposed || _open.Count + _opening >= _maxConnections)
            {
                return;
            }

            while (_waiting.TryDequeue(out var next))
            {
                if (!next.Task.IsCompleted)
                {
                    waiter = next;
                    _opening++;
                    break;
                }
            }
        }

        if (waiter is not null)
        {
            _ = HandOverAsync(waiter);
        }

        async Task HandOverAsync(TaskCompletionSource<Http1Connection> to)
        {
            try
            {
                var connection = await ConnectAsync(Stopwatch.GetTimestamp() + _timeoutTicks, CancellationToken.None);
                if (!to.TrySetResult(connection))
                {
                    Return(connection); // the waiter gave up meanwhile: someone else may use it
                }
            }
            catch (Exception ex)
            {
                to.TrySetException(ex);
            }
        }
    }

    /// <summary>What is left until <paramref name="deadline"/> (at least a tick, so an expired wait still ends through its timer).</summary>
    private static TimeSpan Remaining(long deadline) => TimeSpan.FromTicks(Math.Max(1, Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline).Ticks));

    /// <summary>A call past the timeout ends as <see cref="HttpClient"/>'s do: cancelled, with a <see cref="TimeoutException"/> inside.</summary>
    private TaskCanceledException TimedOut(string what) =>
        new($"{what} within the {TimeSpan.FromSeconds(_timeoutTicks / (double)Stopwatch.Frequency).TotalSeconds:0.###} s timeout", new TimeoutException());

    /// <summary>An aborted run's calls end as <see cref="HttpClient"/>'s do: with a <see cref="TaskCanceledException"/>.</summary>
    private static void ThrowIfAborted(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            throw new TaskCanceledException("the run was aborted", null, cancellationToken);
        }
    }

    /// <summary>The watchdog: cuts every connection whose exchange is past its deadline.</summary>
    private void AbortOverdue()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            foreach (var connection in _open)
            {
                var deadline = connection.Deadline;
                if (deadline != 0 && now > deadline)
                {
                    connection.Abort(timedOut: true);
                }
            }
        }
    }
}
