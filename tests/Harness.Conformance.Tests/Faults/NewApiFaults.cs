using System.Collections.Concurrent;
using System.Globalization;
using Harness.Http;
using Harness.Ledger;
using Harness.NewApi.Auth;
using Harness.NewApi.Redemption;
using Harness.NewApi.TopUp;
using Harness.Security.Signing;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Harness.Conformance.Tests.Faults;

/// <summary>
/// The New-API app with one deliberate defect, installed in its services as a broken implementation might have it,
/// never behind a switch in the app.
/// </summary>
public static class NewApiFaults
{
    /// <summary>
    /// Long enough that requests sent at once all pass the "not used yet" check before the first credit lands, even
    /// after the redeem's random pause (at most <see cref="Support.InProcessNewApi.RedeemDelayMaxMilliseconds"/>).
    /// </summary>
    private static readonly TimeSpan SlowCredit = TimeSpan.FromMilliseconds(Support.InProcessNewApi.RedeemDelayMaxMilliseconds + 400);

    /// <summary>
    /// Upstream's own bug: the code's row lock is not taken, and the credit is not keyed by the code, so two users
    /// redeeming one code at once both get its quota.
    /// </summary>
    public static Action<IServiceCollection> CodeNotSingleUse => CheckThenCreditUnguarded("newapi:redemption:", Redemptions.LedgerKind);

    /// <summary>A user's redeems are not taken one at a time: a second one meanwhile is never told "processing".</summary>
    public static Action<IServiceCollection> UserRedeemsAtOnce => services => services.Decorate<IKeyedLock>(inner => new UnlockedKeys(inner, "newapi:redeem-user:"));

    /// <summary>A top-up completion neither locks its order nor keys its credit by the trade number: notifies and completions at once each credit.</summary>
    public static Action<IServiceCollection> CompletionNotOnce => CheckThenCreditUnguarded("newapi:topup:", TopUpCompletion.LedgerKind);

    /// <summary>
    /// The completion reads the order as it was placed (a read cache never refreshed: still pending, no credit
    /// started) and credits without the trade number's claim, so every repeated notify or completion credits again.
    /// </summary>
    public static Action<IServiceCollection> PaidOrderReadAsPending => services =>
    {
        services.Decorate<IDocumentStore>(inner => new OrdersReadAsPlaced(inner));
        services.Decorate<ILedger>(inner => new CreditsWithoutClaim(inner, TopUpCompletion.LedgerKind, TimeSpan.Zero));
    };

    /// <summary>The Epay notify is taken at its word: whatever its <c>sign</c>, it is read as validly signed.</summary>
    public static Action<IServiceCollection> SignNotChecked => RewriteNotifies(forgedToo: true, (values, _) => values);

    /// <summary>The Epay notify's <c>money</c> is not compared with the order's: any paid amount pays the order.</summary>
    public static Action<IServiceCollection> AmountNotChecked => RewriteNotifies(forgedToo: false, (values, services) =>
    {
        if (services.GetRequiredService<TopUpOrders>().Find(values.GetValueOrDefault("out_trade_no") ?? "") is { } order)
        {
            values["money"] = order.Money.ToString("0.00", CultureInfo.InvariantCulture);
        }

        return values;
    });

    /// <summary>The admin-only routes let a common user in (the guard asks for a user, not an admin).</summary>
    /// <summary>Stripe and Creem webhook signatures not checked: every webhook reaches the app signed afresh with the merchant's secrets.</summary>
    public static Action<IServiceCollection> WebhookSignatureNotChecked => services => services.AddSingleton<IStartupFilter>(new WebhooksResigned());

    public static Action<IServiceCollection> AdminGuardDropped => services => services.AddSingleton<MatcherPolicy, AdminRoutesAdmitUsers>();

