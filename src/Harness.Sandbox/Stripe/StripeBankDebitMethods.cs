using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// SEPA Direct Debit PaymentMethods (<c>type=sepa_debit</c>): made from one of Stripe's test IBANs
/// (<see cref="StripeBankDebits.TestAccounts"/>), with the account holder's name and email Stripe requires, and saved,
/// listed and charged through the card PaymentMethods' own code. What a debit from one does is its IBAN's.
/// </summary>
public sealed partial class StripePaymentMethods
{
    /// <summary>The stored IBAN (never served: Stripe shows only its last four digits).</summary>
    private const string IbanField = "_iban";

    /// <summary>Stripe's documented text for <c>invalid_bank_account_iban</c>.</summary>
    private const string InvalidIban = "The IBAN provided appears to be invalid. Request the customer to check their information and try again.";

    /// <summary>The test bank account a SEPA Direct Debit PaymentMethod stands for; null for a card or an unknown id.</summary>
    public TestBankAccount? BankAccount(string? id) =>
        id is not null && objects.Get(id, Type) is { } method ? BankAccountOf(method) : null;

    /// <summary>The test bank account of a stored PaymentMethod; null for a card.</summary>
    public static TestBankAccount? BankAccountOf(JsonObject method) =>
        method.Str("type") == StripeBankDebits.PaymentMethod ? StripeBankDebits.Find(method.Str(IbanField)) : null;

    /// <summary><c>POST /v1/payment_methods</c> with <c>type=sepa_debit</c>: the IBAN checked as Stripe checks it, then the holder.</summary>
    private StripeResponse CreateSepaDebit(JsonObject p, JsonObject billing, JsonObject metadata)
    {
        if (p["card"] is not null)
        {
            return StripeErrors.InvalidParam("You cannot provide `card` when `type` is `sepa_debit`.", "card");
        }

        if (p["sepa_debit"] is not JsonObject sepa)
        {
            return p["sepa_debit"] is null ? StripeErrors.Missing("sepa_debit") : StripeErrors.InvalidParam("Invalid object", "sepa_debit");
        }

        if (sepa.Select(kv => kv.Key).FirstOrDefault(k => k != "iban") is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: sepa_debit[{unknown}]", $"sepa_debit[{unknown}]", "parameter_unknown");
        }

        if (sepa["iban"] is null)
        {
            return StripeErrors.Missing("sepa_debit[iban]");
        }

        // Stripe's API words every malformed IBAN alike (Stripe.js tells "incomplete" from "invalid" on the form).
        var (iban, problem) = TestBankAccounts.Read(sepa.Str("iban"));
        if (problem is not null)
        {
            return StripeErrors.InvalidParam(InvalidIban, "sepa_debit[iban]", "invalid_bank_account_iban");
        }

        if (StripeBankDebits.Find(iban) is not { } account)
        {
            return StripeErrors.InvalidParam(TestBankAccounts.NotATestAccount, "sepa_debit[iban]");
        }

        // Stripe requires the account holder's name and email to debit a SEPA account.
        if (billing.Str("name") is null)
        {
            return StripeErrors.Missing("billing_details[name]");
        }

        if (billing.Str("email") is null)
        {
            return StripeErrors.Missing("billing_details[email]");
        }

        var method = new JsonObject
        {
            ["id"] = StripeJson.NewId("pm"),
            ["object"] = Type,
            ["allow_redisplay"] = p.Str("allow_redisplay") ?? "unspecified",
            ["billing_details"] = billing,
            ["created"] = StripeJson.Unix(context.Clock.GetUtcNow()),
            ["customer"] = null,
            ["customer_account"] = null,
            ["livemode"] = false,
            ["metadata"] = metadata,
            ["sepa_debit"] = SepaDetails(account),
            ["type"] = StripeBankDebits.PaymentMethod,
            [IbanField] = account.Iban,
        };
        objects.Put(method);
        return StripeResponse.Ok(StripeLists.Public(method));
    }

    /// <summary>The PaymentMethod's <c>sepa_debit</c> hash: a German IBAN's bank code is its eight digits after the check digits.</summary>
    private static JsonObject SepaDetails(TestBankAccount account) => new()
    {
        ["bank_code"] = account.Iban[4..12],
        ["branch_code"] = "",
        ["country"] = account.Iban[..2],
        ["fingerprint"] = Fingerprint(account.Iban),
        ["generated_from"] = new JsonObject { ["charge"] = null, ["setup_attempt"] = null },
        ["last4"] = account.Iban[^4..],
    };

    /// <summary>The same IBAN has the same fingerprint across the account, as at Stripe.</summary>
    internal static string Fingerprint(string iban) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("sepa:" + iban)))[..16];
}
