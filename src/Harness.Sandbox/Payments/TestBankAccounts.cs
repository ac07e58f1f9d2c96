namespace Harness.Sandbox.Payments;

/// <summary>A test bank account a debit checkout takes: its IBAN and whether the debit succeeds once it settles.</summary>
public sealed record TestBankAccount(string Iban, bool Succeeds, string Description);

/// <summary>The IBAN checks of the hosted page's debit form, with the messages the buyer reads.</summary>
public static class TestBankAccounts
{
    public const string NotATestAccount = "Your request was in test mode, but used a non test bank account. Use one of the test IBANs below.";

    /// <summary>
    /// The IBAN without spaces, in capitals, when it is two letters, two check digits and 11–30 letters or digits whose
    /// ISO 13616 checksum (mod 97) holds; otherwise the message to show.
    /// </summary>
    public static (string? Iban, string? Problem) Read(string? text)
    {
        var iban = (text ?? "").Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (iban.Length == 0)
        {
            return (null, "Your IBAN is incomplete.");
        }

        var shaped = iban.Length is >= 15 and <= 34 && char.IsAsciiLetter(iban[0]) && char.IsAsciiLetter(iban[1])
            && char.IsAsciiDigit(iban[2]) && char.IsAsciiDigit(iban[3]) && iban.All(char.IsAsciiLetterOrDigit);
        return shaped && Remainder(iban) == 1 ? (iban, null) : (null, "Your IBAN is invalid.");
    }

    /// <summary>The IBAN with its first four characters moved to the end, letters as 10–35, modulo 97.</summary>
    private static int Remainder(string iban)
    {
        var remainder = 0;
        foreach (var c in iban[4..] + iban[..4])
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
        }

        return remainder;
    }
}
