using System.Net;
using System.Text;
using Harness.Callbacks;
using Harness.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Sandbox.Tests.Common;

/// <summary>The provider-neutral delivery mechanism in Harness.Callbacks, driven by a fake clock and a fake network.</summary>
public sealed class CallbackDispatcherTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N") + ".db");
    private readonly LiteDocumentStore _store;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ScriptedNetwork _network = new();
    private readonly CallbackDispatcher _dispatcher;

    public CallbackDispatcherTests()
    {
        _store = new LiteDocumentStore(_file);
        _dispatcher = new CallbackDispatcher(_store, _clock, new HttpClient(_network), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Retries_fall_due_relative_to_the_previous_due_time_so_one_big_advance_catches_up()
    {
        _network.Answers.Enqueue(HttpStatusCode.InternalServerError);
        _network.Answers.Enqueue(HttpStatusCode.BadGateway);
        var delivery = _dispatcher.Enqueue(New(retries: [30, 60, 300]));

        Assert.Equal(1, await _dispatcher.RunDueAsync(Ct));
        _clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(2, await _dispatcher.RunDueAsync(Ct));

        var log = _dispatcher.Get(delivery.Id)!;
        Assert.Equal(CallbackStatus.Delivered, log.Status);
        Assert.Equal([500, 502, 200], log.Attempts.Select(a => a.ResponseStatus!.Value));
        Assert.Null(_dispatcher.NextDueAt());
    }

    [Fact]
    public async Task A_signer_signs_every_attempt_and_the_exact_bytes_are_logged()
    {
        _network.Answers.Enqueue(HttpStatusCode.ServiceUnavailable);
        var signer = new CountingSigner();
        _dispatcher.RegisterSigner(signer);
        var delivery = New(retries: [10]);
        delivery.Signer = signer.Name;
        _dispatcher.Enqueue(delivery);

        await _dispatcher.RunDueAsync(Ct);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await _dispatcher.RunDueAsync(Ct);

        var attempts = _dispatcher.Get(delivery.Id)!.Attempts;
        Assert.Equal(["1", "2"], attempts.Select(a => a.RequestHeaders["X-Signature"]));
        Assert.All(attempts, a => Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(a.RequestBody)));
        Assert.Equal(["1", "2"], _network.Seen.Select(r => r.Signature));
    }

    [Fact]
    public async Task A_body_acknowledgement_needs_the_exact_text()
    {
        // Alipay and Epay: exactly the seven characters; a line break or a space around them is a failure (§3.5).
        foreach (var body in new[] { "fail", "success\n", " success", "success\r\n", "success" })
        {
            _network.Bodies.Enqueue(body);
        }

        var delivery = New(retries: [60, 60, 60, 60]);
        delivery.Acknowledgement = CallbackAcknowledgement.BodyText("success");
        _dispatcher.Enqueue(delivery);

        await _dispatcher.RunDueAsync(Ct);
        for (var retry = 0; retry < 4; retry++)
        {
            Assert.Equal(CallbackStatus.Pending, _dispatcher.Get(delivery.Id)!.Status);
            _clock.Advance(TimeSpan.FromMinutes(1));
            await _dispatcher.RunDueAsync(Ct);
        }

        var log = _dispatcher.Get(delivery.Id)!;
        Assert.Equal(CallbackStatus.Delivered, log.Status);
        Assert.Equal([false, false, false, false, true], log.Attempts.Select(a => a.Acknowledged));
    }

    [Theory]
    [InlineData("ftp://merchant.test/hook")]
    [InlineData("mailto:ops@merchant.test")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/hook")]
    [InlineData("http://[::1")]
    public async Task A_url_no_http_client_can_send_to_is_a_failed_attempt_retried_on_schedule(string url)
    {
        // A real client: the refusal comes from HttpClient itself, before any network.
        using var http = new HttpClient();
        using var dispatcher = new CallbackDispatcher(_store, _clock, http, TimeSpan.FromSeconds(5));
        var delivery = New(retries: [30]);
        delivery.Url = url;
        dispatcher.Enqueue(delivery);
        var due = _clock.GetUtcNow();

        Assert.Equal(1, await dispatcher.RunDueAsync(Ct));
        var failed = dispatcher.Get(delivery.Id)!;
        var attempt = Assert.Single(failed.Attempts);
        Assert.False(attempt.Acknowledged);
        Assert.Null(attempt.ResponseStatus);
        Assert.False(string.IsNullOrEmpty(attempt.Error));
        Assert.Equal(CallbackStatus.Pending, failed.Status);
        Assert.Equal(due.AddSeconds(30), dispatcher.NextDueAt());

        Assert.Equal(0, await dispatcher.RunDueAsync(Ct));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await dispatcher.RunDueAsync(Ct));
        var exhausted = dispatcher.Get(delivery.Id)!;
        Assert.Equal(CallbackStatus.Exhausted, exhausted.Status);
        Assert.Equal(2, exhausted.Attempts.Count);
        Assert.Null(dispatcher.NextDueAt());

        Assert.False((await dispatcher.ResendAsync(delivery.Id, Ct))!.Acknowledged);
        Assert.Equal(3, dispatcher.Get(delivery.Id)!.Attempts.Count);
    }

    [Fact]
    public async Task A_delivery_with_its_own_deadline_fails_when_the_receiver_answers_later()
    {
        _network.Stall = true;
        var delivery = New(retries: [60]);
        delivery.AttemptTimeoutSeconds = 1; // shorter than the dispatcher's 5 s
        _dispatcher.Enqueue(delivery);

        await _dispatcher.RunDueAsync(Ct);

        var attempt = Assert.Single(_dispatcher.Get(delivery.Id)!.Attempts);
        Assert.Equal("no response within 1 s", attempt.Error);
        Assert.False(attempt.Acknowledged);
        Assert.Equal(CallbackStatus.Pending, _dispatcher.Get(delivery.Id)!.Status);
    }

    [Fact]
    public async Task Nothing_happens_before_the_first_attempt_is_due()
    {
        _dispatcher.Enqueue(New(retries: []), TimeSpan.FromMinutes(2));
        Assert.Equal(0, await _dispatcher.RunDueAsync(Ct));
        Assert.Equal(_clock.GetUtcNow().AddMinutes(2), _dispatcher.NextDueAt());
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await _dispatcher.RunDueAsync(Ct));
    }

    [Fact]
    public async Task A_pending_delivery_an_earlier_version_stored_is_scheduled_again_at_the_first_start()
    {
        var file = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N") + ".db");
        var due = _clock.GetUtcNow().UtcDateTime.AddSeconds(30);
        try
        {
            using (var earlier = new LiteDocumentStore(file))
            {
                // The earlier layout: no order keys in the documents, indexes on Status and Subject.
                var deliveries = earlier.Collection<EarlierDelivery>("callback_deliveries", "Status", "Subject");
                deliveries.Upsert(new EarlierDelivery("dlv_waiting", 1, CallbackStatus.Pending, due));
                deliveries.Upsert(new EarlierDelivery("dlv_done", 2, CallbackStatus.Delivered, null));
            }

            using var store = new LiteDocumentStore(file);
            using var dispatcher = new CallbackDispatcher(store, _clock, new HttpClient(_network), TimeSpan.FromSeconds(5));

            Assert.Equal(1, dispatcher.Waiting);
            Assert.Equal(new DateTimeOffset(due, TimeSpan.Zero), dispatcher.NextDueAt());
            _clock.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(1, await dispatcher.RunDueAsync(Ct));
            Assert.Equal(CallbackStatus.Delivered, dispatcher.Get("dlv_waiting")!.Status);
            Assert.Equal(["dlv_waiting", "dlv_done"], dispatcher.Page(null, 10).Select(d => d.Id));
        }
        finally
        {
            File.Delete(file);
        }
    }

    public void Dispose()
    {
        _dispatcher.Dispose();
        _store.Dispose();
        File.Delete(_file);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CallbackDelivery New(long[] retries) => new()
    {
        Source = "test",
        Subject = "pay_1",
        EventType = "paid",
        Url = "http://merchant.test/hook",
        Headers = { ["Content-Type"] = "application/json" },
        Body = Encoding.UTF8.GetBytes("{\"n\":1}"),
        RetryDelaysSeconds = [.. retries],
    };

    /// <summary>A delivery as the version before the order keys stored it.</summary>
    public sealed record EarlierDelivery(string Id, long Sequence, CallbackStatus Status, DateTime? NextAttemptAt) : IDocument
    {
        public string Source { get; init; } = "test";

        public string Subject { get; init; } = "pay_1";

        public string EventType { get; init; } = "paid";

        public string Url { get; init; } = "http://merchant.test/hook";

        public byte[] Body { get; init; } = Encoding.UTF8.GetBytes("{\"n\":1}");
    }

    private sealed class CountingSigner : ICallbackSigner
    {
        private int _count;

        public string Name => "counting";

        public void Sign(CallbackDelivery delivery, IDictionary<string, string> headers) =>
            headers["X-Signature"] = Interlocked.Increment(ref _count).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Answers each request with the next scripted status/body (200 and empty afterwards).</summary>
    private sealed class ScriptedNetwork : HttpMessageHandler
    {
        public Queue<HttpStatusCode> Answers { get; } = new();

        public Queue<string> Bodies { get; } = new();

        /// <summary>Never answer: every request waits until the sender gives up.</summary>
        public bool Stall { get; set; }

        public List<(string Signature, string Body)> Seen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Stall)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Seen.Add((request.Headers.TryGetValues("X-Signature", out var s) ? s.Single() : "", body));
            return new HttpResponseMessage(Answers.Count > 0 ? Answers.Dequeue() : HttpStatusCode.OK)
            {
                Content = new StringContent(Bodies.Count > 0 ? Bodies.Dequeue() : ""),
            };
        }
    }
}
