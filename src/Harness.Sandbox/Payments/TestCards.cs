using System.Globalization;

namespace Harness.Sandbox.Payments;

/// <summary>What the simulated bank does with a card.</summary>
public enum CardOutcome
{
    Approved,
    Declined,
    InsufficientFunds,
    ExpiredCard,
    IncorrectCvc,

    /// <summary>Approved only through 3-D Secure; declined when the merchant pays without it.</summary>
    ThreeDSecureRequired,

    /// <summary>The first payment succeeds and the card is kept, but later charges to it decline (Stripe's 0341).</summary>
    RenewalsFail,
    GatewayTimeout,
}

/// <summary>A test card: its number and what the simulated bank answers for it.</summary>
public sealed record TestCard(string Number, CardOutcome Outcome, string Description);

/// <summary>A card the buyer typed that passed the format checks: the number without spaces, the expiry as numbers.</summary>
public sealed record CardEntry(string Number, int ExpMonth, int ExpYear)
{
    public string Brand => TestCards.Brand(Number);

    public string Last4 => Number[^4..];
}

/// <summary>Card checks shared by the hosted card pages and TapPay's card form, with the messages Stripe Checkout shows.</summary>
public static class TestCards
{
    public const string NotATestCard = "Your card was declined. Your request was in test mode, but used a non test card.";

    /// <summary>
    /// Checks the fields as a checkout's card element does before anything reaches the bank: a complete, Luhn-valid
    /// number (spaces ignored), an expiry <c>MM / YY</c> (or <c>MM/YYYY</c>) not in the past on the sandbox clock, and a
    /// 3–4 digit security code. Returns the card or the message to show.
    /// </summary>
    public static (CardEntry? Card, string? Problem) Read(string? number, string? expiry, string? cvc, DateTimeOffset now)
    {
        number = (number ?? "").Replace(" ", "", StringComparison.Ordinal);
        if (number.Length == 0 || (number.All(char.IsAsciiDigit) && number.Length < 13))
        {
            return (null, "Your card number is incomplete.");
        }

        if (!IsCardNumber(number))
        {
            return (null, "Your card number is invalid.");
        }

        if (ReadExpiry(expiry) is not var (month, year))
        {
            return (null, "Your card's expiration date is incomplete.");
        }

        if (month is < 1 or > 12)
        {
            return (null, "Your card's expiration date is invalid.");
        }

        if (year * 12 + month < now.Year * 12 + now.Month)
        {
            return (null, "Your card's expiration date is in the past.");
        }

        if (year > now.Year + 50)
        {
            return (null, "Your card's expiration year is invalid.");
        }

        cvc = (cvc ?? "").Trim();
        if (!cvc.All(char.IsAsciiDigit) || cvc.Length > 4)
        {
            return (null, "Your card's security code is invalid.");
        }

        return cvc.Length < 3 ? (null, "Your card's security code is incomplete.") : (new CardEntry(number, month, year), null);
    }

    /// <summary>What the buyer reads when the bank refuses a listed card.</summary>
    public static string DeclineMessage(CardOutcome outcome) => outcome switch
    {
        CardOutcome.InsufficientFunds => "Your card has insufficient funds.",
        CardOutcome.ExpiredCard => "Your card has expired.",
        CardOutcome.IncorrectCvc => "Your card's security code is incorrect.",
        _ => "Your card was declined.",
    };

    /// <summary>Luhn check over 13 to 19 digits.</summary>
    public static bool IsCardNumber(string number)
    {
        if (number.Length is < 13 or > 19 || !number.All(char.IsAsciiDigit))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < number.Length; i++)
        {
            var digit = number[number.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
            }

            sum += digit;
        }

        return sum % 10 == 0;
    }

    /// <summary>The card network by the number's prefix, named as Stripe names it.</summary>
    public static string Brand(string number) => number switch
    {
        _ when number.StartsWith('4') => "visa",
        _ when number.StartsWith("34", StringComparison.Ordinal) || number.StartsWith("37", StringComparison.Ordinal) => "amex",
        _ when number.StartsWith("35", StringComparison.Ordinal) => "jcb",
        _ when number.StartsWith("62", StringComparison.Ordinal) => "unionpay",
        _ when number.StartsWith("6011", StringComparison.Ordinal) || number.StartsWith("65", StringComparison.Ordinal) => "discover",
        _ when number[0] is '2' or '5' => "mastercard",
        _ => "unknown",
    };

    private static (int Month, int Year)? ReadExpiry(string? text)
    {
        text = (text ?? "").Replace(" ", "", StringComparison.Ordinal);
        var parts = text.Contains('/', StringComparison.Ordinal) ? text.Split('/') : text.Length == 4 ? [text[..2], text[2..]] : [];
        if (parts is not [{ Length: 1 or 2 } m, { Length: 2 or 4 } y]
            || !int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || !int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            return null;
        }

        return (month, y.Length == 2 ? 2000 + year : year);
    }
}
