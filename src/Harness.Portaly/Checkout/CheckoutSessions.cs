using Harness.Portaly.Auth;
using Harness.Portaly.Plans;
using Harness.Security;
using Harness.Storage;
using Microsoft.Extensions.Options;

namespace Harness.Portaly.Checkout;

/// <summary>Why a session could not be created; the words and status are the handler's.</summary>
public enum CreateRefusal
{
    None,
    PlanNotFound,
    OtherProfile,
    PlanInactive,
    YearlyUnsupported,
    AmountRequired,
    InvalidDiscount,
}

public sealed record CreateOutcome(CheckoutSession? Session, CreateRefusal Refusal, string? Reason = null);

/// <summary>
/// Checkout sessions of both modes. A session is payable until <c>expiresAt</c>; after that, without an outcome,
/// it reads as expired. A key sees only its own profile's sessions of its own mode.
/// </summary>
public sealed class CheckoutSessions(
    IDocumentStore store,
    PlanStore plans,
    DiscountApplication discounts,
    SignupRefCodes refCodes,
    IOptions<PortalyOptions> options,
    TimeProvider clock)
{
    private readonly IDocumentCollection<CheckoutSession> _sessions = store.Collection<CheckoutSession>("checkout_sessions", nameof(CheckoutSession.ProfileId));

    public CreateOutcome Create(PortalyApiKey key, CreateCheckoutSessionRequest r)
    {
        if (plans.Find(r.PlanId!) is not { } plan)
        {
            return new(null, CreateRefusal.PlanNotFound);
        }

        if (plan.ProfileId != key.ProfileId)
        {
            return new(null, CreateRefusal.OtherProfile);
        }

        if (plan.Status != "active")
        {
            return new(null, CreateRefusal.PlanInactive);
        }

        if (plan.BillingPeriod == "yearly" && options.Value.YearlyTemporarilyUnsupported)
        {
            return new(null, CreateRefusal.YearlyUnsupported);
        }

        var dynamic = plan.PricingType == PlanValues.Dynamic;
        if (dynamic && r.Amount is not > 0)
        {
            return new(null, CreateRefusal.AmountRequired);
        }

        var amount = dynamic ? r.Amount!.Value : plan.Amount;
        var email = string.IsNullOrWhiteSpace(r.CustomerEmail) ? null : r.CustomerEmail.Trim();
        var verified = r.EmailVerified == true && email is not null;
        AppliedDiscount? applied = null;
        if (!string.IsNullOrWhiteSpace(r.DiscountCode))
        {
            // The per-customer cap counts the buyer's confirmed email only: an unverified one is checked again at payment.
            var outcome = discounts.Apply(key.ProfileId, plan.Id, plan.Currency, amount, r.DiscountCode, verified ? email : null, DiscountSource.Manual);
            if (outcome.Refusal is { } reason)
            {
                return new(null, CreateRefusal.InvalidDiscount, reason);
            }

            applied = outcome.Applied;
        }
        else if (verified)
        {
            applied = refCodes.Apply(key.ProfileId, plan, amount, email!);
        }

        var now = clock.GetUtcNow();
        var session = new CheckoutSession(
            "session_" + Secrets.RandomHex(12),
            key.ProfileId,
            key.Mode,
            key.Id,
            plan.Id,
            plan.Name,
            plan.Status,
            plan.Amount,
            plan.Currency,
            plan.BillingPeriod,
            plan.PricingType,
            plan.CollectPhone,
            SessionStatus.Ready,
            amount,
            applied?.FinalAmount ?? amount,
            applied,
            Secrets.RandomHex(32),
            r.SuccessRedirectUrl,
            r.CancelRedirectUrl,
            r.CallbackUrl,
            r.SubscriptionCallbackUrl,
            r.MerchantOrderNumber,
            r.Metadata,
            Printable(r.CustomerName),
            email,
            null,
            verified,
            r.ProfitSharingId,
            null,
            null,
            null,
            null,
            null,
            now.AddMinutes(options.Value.CheckoutSessionMinutes),
            now,
            now);
        _sessions.Upsert(session);
        return new(session, CreateRefusal.None);
    }

    /// <summary>The session by id whatever its key (the hosted page's view), as expired when its time has passed.</summary>
    public CheckoutSession? Get(string id) => _sessions.Get(id) is { } found ? ExpireIfDue(found) : null;

    /// <summary>The key's session, or null for an unknown id, another profile's or the other mode's.</summary>
    public CheckoutSession? Find(PortalyApiKey key, string id) =>
        Get(id) is { } found && found.ProfileId == key.ProfileId && found.Mode == key.Mode ? found : null;

    public void Put(CheckoutSession session) => _sessions.Upsert(session);

    /// <summary>Control and format characters are stripped from a name (the contract's rule); blank is none.</summary>
    public static string? Printable(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var kept = new string([.. name.Where(c => char.GetUnicodeCategory(c) is not (System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format))]).Trim();
        return kept.Length == 0 ? null : kept;
    }

    /// <summary>
    /// An open session past <c>expiresAt</c> reads as expired. Nothing is written: a payment that completed at the
    /// last moment (under the session's lock) is never overwritten by a reader's view of the clock.
    /// </summary>
    private CheckoutSession ExpireIfDue(CheckoutSession session) =>
        session.IsOpen && clock.GetUtcNow() >= session.ExpiresAt ? session with { Status = SessionStatus.Expired } : session;
}

public static class DiscountSource
{
    public const string Manual = "manual";
    public const string RefCode = "ref_code";
}