    /// <summary>
    /// The locks whose keys start with <paramref name="lockPrefix"/> exclude nothing, and credits of <paramref name="kind"/> are
    /// posted without their idempotency claim: the check of the record and the credit are no longer one step. The
    /// credit is slow, as on a loaded database, so that requests sent at once meet in that gap on every run.
    /// </summary>
    private static Action<IServiceCollection> CheckThenCreditUnguarded(string lockPrefix, string kind) => services =>
    {
        services.Decorate<IKeyedLock>(inner => new UnlockedKeys(inner, lockPrefix));
        services.Decorate<ILedger>(inner => new CreditsWithoutClaim(inner, kind, SlowCredit));
    };

    /// <summary>
    /// Rewrites each Epay notify (with <paramref name="forgedToo"/>, even one whose sign is wrong) before the app
    /// reads it, and signs it again with the merchant key: the app then behaves as one that skips whatever check the
    /// rewrite defeats.
    /// </summary>
    private static Action<IServiceCollection> RewriteNotifies(bool forgedToo, Func<Dictionary<string, string?>, IServiceProvider, Dictionary<string, string?>> rewrite) =>
        services => services.AddSingleton<IStartupFilter>(new NotifyRewrite(forgedToo, rewrite));

    private sealed class UnlockedKeys(IKeyedLock inner, string prefix) : IKeyedLock
    {
        public ValueTask<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken = default) =>
            Unlocked(key) ? ValueTask.FromResult<IDisposable>(new NothingHeld()) : inner.AcquireAsync(key, cancellationToken);

        public IDisposable? TryAcquire(string key) => Unlocked(key) ? new NothingHeld() : inner.TryAcquire(key);

        private bool Unlocked(string key) => key.StartsWith(prefix, StringComparison.Ordinal);

