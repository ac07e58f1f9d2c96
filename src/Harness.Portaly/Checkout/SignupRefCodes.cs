using Harness.Portaly.Plans;
using Harness.Storage;

namespace Harness.Portaly.Checkout;

/// <summary>The discount code a buyer signed up with, per profile and email (lower-case).</summary>
public sealed record SignupRefCode(string Id, string ProfileId, string Email, string Code, DateTimeOffset UpdatedAt) : IDocument
{
    public static string IdOf(string profileId, string email) => profileId + "/" + email.Trim().ToLowerInvariant();
}

/// <summary>
/// Buyers' <c>signupRefCode</c>s. In the real product they come from Portaly's own sign-up; the reference records
/// them through a merchant route (docs/portaly.md), and applies the matching rule to a checkout once the buyer's
/// email is known to be theirs. A code that no longer applies is passed over silently: the buyer pays full price.
/// </summary>
public sealed class SignupRefCodes(IDocumentStore store, DiscountApplication discounts, TimeProvider clock)
{
    private readonly IDocumentCollection<SignupRefCode> _codes = store.Collection<SignupRefCode>("signup_ref_codes");

    public SignupRefCode Record(string profileId, string email, string code)
    {
        var recorded = new SignupRefCode(SignupRefCode.IdOf(profileId, email), profileId, email.Trim().ToLowerInvariant(), code.Trim().ToUpperInvariant(), clock.GetUtcNow());
        _codes.Upsert(recorded);
        return recorded;
    }

    public SignupRefCode? Of(string profileId, string email) => _codes.Get(SignupRefCode.IdOf(profileId, email));

    /// <summary>The buyer's ref code applied to the plan, or null when they have none or it does not apply.</summary>
    public AppliedDiscount? Apply(string profileId, Plan plan, long amount, string email) =>
        Of(profileId, email) is { } recorded
            ? discounts.Apply(profileId, plan.Id, plan.Currency, amount, recorded.Code, email, DiscountSource.RefCode).Applied
            : null;
}
