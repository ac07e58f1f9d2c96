using Harness.Portaly.DiscountCodes;
using Harness.Portaly.Subscriptions;
using Harness.Storage;

namespace Harness.Portaly.Checkout;

/// <summary>Why a discount code cannot be applied; answered as <c>reason</c> beside 400 <c>INVALID_DISCOUNT_CODE</c>.</summary>
public static class DiscountRefusal
{
    public const string NotFound = "NOT_FOUND";
    public const string Disabled = "DISABLED";
    public const string NotApplicable = "NOT_APPLICABLE_TO_PLAN";
    public const string OutsideWindow = "OUTSIDE_REDEMPTION_WINDOW";
    public const string MaxRedemptions = "MAX_REDEMPTIONS_REACHED";
    public const string PerCustomerLimit = "PER_CUSTOMER_LIMIT_REACHED";
    public const string CurrencyMismatch = "CURRENCY_MISMATCH";

    public static string Words(string reason) => reason switch
    {
        NotFound => "Discount code not found.",
        Disabled => "Discount code is disabled.",
        NotApplicable => "Discount code does not apply to this plan.",
        OutsideWindow => "Discount code is outside its redemption window.",
        MaxRedemptions => "Discount code has reached its redemption limit.",
        PerCustomerLimit => "Discount code has reached its per-customer limit for this email.",
        CurrencyMismatch => "Discount code's fixed amount is in another currency than the plan.",
        _ => "Discount code cannot be applied.",
    };
}

/// <summary>
/// A buyer's use of a code on one checkout: reserved while the payment runs (until <c>HeldUntil</c>: a payment that
/// never reports back stops holding it), redeemed when it completes.
/// </summary>
public sealed record DiscountRedemption(string Id, string CodeId, string ProfileId, string? Email, string Status, DateTimeOffset CreatedAt, DateTimeOffset? HeldUntil) : IDocument
{
    public const string Reserved = "reserved";
    public const string Redeemed = "redeemed";
}

public sealed record DiscountOutcome(AppliedDiscount? Applied, string? Refusal);

/// <summary>
/// Chooses a code's rule for a plan (a <c>specific</c> rule naming the plan beats the <c>all</c> fallback), checks the
/// code's status, window and caps, and prices the first charge. Redemptions are counted per code: the total cap by
/// <c>timesRedeemed</c> plus payments under way, the per-customer cap by the buyer's email, case-insensitive.
/// </summary>
public sealed class DiscountApplication(IDocumentStore store, DiscountCodeStore codes, IKeyedLock locks, TimeProvider clock)
{
    private readonly IDocumentCollection<DiscountRedemption> _redemptions =
        store.Collection<DiscountRedemption>("discount_redemptions", nameof(DiscountRedemption.CodeId));

    /// <summary>How long past its session's expiry a reservation still counts: room for a payment that was under way to report back.</summary>
    public static readonly TimeSpan HoldAfterExpiry = TimeSpan.FromMinutes(30);

    /// <summary>Prices <paramref name="amount"/> of the plan with the code, or says why the code does not apply.</summary>
    public DiscountOutcome Apply(string profileId, string planId, string currency, long amount, string code, string? email, string source)
    {
        if (codes.Lookup(profileId, code.Trim()) is not { } found)
        {
            return new(null, DiscountRefusal.NotFound);
        }

        if (Problem(found, planId, currency, email, sessionId: null) is { } refusal)
        {
            return new(null, refusal);
        }

        var rule = RuleFor(found, planId)!;
        var final = Pricing.Discounted(amount, rule.Discount!);
        return new(new AppliedDiscount(found.Id, found.Code, rule, amount, amount - final, final, source), null);
    }

    /// <summary>
    /// Holds a redemption for the session while its payment runs, checking the caps again under the
    /// code's lock so that two buyers cannot both take the last one. Null when held; else the refusal.
    /// </summary>
    public async Task<string?> ReserveAsync(CheckoutSession session)
    {
        var applied = session.AppliedDiscount!;
        using var held = await locks.AcquireAsync("portaly-code/" + applied.CodeId);
        if (codes.Get(applied.CodeId) is not { } code)
        {
            return DiscountRefusal.NotFound;
        }

        if (Problem(code, session.PlanId, session.Currency, session.CustomerEmail, session.Id) is { } refusal)
        {
            return refusal;
        }

        _redemptions.Upsert(new DiscountRedemption(session.Id, code.Id, code.ProfileId, Normal(session.CustomerEmail), DiscountRedemption.Reserved, clock.GetUtcNow(), session.ExpiresAt + HoldAfterExpiry));
        return null;
    }

    /// <summary>Lets a held redemption go (the payment failed or the session ended unpaid).</summary>
    public void Release(string sessionId)
    {
        if (_redemptions.Get(sessionId) is { Status: DiscountRedemption.Reserved })
        {
            _redemptions.Delete(sessionId);
        }
    }

    /// <summary>
    /// Counts the redemption of a completed checkout: marks it redeemed and adds one to the code's
    /// <c>timesRedeemed</c>. Call inside the completion's transaction; once per session.
    /// </summary>
    public void Redeem(CheckoutSession session)
    {
        var applied = session.AppliedDiscount!;
        if (_redemptions.Get(session.Id) is { Status: DiscountRedemption.Redeemed })
        {
            return;
        }

        _redemptions.Upsert(new DiscountRedemption(session.Id, applied.CodeId, session.ProfileId, Normal(session.CustomerEmail), DiscountRedemption.Redeemed, clock.GetUtcNow(), null));
        codes.CountRedemption(applied.CodeId);
    }

    /// <summary>The rule of the code for the plan: a specific rule naming it, else the <c>all</c> rule, else none.</summary>
    public static DiscountRule? RuleFor(DiscountCode code, string planId) =>
        code.Rules.FirstOrDefault(r => r.AppliesTo?.Type == CodeValues.Specific && r.AppliesTo.PlanIds!.Contains(planId))
        ?? code.Rules.FirstOrDefault(r => r.AppliesTo?.Type == CodeValues.All);

    private string? Problem(DiscountCode code, string planId, string currency, string? email, string? sessionId)
    {
        var now = clock.GetUtcNow();
        var rule = RuleFor(code, planId);
        var others = _redemptions.FindBy(nameof(DiscountRedemption.CodeId), code.Id)
            .Where(r => r.Id != sessionId && (r.Status == DiscountRedemption.Redeemed || r.HeldUntil > now)).ToList();
        var underWay = others.Count(r => r.Status == DiscountRedemption.Reserved);
        return code switch
        {
            { Status: not CodeValues.Active } => DiscountRefusal.Disabled,
            _ when rule is null => DiscountRefusal.NotApplicable,
            _ when rule.Discount!.Type == CodeValues.Fixed && !string.Equals(rule.Discount.Currency, currency, StringComparison.OrdinalIgnoreCase) => DiscountRefusal.CurrencyMismatch,
            _ when code.RedeemFrom > now || code.RedeemBy <= now => DiscountRefusal.OutsideWindow,
            { MaxRedemptions: { } max } when code.TimesRedeemed + underWay >= max => DiscountRefusal.MaxRedemptions,
            { MaxRedemptionsPerCustomer: { } perCustomer } when email is not null
                && others.Count(r => r.Email == Normal(email)) >= perCustomer => DiscountRefusal.PerCustomerLimit,
            _ => null,
        };
    }

    private static string? Normal(string? email) => email?.Trim().ToLowerInvariant();
}