        private sealed class NothingHeld : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }

    /// <summary>Posts credits of <paramref name="kind"/> without their idempotency claim, after <paramref name="delay"/>.</summary>
    private sealed class CreditsWithoutClaim(ILedger inner, string kind, TimeSpan delay) : FaultyLedger(inner)
    {
        public override async Task<LedgerOutcome> PostAsync(LedgerPosting posting, CancellationToken cancellationToken = default)
        {
            if (posting.Kind != kind)
            {
                return await Inner.PostAsync(posting, cancellationToken);
            }

            await Task.Delay(delay, cancellationToken);
            return await Inner.PostAsync(posting with { Idempotency = null }, cancellationToken);
        }
    }

    private sealed class OrdersReadAsPlaced(IDocumentStore inner) : IDocumentStore
    {
        public IDocumentCollection<T> Collection<T>(string name, params string[] indexedFields)
            where T : class, IDocument
        {
            var collection = inner.Collection<T>(name, indexedFields);
            return collection is IDocumentCollection<TopUpOrder> orders ? (IDocumentCollection<T>)(object)new StaleOrders(orders) : collection;
        }

        public void InTransaction(Action work) => inner.InTransaction(work);

        public void OnCommitted(Action action) => inner.OnCommitted(action);

        public Task InTransactionAsync(Action work) => inner.InTransactionAsync(work);

        /// <summary>Looked up by trade number, an order has the status it was placed with; lists read it as stored.</summary>
        private sealed class StaleOrders(IDocumentCollection<TopUpOrder> inner) : IDocumentCollection<TopUpOrder>
        {
            private readonly ConcurrentDictionary<string, string> _placedStatus = new(StringComparer.Ordinal);

            public TopUpOrder? Get(string id)
            {
                var order = inner.Get(id);
                if (order is not null && _placedStatus.TryGetValue(id, out var status))
                {
                    order.Status = status;
                    order.CreditStarted = false;
                }

                return order;
            }

            public IReadOnlyList<TopUpOrder> All() => inner.All();

            public IReadOnlyList<TopUpOrder> Between(string field, string? after, string? before, int limit, bool descending = false) =>
                inner.Between(field, after, before, limit, descending);

            public IReadOnlyList<TopUpOrder> FindBy(string field, string value) => inner.FindBy(field, value);

            public bool TryInsert(TopUpOrder document) => inner.TryInsert(document);

            public void Upsert(TopUpOrder document)
            {
                inner.Upsert(document);
                _placedStatus.TryAdd(document.Id, document.Status);
            }

            public bool Delete(string id) => inner.Delete(id);

            public long Count() => inner.Count();
        }
    }

    private sealed class NotifyRewrite(bool forgedToo, Func<Dictionary<string, string?>, IServiceProvider, Dictionary<string, string?>> rewrite) : IStartupFilter
    {
        private const string NotifyPath = "/api/user/epay/notify";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, proceed) =>
            {
                if (context.Request.Path.Equals(NotifyPath, StringComparison.Ordinal))
                {
                    await RewriteAsync(context);
                }

                await proceed(context);
            });
            next(app);
        };

        private async Task RewriteAsync(HttpContext context)
        {
            var request = context.Request;
            var form = request.HasFormContentType;
            var values = form
                ? (await request.ReadFormAsync(context.RequestAborted)).ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.Ordinal)
                : request.Query.ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.Ordinal);
            var key = context.RequestServices.GetRequiredService<IOptions<TopUpSettings>>().Value.EpayKey;
            if (!forgedToo && !SortedParamsMd5.Verify(values, key, values.GetValueOrDefault("sign")))
            {
                return;
            }

            values = rewrite(values, context.RequestServices);
            values["sign"] = SortedParamsMd5.Sign(values, key);
            var rewritten = values.ToDictionary(p => p.Key, p => new StringValues(p.Value), StringComparer.Ordinal);
            if (form)
            {
                context.Features.Set<IFormFeature>(new FormFeature(new FormCollection(rewritten)));
            }
            else
            {
                request.Query = new QueryCollection(rewritten);
            }
        }
    }

    private sealed class WebhooksResigned : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, proceed) =>
            {
                if (context.Request.Path.Value is "/api/stripe/webhook" or "/api/creem/webhook")
                {
                    await ResignAsync(context);
                }

                await proceed(context);
            });
            next(app);
        };

        private static async Task ResignAsync(HttpContext context)
        {
            var request = context.Request;
            request.EnableBuffering();
            string body;
            using (var reader = new StreamReader(request.Body, leaveOpen: true))
            {
                body = await reader.ReadToEndAsync(context.RequestAborted);
            }

            request.Body.Position = 0;
            var settings = context.RequestServices.GetRequiredService<IOptions<TopUpSettings>>().Value;
            if (request.Path.Value == "/api/stripe/webhook")
            {
                var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                request.Headers["Stripe-Signature"] = $"t={timestamp},v1={HmacSignature.Sha256Hex(settings.StripeWebhookSecret, timestamp + "." + body)}";
            }
            else
            {
                request.Headers["creem-signature"] = HmacSignature.Sha256Hex(settings.CreemWebhookSecret, body);
            }
        }
    }

    /// <summary>Swaps each admin-only New-API route, once matched, for the same route guarded for any signed-in user.</summary>
    private sealed class AdminRoutesAdmitUsers : MatcherPolicy, IEndpointSelectorPolicy
    {
        public override int Order => 0;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Any(AdminOnly);

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                if (candidates.IsValidCandidate(i) && AdminOnly(candidates[i].Endpoint))
                {
                    var endpoint = candidates[i].Endpoint;
                    // The most specific guard applies: one added last wins over the route's own.
                    var demoted = new Endpoint(endpoint.RequestDelegate, new EndpointMetadataCollection([.. endpoint.Metadata, new NewApiGuard(Roles.User)]), endpoint.DisplayName);
                    candidates.ReplaceEndpoint(i, demoted, candidates[i].Values);
                }
            }

            return Task.CompletedTask;
        }

        private static bool AdminOnly(Endpoint endpoint) => endpoint.Metadata.GetMetadata<RequestGuard>() is NewApiGuard { MinimumRole: Roles.Admin };
    }
}
