using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Portaly;
using Harness.Conformance.Tests.Support;
using Harness.Portaly;
using Harness.Portaly.Auth;
using Harness.Portaly.Checkout;
using Harness.Portaly.Subscriptions;
using Harness.Security.Signing;
using Harness.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Conformance.Tests.Faults;

/// <summary>
/// The Portaly app with one deliberate defect, installed in its services as a broken implementation might have it
/// (its callback client's pipeline, its store), never behind a switch in the app.
/// </summary>
public static class PortalyFaults
{
    /// <summary>Callbacks signed over keys sorted by code point (ordinal), not by JavaScript's localeCompare.</summary>
    public static Action<IServiceCollection> OrdinalKeyOrder => OnCallbacks(async (request, body, send) =>
    {
        Resign(request, request.Headers.GetValues(PortalySignatureV1.TimestampHeader).Single(), body, StringComparer.Ordinal);
        return await send(request);
    });

    /// <summary>Callbacks stamped (and validly signed) ten minutes in the past.</summary>
    public static Action<IServiceCollection> StaleTimestamp => OnCallbacks(async (request, body, send) =>
    {
        Resign(request, PortalySignature.Timestamp(DateTimeOffset.UtcNow.AddMinutes(-10)), body, keyOrder: null);
        return await send(request);
    });

    /// <summary>The callback's <c>mode</c> is the other mode's (validly signed with the key's secret).</summary>
    public static Action<IServiceCollection> CallbackModeSwapped => OnCallbacks(async (request, body, send) =>
    {
        var payload = JsonNode.Parse(body)!.AsObject();
        var mode = payload["mode"]!.GetValue<string>();
        payload["mode"] = mode == "live" ? "test" : "live";
        var timestamp = request.Headers.GetValues(PortalySignatureV1.TimestampHeader).Single();
        request.Content = new StringContent(PortalyStableJson.Of(payload), Encoding.UTF8, "application/json");
        request.Headers.Remove(PortalySignatureV1.SignatureHeader);
        request.Headers.Add(PortalySignatureV1.SignatureHeader, PortalySignature.Sign(SecretOf(mode), timestamp, payload));
        return await send(request);
    });

    /// <summary>Every <c>checkout.completed</c> is delivered twice, both answered.</summary>
    public static Action<IServiceCollection> CheckoutCallbackTwice => OnCallbacks(async (request, body, send) =>
    {
        if (!body.Contains(PortalyEvents.CheckoutCompleted, StringComparison.Ordinal))
        {
            return await send(request);
        }

        using var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        (await send(copy)).Dispose();
        return await send(request);
    });

    /// <summary>
    /// Checkout sessions are read without their mode: a session answers in the mode of whichever key asks, so a test
    /// key's session is the live key's too.
    /// </summary>
    public static Action<IServiceCollection> ModesMixed => services =>
    {
        var http = new HttpContextAccessor();
        services.AddSingleton<IHttpContextAccessor>(http);
        services.Decorate<IDocumentStore>(inner => new SessionsOfAnyMode(inner, http));
    };

    /// <summary>A code's redemptions are not looked at: the per-customer cap never counts what a buyer already redeemed.</summary>
    public static Action<IServiceCollection> PerCustomerCapIgnored => services => services.Decorate<IDocumentStore>(inner => new RedemptionsUnseen(inner));

    private static string SecretOf(string mode) => mode == "live" ? InProcessPortaly.LiveCallbackSecret : InProcessPortaly.TestCallbackSecret;

    /// <summary>Signs the body again with the key's secret (by its <c>mode</c>), at <paramref name="timestamp"/>, over keys in <paramref name="keyOrder"/>.</summary>
    private static void Resign(HttpRequestMessage request, string timestamp, string body, StringComparer? keyOrder)
    {
        using var payload = JsonDocument.Parse(body);
        var stable = PortalySignatureV1.StableJson(payload.RootElement, keyOrder);
        var secret = SecretOf(payload.RootElement.GetProperty("mode").GetString()!);
        request.Headers.Remove(PortalySignatureV1.TimestampHeader);
        request.Headers.Remove(PortalySignatureV1.SignatureHeader);
        request.Headers.Add(PortalySignatureV1.TimestampHeader, timestamp);
        request.Headers.Add(PortalySignatureV1.SignatureHeader, PortalySignatureV1.Sign(secret, timestamp, stable));
    }

    private delegate Task<HttpResponseMessage> Rewrite(HttpRequestMessage request, string body, Func<HttpRequestMessage, Task<HttpResponseMessage>> send);

    /// <summary>A step in the pipeline of the client that delivers callbacks, after they are signed.</summary>
    private static Action<IServiceCollection> OnCallbacks(Rewrite rewrite) => services =>
        services.AddHttpClient(PortalyApp.CallbackClient).AddHttpMessageHandler(() => new CallbackRewriter(rewrite));

