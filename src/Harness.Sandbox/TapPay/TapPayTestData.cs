using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.TapPay;

/// <summary>
/// TapPay's published sandbox data (providers.md §7.6) plus the sandbox's own decline cards: TapPay publishes one
/// test card, so the failing numbers follow the familiar 4000… pattern and are listed in docs/sandbox/tappay.md.
/// </summary>
public static class TapPayTestData
{
    /// <summary>The Direct Pay test prime; like TapPay's sandbox it may be used again and charges <see cref="SuccessCard"/>.</summary>
    public const string DirectPayPrime = "test_3a2fb2b7e892b914a03c95dd4dd5dc7970c908df67a49527c0a648b2bc9";

    public const string WalletPrimeSuffix = "utigjeyfutj5867uyjhuty47rythfjru485768tigjfheufhtu5i6ojk";

    /// <summary>Apple Pay's test prime is documented for an amount of 12 only.</summary>
    public const string ApplePayPrime = "ap_test_" + WalletPrimeSuffix;

    public const long ApplePayTestAmount = 12;

    /// <summary>Google Pay's second published test prime, for a real card in the Google account rather than a tokenised one: charged at once too.</summary>
    public const string GooglePayRealCardPrime = "gp_test_kjo6i5uthfuehfjgit867584urjfhtyr74ytuhjyu7685jtufyejgitu";

    public const string SuccessCard = "4242424242424242";

    /// <summary>
    /// The e-payments' test primes (TapPay's "E-Payment": the buyer approves in the wallet's own page) by prefix, with
    /// the wallet's name. Pay by Prime answers their <c>payment_url</c>; the trade waits for the buyer, as with 3-D Secure.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> EPayments = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ln_test_"] = "LINE Pay",
        ["jk_test_"] = "JKOPAY",
        ["ew_test_"] = "Easy Wallet",
        ["at_test_"] = "Atome",
        ["pi_test_"] = "Pi Wallet",
    };

    /// <summary>The token wallets' test primes (Apple Pay, Google Pay, Samsung Pay): a tokenised card, charged at once.</summary>
    public static readonly IReadOnlyList<string> TokenPayPrefixes = ["ap_test_", "gp_test_", "sp_test_"];

    /// <summary>Every wallet's test prime prefix: all of them use the same suffix.</summary>
    public static readonly IReadOnlyList<string> WalletPrefixes = [.. TokenPayPrefixes, .. EPayments.Keys];

    public static readonly IReadOnlyList<TestCard> Cards =
    [
        new(SuccessCard, CardOutcome.Approved, "VISA, approved (TapPay's published test card)"),
        new("5555555555554444", CardOutcome.Approved, "MasterCard, approved"),
        new("3530111333300000", CardOutcome.Approved, "JCB, approved"),
        new("4000000000000002", CardOutcome.Declined, "declined by the bank (do not honour)"),
        new("4000000000009995", CardOutcome.InsufficientFunds, "declined: insufficient funds"),
        new("4000000000000069", CardOutcome.ExpiredCard, "declined: expired card"),
        new("4000000000000341", CardOutcome.RenewalsFail, "approved by prime (and remembered); every later Pay by Card Token declines"),
        new("4000000000003220", CardOutcome.ThreeDSecureRequired, "approved through 3-D Secure only"),
        new("4000000000000119", CardOutcome.GatewayTimeout, "the bank times out (status 421)"),
    ];

    /// <summary>A listed test card's outcome; any other number that passed the prime's checks is approved.</summary>
    public static CardOutcome OutcomeOf(string number) =>
        Cards.FirstOrDefault(c => c.Number == number)?.Outcome ?? CardOutcome.Approved;

    /// <summary>The test prime's fixed card, or null when <paramref name="prime"/> is not one of TapPay's test primes.</summary>
    public static string? CardOfTestPrime(string prime) =>
        prime == DirectPayPrime || IsWalletPrime(prime) ? SuccessCard : null;

    /// <summary>The e-payment whose test prime <paramref name="prime"/> is (its name), or null for a card's or a token wallet's.</summary>
    public static string? EPaymentOf(string prime) =>
        EPayments.FirstOrDefault(e => prime == e.Key + WalletPrimeSuffix).Value;

    /// <summary>
    /// Whether <c>remember</c> keeps the card: TapPay's Pay by Prime remembers Direct Pay cards and LINE Pay only; the token
    /// wallets and the other e-payments are documented as unsupported, so no <c>card_secret</c> comes back for them.
    /// </summary>
    public static bool CanRemember(string prime) =>
        !IsWalletPrime(prime) || prime == "ln_test_" + WalletPrimeSuffix;

    private static bool IsWalletPrime(string prime) =>
        prime == GooglePayRealCardPrime || WalletPrefixes.Any(p => prime == p + WalletPrimeSuffix);

    /// <summary>Card type as TapPay numbers it: 1 VISA, 2 MasterCard, 3 JCB, 4 UnionPay, 5 AMEX (§7.2, inferred).</summary>
    public static int TypeOf(string number) => number switch
    {
        _ when number.StartsWith('4') => 1,
        _ when number.StartsWith("35", StringComparison.Ordinal) => 3,
        _ when number.StartsWith("62", StringComparison.Ordinal) => 4,
        _ when number.StartsWith("34", StringComparison.Ordinal) || number.StartsWith("37", StringComparison.Ordinal) => 5,
        _ => 2,
    };

    /// <summary>The <c>card_info</c> object of answers, records and notifies; <paramref name="expiry"/> is <c>YYYYMM</c>.</summary>
    public static JsonObject CardInfo(string number, string expiry) => new()
    {
        ["bin_code"] = number[..6],
        ["last_four"] = number[^4..],
        ["issuer"] = "HARNESS SANDBOX BANK",
        ["issuer_zh_tw"] = "沙盒測試銀行",
        ["bank_id"] = "",
        ["funding"] = 0,
        ["type"] = TypeOf(number),
        ["level"] = "CLASSIC",
        ["country"] = "TAIWAN",
        ["country_code"] = "TW",
        ["expiry_date"] = expiry,
    };

    /// <summary>TapPay's <c>card_identifier</c>: the same for every payment with one card, and not the number.</summary>
    public static string CardIdentifier(string number) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("harness-tappay-card:" + number)))[..32];
}
