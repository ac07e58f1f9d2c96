using System.Globalization;
using Harness.Portaly.Checkout;
using Harness.Portaly.Emails;
using Harness.Storage;
using Microsoft.AspNetCore.Http;

namespace Harness.Portaly.HostedCheckout;

/// <summary>What the buyer typed, shown again when the form is refused.</summary>
public sealed record EnteredDetails(string? Email, string? Name, string? Phone);

/// <summary>
/// The buyer's steps before the card: their details, the email code (unless the merchant vouched for the email), and
/// canceling. Each step holds the session's lock, so a double submit or two tabs cannot interleave.
/// </summary>
public sealed class BuyerSteps(
    IDocumentStore store,
    CheckoutSessions sessions,
    BuyerProgressStore progress,
    CheckoutPage page,
    CheckoutCompletion completion,
    EmailOutbox emails,
    SignupRefCodes refCodes,
    DiscountApplication discounts,
    IKeyedLock locks,
    TimeProvider clock)
{
    public const int MaxName = 100;

    public async Task<IResult> DetailsAsync(HttpContext context, string sessionId)
    {
        var form = await HostedForm.ReadAsync(context.Request);
        using var held = await locks.AcquireAsync(CheckoutCompletion.LockOf(sessionId));
        if (sessions.Get(sessionId) is not { } s)
        {
            return CheckoutPage.NotFound();
        }

        if (!s.IsOpen || progress.PaymentOf(s.Id) is not null)
        {
            return page.Render(context, s);
        }

        if (form is null)
        {
            return page.Render(context, s, HostedForm.Unreadable, edit: true);
        }

        var entered = new EnteredDetails(
            s.EmailVerified ? s.CustomerEmail : form.Text("email"),
            CheckoutSessions.Printable(form.Text("name")),
            s.CollectPhone ? PhoneNumber(form.Text("phone")) : null);
        if (Problem(s, entered, form.Text("phone")) is { } problem)
        {
            return page.Render(context, s, problem, edit: true, entered with { Phone = form.Text("phone") });
        }

        var buyer = progress.Of(s.Id);
        if (s.EmailVerified)
        {
            store.InTransaction(() =>
            {
                sessions.Put(s with { CustomerName = entered.Name, CustomerPhone = entered.Phone ?? s.CustomerPhone, UpdatedAt = clock.GetUtcNow() });
                progress.Put(buyer with { Email = entered.Email, Name = entered.Name, Phone = entered.Phone, Confirmed = true });
            });
            return Back(s);
        }

        var sameAddress = string.Equals(buyer.Email, entered.Email, StringComparison.OrdinalIgnoreCase);
        buyer = buyer with { Email = entered.Email, Name = entered.Name, Phone = entered.Phone, Confirmed = false };
        if (sameAddress && progress.RecentlySent(buyer))
        {
            // A second submit of the same address: the code already sent stands.
            progress.Put(buyer);
            return Back(s);
        }

        return SendCode(context, s, buyer);
    }

    public async Task<IResult> VerifyAsync(HttpContext context, string sessionId)
    {
        var form = await HostedForm.ReadAsync(context.Request);
        using var held = await locks.AcquireAsync(CheckoutCompletion.LockOf(sessionId));
        if (sessions.Get(sessionId) is not { } s)
        {
            return CheckoutPage.NotFound();
        }

        if (!s.IsOpen || progress.PaymentOf(s.Id) is not null || s.EmailVerified)
        {
            return s.IsOpen ? Back(s) : page.Render(context, s);
        }

        if (form is null)
        {
            return page.Render(context, s, HostedForm.Unreadable);
        }

        var submitted = new string([.. (form.Text("code") ?? "").Where(c => !char.IsWhiteSpace(c))]);
        var (checkedProgress, verdict) = progress.Check(progress.Of(s.Id), submitted);
        var notice = verdict switch
        {
            CodeVerdict.NonePending => "Enter your email first.",
            CodeVerdict.Expired => "This code has expired: send a new one.",
            CodeVerdict.TooManyAttempts => "Too many wrong codes: send a new one.",
            CodeVerdict.Wrong => string.Create(CultureInfo.InvariantCulture, $"That code is not right: {BuyerProgressStore.MaxAttempts - checkedProgress.CodeAttempts} attempts left."),
            _ => null,
        };
        if (notice is not null)
        {
            return page.Render(context, s, notice, edit: verdict == CodeVerdict.NonePending);
        }

        var email = checkedProgress.Email!;
        var verified = s with
        {
            CustomerEmail = email,
            CustomerName = checkedProgress.Name,
            CustomerPhone = checkedProgress.Phone ?? s.CustomerPhone,
            EmailVerified = true,
            UpdatedAt = clock.GetUtcNow(),
        };

        // A buyer's sign-up code counts once their email is theirs, and only when the merchant sent no code.
        if (verified.AppliedDiscount is null && refCodes.Of(s.ProfileId, email) is { } recorded
            && discounts.Apply(s.ProfileId, s.PlanId, s.Currency, s.OriginalAmount, recorded.Code, email, DiscountSource.RefCode).Applied is { } applied)
        {
            verified = verified with { AppliedDiscount = applied, Amount = applied.FinalAmount };
        }

        store.InTransaction(() =>
        {
            sessions.Put(verified);
            progress.Put(checkedProgress with { Confirmed = true });
        });
        return Back(s);
    }

    public async Task<IResult> ResendAsync(HttpContext context, string sessionId)
    {
        using var held = await locks.AcquireAsync(CheckoutCompletion.LockOf(sessionId));
        if (sessions.Get(sessionId) is not { } s)
        {
            return CheckoutPage.NotFound();
        }

        if (!s.IsOpen || progress.PaymentOf(s.Id) is not null || s.EmailVerified)
        {
            return s.IsOpen ? Back(s) : page.Render(context, s);
        }

        var buyer = progress.Of(s.Id);
        if (buyer.Email is null)
        {
            return page.Render(context, s, "Enter your email first.", edit: true);
        }

        return progress.RecentlySent(buyer)
            ? page.Render(context, s, $"A code was sent less than {BuyerProgressStore.ResendAfter.TotalSeconds:0} seconds ago: check your inbox, or wait a moment.")
            : SendCode(context, s, buyer);
    }

    /// <summary>The buyer gives up: an open session is canceled (never one whose payment is under way) and the buyer goes back to the merchant.</summary>
    public async Task<IResult> CancelAsync(HttpContext context, string sessionId)
    {
        using var held = await locks.AcquireAsync(CheckoutCompletion.LockOf(sessionId));
        if (sessions.Get(sessionId) is not { } s)
        {
            return CheckoutPage.NotFound();
        }

        if (progress.PaymentOf(s.Id) is not null)
        {
            return page.Render(context, s, "Your payment is being confirmed: it can no longer be canceled.");
        }

        if (s.IsOpen)
        {
            s = completion.Cancel(s);
        }

        return s.Status == SessionStatus.Canceled && s.CancelRedirectUrl is { } url ? Results.Redirect(HostedPage.Location(url)) : page.Render(context, s);
    }

    /// <summary>Back to the page (the next step shows there): a reload does not post the form again.</summary>
    public static IResult Back(CheckoutSession s) => Results.Redirect(CheckoutPage.PathOf(s.Id));

    private IResult SendCode(HttpContext context, CheckoutSession s, BuyerProgress buyer)
    {
        var (issued, code) = progress.IssueCode(buyer);
        if (code is null)
        {
            progress.Put(issued with { CodeHash = null, CodeExpiresAt = null });
            return page.Render(context, s, "Too many codes were sent for this checkout: ask the seller for a new checkout link.", edit: true);
        }

        emails.Send(s.ProfileId, s.Mode, EmailTypes.VerificationCode, issued.Email,
            $"Your code for {s.PlanName}",
            $"Your verification code is {code}. It expires in {BuyerProgressStore.CodeLifetime.TotalMinutes:0} minutes. If you did not ask for it, ignore this email.",
            s.Id);
        return Back(s);
    }

    private static string? Problem(CheckoutSession s, EnteredDetails entered, string? phoneSent) =>
        entered switch
        {
            { Email: null } => "Enter your email address.",
            _ when entered.Email.Length > 254 || !FieldRules.IsEmail(entered.Email) => "Enter a valid email address.",
            { Name: null } => "Enter your name.",
            _ when entered.Name.Length > MaxName => $"Your name can have at most {MaxName} characters.",
            _ when s.CollectPhone && entered.Phone is null => string.IsNullOrWhiteSpace(phoneSent)
                ? "Enter your phone number."
                : "Enter a phone number of 8 to 15 digits, optionally starting with +.",
            _ => null,
        };

    /// <summary>A phone number with its spaces, dashes, dots and brackets removed, or null when it is not 8–15 digits (one leading + allowed).</summary>
    public static string? PhoneNumber(string? sent)
    {
        if (sent is null)
        {
            return null;
        }

        var kept = new string([.. sent.Trim().Where(c => c is not (' ' or '-' or '.' or '(' or ')'))]);
        var digits = kept.StartsWith('+') ? kept[1..] : kept;
        return digits.Length is >= 8 and <= 15 && digits.All(char.IsAsciiDigit) ? kept : null;
    }
}
