using System.Net;
using System.Text;
using Harness.Callbacks;
using Harness.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Sandbox.Tests.Common;

/// <summary>
/// Delivery under load: attempts run side by side within the limits, a receiver that does not answer holds
/// only its own slots, one payment's events go out one at a time in order, and what is pending survives a restart.
/// </summary>
public sealed class CallbackConcurrencyTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly string _file = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N") + ".db");
    private readonly LiteDocumentStore _store;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly HeldNetwork _network = new();

    public CallbackConcurrencyTests() => _store = new LiteDocumentStore(_file);

    public void Dispose()
    {
        _network.ReleaseAll();
        _store.Dispose();
        File.Delete(_file);
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_holds_only_its_own_slots_and_others_are_served_meanwhile()
    {
        using var dispatcher = Dispatcher(new DeliveryLimits(8, 4));
        _network.Hold("slow.test");
        var slow = dispatcher.Enqueue(New("slow.test", "pay_slow", 1));
        var run = dispatcher.RunDueAsync(Ct);
        await Until(() => _network.Arrived("slow.test") == 1);

        // Enqueued while the pump waits on the slow receiver: sent without waiting for it.
        var fast = Enumerable.Range(1, 3).Select(i => dispatcher.Enqueue(New("fast.test", $"pay_{i}", i))).ToList();
        await Until(() => fast.All(d => dispatcher.Get(d.Id)!.Status == CallbackStatus.Delivered));

        // A delivered attempt frees its slot once the pump hears it ended, a moment after its record commits.
        await Until(() => dispatcher.InFlight == 1);
        Assert.False(run.IsCompleted);
        Assert.Empty(dispatcher.Get(slow.Id)!.Attempts);
        Assert.Equal(1, dispatcher.InFlight);

        _network.ReleaseAll();
        Assert.Equal(4, await run);
        Assert.Equal(CallbackStatus.Delivered, dispatcher.Get(slow.Id)!.Status);
    }

    [Fact]
    public async Task Attempts_in_flight_stay_within_the_limits_in_all_and_per_receiver()
    {
        using var dispatcher = Dispatcher(new DeliveryLimits(3, 2));
        _network.Hold("a.test");
        _network.Hold("b.test");
        for (var i = 0; i < 6; i++)
        {
            dispatcher.Enqueue(New("a.test", $"pay_a{i}", i));
            dispatcher.Enqueue(New("b.test", $"pay_b{i}", i));
        }

        var run = dispatcher.RunDueAsync(Ct);
        await Until(() => _network.Arrived("a.test") + _network.Arrived("b.test") == 3);
        await Task.Delay(100, Ct); // room for a fourth, which must not come

        Assert.Equal(3, dispatcher.InFlight);
        Assert.Equal(9, dispatcher.Waiting);
        Assert.Equal(3, _network.Arrived("a.test") + _network.Arrived("b.test"));
        Assert.InRange(_network.Arrived("a.test"), 1, 2);
        Assert.InRange(_network.Arrived("b.test"), 1, 2);

        _network.ReleaseAll();
        Assert.Equal(12, await run);
        // Within the limits for the whole run, not only while held.
        Assert.InRange(_network.MostAtOnce("a.test"), 1, 2);
        Assert.InRange(_network.MostAtOnce("b.test"), 1, 2);
        Assert.Equal(3, _network.MostAtOnceInAll);
    }

    [Fact]
    public async Task One_subjects_deliveries_go_out_one_at_a_time_in_the_order_they_were_made()
    {
        using var dispatcher = Dispatcher(new DeliveryLimits(8, 8));
        _network.Hold("shop.test");
        for (var i = 1; i <= 5; i++)
        {
            dispatcher.Enqueue(New("shop.test", "pay_1", i));
        }

        var run = dispatcher.RunDueAsync(Ct);
        await Until(() => _network.Arrived("shop.test") == 1);
        await Task.Delay(100, Ct);
        Assert.Equal(1, dispatcher.InFlight);

        _network.ReleaseAll();
        Assert.Equal(5, await run);
        Assert.Equal(["1", "2", "3", "4", "5"], _network.Bodies("shop.test"));
        Assert.Equal(1, _network.MostAtOnce("shop.test"));
    }

    [Fact]
    public async Task A_dispatcher_opened_on_the_same_store_later_sends_what_was_pending()
    {
        string id;
        using (var before = Dispatcher(DeliveryLimits.Default))
        {
            id = before.Enqueue(New("shop.test", "pay_1", 1), TimeSpan.FromMinutes(1)).Id;
        }

        using var after = Dispatcher(DeliveryLimits.Default);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(1), after.NextDueAt());
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, await after.RunDueAsync(Ct));
        Assert.Equal(CallbackStatus.Delivered, after.Get(id)!.Status);
    }

    [Fact]
    public async Task A_delivery_enqueued_in_a_unit_is_sent_only_once_the_unit_commits_and_never_when_it_rolls_back()
    {
        using var dispatcher = Dispatcher(DeliveryLimits.Default);
        Assert.Throws<InvalidOperationException>(() => _store.InTransaction(() =>
        {
            dispatcher.Enqueue(New("shop.test", "pay_rolled_back", 1));
            throw new InvalidOperationException("the payment's unit failed");
        }));
        Assert.Null(dispatcher.NextDueAt());

        string? id = null;
        _store.InTransaction(() =>
        {
            id = dispatcher.Enqueue(New("shop.test", "pay_committed", 2)).Id;
            Assert.Null(dispatcher.NextDueAt()); // the pump would read a delivery not yet in the store
        });

        Assert.Equal(1, await dispatcher.RunDueAsync(Ct));
        Assert.Equal(CallbackStatus.Delivered, dispatcher.Get(id!)!.Status);
        Assert.Equal(["2"], _network.Bodies("shop.test"));
    }

    [Fact]
    public async Task A_due_attempt_that_a_resend_settled_meanwhile_is_not_sent_or_counted()
    {
        using var dispatcher = Dispatcher(DeliveryLimits.Default);
        var delivery = dispatcher.Enqueue(New("shop.test", "pay_1", 1));
        _network.Hold("shop.test");
        var resend = dispatcher.ResendAsync(delivery.Id, Ct);
        await Until(() => _network.Arrived("shop.test") == 1);

        // The scheduled attempt waits for the resend, which is acknowledged: nothing is left to send.
        var run = dispatcher.RunDueAsync(Ct);
        await Until(() => dispatcher.InFlight == 1);
        _network.ReleaseAll();
        await resend;

        Assert.Equal(0, await run);
        Assert.Equal(["1"], _network.Bodies("shop.test"));
        Assert.Equal(CallbackStatus.Delivered, dispatcher.Get(delivery.Id)!.Status);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Limits_under_one_are_refused(int total, int perReceiver)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Dispatcher(new DeliveryLimits(total, perReceiver)));

        Assert.Equal("limits", error.ParamName);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CallbackDispatcher Dispatcher(DeliveryLimits limits) =>
        new(_store, _clock, new HttpClient(_network), TimeSpan.FromSeconds(30), limits);

    private static CallbackDelivery New(string host, string subject, int n) => new()
    {
        Source = "test",
        Subject = subject,
        EventType = "paid",
        Url = $"http://{host}/hook",
        Headers = { ["Content-Type"] = "text/plain" },
        Body = Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        RetryDelaysSeconds = [60],
    };

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>Answers 200, but holds requests to the chosen hosts until released; counts what arrives and how much at once.</summary>
    private sealed class HeldNetwork : HttpMessageHandler
    {
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly HashSet<string> _held = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<string>> _bodies = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (int Now, int Most)> _atOnce = new(StringComparer.Ordinal);
        private int _inAll;

        public int MostAtOnceInAll { get; private set; }

        public void Hold(string host)
        {
            lock (_lock)
            {
                _held.Add(host);
            }
        }

        public void ReleaseAll() => _release.TrySetResult();

        public int Arrived(string host)
        {
            lock (_lock)
            {
                return _bodies.GetValueOrDefault(host)?.Count ?? 0;
            }
        }

        public IReadOnlyList<string> Bodies(string host)
        {
            lock (_lock)
            {
                return [.. _bodies[host]];
            }
        }

        public int MostAtOnce(string host)
        {
            lock (_lock)
            {
                return _atOnce[host].Most;
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var host = request.RequestUri!.Host;
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            bool held;
            lock (_lock)
            {
                held = _held.Contains(host);
                (_bodies.TryGetValue(host, out var list) ? list : _bodies[host] = []).Add(body);
                var (now, most) = _atOnce.GetValueOrDefault(host);
                _atOnce[host] = (now + 1, Math.Max(most, now + 1));
                MostAtOnceInAll = Math.Max(MostAtOnceInAll, ++_inAll);
            }

            if (held)
            {
                await _release.Task.WaitAsync(cancellationToken);
            }

            lock (_lock)
            {
                _atOnce[host] = (_atOnce[host].Now - 1, _atOnce[host].Most);
                _inAll--;
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("") };
        }
    }
}