    private sealed class CallbackRewriter(Rewrite rewrite) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            return await rewrite(request, body, r => base.SendAsync(r, cancellationToken));
        }
    }

    private sealed class SessionsOfAnyMode(IDocumentStore inner, IHttpContextAccessor http) : IDocumentStore
    {
        public IDocumentCollection<T> Collection<T>(string name, params string[] indexedFields)
            where T : class, IDocument
        {
            var collection = inner.Collection<T>(name, indexedFields);
            return collection is IDocumentCollection<CheckoutSession> sessions ? (IDocumentCollection<T>)(object)new AnyMode(sessions, http) : collection;
        }

        public void InTransaction(Action work) => inner.InTransaction(work);

        public void OnCommitted(Action action) => inner.OnCommitted(action);

        public Task InTransactionAsync(Action work) => inner.InTransactionAsync(work);

        private sealed class AnyMode(IDocumentCollection<CheckoutSession> inner, IHttpContextAccessor http) : IDocumentCollection<CheckoutSession>
        {
            public CheckoutSession? Get(string id) =>
                inner.Get(id) is { } session && http.HttpContext?.Features.Get<PortalyApiKey>() is { } key ? session with { Mode = key.Mode } : inner.Get(id);

            public IReadOnlyList<CheckoutSession> All() => inner.All();

            public IReadOnlyList<CheckoutSession> Between(string field, string? after, string? before, int limit, bool descending = false) =>
                inner.Between(field, after, before, limit, descending);

            public IReadOnlyList<CheckoutSession> FindBy(string field, string value) => inner.FindBy(field, value);

            public bool TryInsert(CheckoutSession document) => inner.TryInsert(document);

            public void Upsert(CheckoutSession document) => inner.Upsert(document);

            public bool Delete(string id) => inner.Delete(id);

            public long Count() => inner.Count();
        }
    }

    /// <summary>
    /// A cancellation takes effect a period late: the subscription is charged (renewed) once more after the end of the
    /// period the subscriber asked to stop at — the renewal after cancel the contract forbids. A cancellation being
    /// requested is written with its effective time one billing period later.
    /// </summary>
    public static Action<IServiceCollection> RenewalAfterCancel => OnWrites<Subscription>((stored, document) =>
        document is { CancelAtPeriodEnd: true, CancelEffectiveAt: { } end } && stored.Get(document.Id) is { CancelAtPeriodEnd: false }
            ? document with { CancelEffectiveAt = end.AddMonths(1) }
            : document);

    /// <summary>
    /// A repeating discount's cycles are forgotten when the subscription is written: every renewal is discounted, past
    /// the cycles the code allows.
    /// </summary>
    public static Action<IServiceCollection> DiscountPastItsCycles => OnWrites<Subscription>((_, document) =>
        document.Discount is { Cycles: not null } discount ? document with { Discount = discount with { Cycles = null } } : document);

    /// <summary>The store with each write of one collection's documents rewritten (given the collection, to read what is stored).</summary>
    private static Action<IServiceCollection> OnWrites<TDocument>(Func<IDocumentCollection<TDocument>, TDocument, TDocument> rewrite)
        where TDocument : class, IDocument =>
        services => services.Decorate<IDocumentStore>(inner => new WritesRewritten<TDocument>(inner, rewrite));

    private sealed class WritesRewritten<TDocument>(IDocumentStore inner, Func<IDocumentCollection<TDocument>, TDocument, TDocument> rewrite) : IDocumentStore
        where TDocument : class, IDocument
    {
        public IDocumentCollection<T> Collection<T>(string name, params string[] indexedFields)
            where T : class, IDocument
        {
            var collection = inner.Collection<T>(name, indexedFields);
            return collection is IDocumentCollection<TDocument> documents ? (IDocumentCollection<T>)(object)new Rewriting(documents, rewrite) : collection;
        }

        public void InTransaction(Action work) => inner.InTransaction(work);

        public void OnCommitted(Action action) => inner.OnCommitted(action);

        public Task InTransactionAsync(Action work) => inner.InTransactionAsync(work);

        private sealed class Rewriting(IDocumentCollection<TDocument> inner, Func<IDocumentCollection<TDocument>, TDocument, TDocument> rewrite) : IDocumentCollection<TDocument>
        {
            public TDocument? Get(string id) => inner.Get(id);

            public IReadOnlyList<TDocument> All() => inner.All();

            public IReadOnlyList<TDocument> Between(string field, string? after, string? before, int limit, bool descending = false) =>
                inner.Between(field, after, before, limit, descending);

            public IReadOnlyList<TDocument> FindBy(string field, string value) => inner.FindBy(field, value);

            public bool TryInsert(TDocument document) => inner.TryInsert(rewrite(inner, document));

            public void Upsert(TDocument document) => inner.Upsert(rewrite(inner, document));

            public bool Delete(string id) => inner.Delete(id);

            public long Count() => inner.Count();
        }
    }

    private sealed class RedemptionsUnseen(IDocumentStore inner) : IDocumentStore
    {
        public IDocumentCollection<T> Collection<T>(string name, params string[] indexedFields)
            where T : class, IDocument
        {
            var collection = inner.Collection<T>(name, indexedFields);
            return collection is IDocumentCollection<DiscountRedemption> redemptions ? (IDocumentCollection<T>)(object)new Unseen(redemptions) : collection;
        }

        public void InTransaction(Action work) => inner.InTransaction(work);

        public void OnCommitted(Action action) => inner.OnCommitted(action);

        public Task InTransactionAsync(Action work) => inner.InTransactionAsync(work);

        private sealed class Unseen(IDocumentCollection<DiscountRedemption> inner) : IDocumentCollection<DiscountRedemption>
        {
            public DiscountRedemption? Get(string id) => inner.Get(id);

            public IReadOnlyList<DiscountRedemption> All() => inner.All();

            public IReadOnlyList<DiscountRedemption> Between(string field, string? after, string? before, int limit, bool descending = false) =>
                inner.Between(field, after, before, limit, descending);

            /// <summary>A code's redemptions by email are what the per-customer cap counts: none are found.</summary>
            public IReadOnlyList<DiscountRedemption> FindBy(string field, string value) => [];

            public bool TryInsert(DiscountRedemption document) => inner.TryInsert(document);

            public void Upsert(DiscountRedemption document) => inner.Upsert(document);

            public bool Delete(string id) => inner.Delete(id);

            public long Count() => inner.Count();
        }
    }
}
