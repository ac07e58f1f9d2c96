using System.Globalization;
using System.Text;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.PayPages;

/// <summary>
/// The debit form a checkout offers beside its card form (Stripe's SEPA Direct Debit): an IBAN and a mandate the buyer
/// accepts by paying. The provider's test accounts decide the outcome, which is known only when the debit settles; a
/// refusal re-renders the page with the message in <c>#notice</c>, the payment still open.
/// </summary>
public static class DebitCheckout
{
    public const string Action = "pay-debit";

    /// <summary>
    /// Pays by debit from the account <paramref name="ibanText"/> names; shared by the page and the control API. The
    /// account's problem, when it is not one of <paramref name="accounts"/>, comes back instead of an outcome.
    /// </summary>
    public static async Task<(PayPageOutcome? Outcome, string? Problem)> PayAsync(
        SandboxContext context, ISandboxProvider provider, SandboxPayment payment, IReadOnlyList<TestBankAccount> accounts, string? ibanText)
    {
        var (iban, problem) = TestBankAccounts.Read(ibanText);
        if (iban is null)
        {
            return (null, problem);
        }

        if (accounts.FirstOrDefault(a => a.Iban == iban) is not { } account)
        {
            return (null, TestBankAccounts.NotATestAccount);
        }

        var outcome = await context.Payments.TryCloseAsync(payment.Id, PaymentStatus.Paid, card: null, paid => provider.OnDebited(paid, account));
        return (outcome ?? new PayPageOutcome(null, "This payment is no longer open."), null);
    }

    public static async Task<IResult> PostAsync(
        SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers, SandboxPayment payment, IReadOnlyList<TestBankAccount> accounts,
        IFormCollection form)
    {
        var entered = form["iban"].ToString();
        return await PayAsync(context, providers[payment.Provider], payment, accounts, entered) switch
        {
            (_, { } problem) => PayPageEndpoints.Render(context, providers, payment.Id, problem, null, entered),
            ({ RedirectUrl: { } url }, _) => Results.Redirect(PayPageEndpoints.Location(url)),
            var (done, _) => PayPageEndpoints.Render(context, providers, payment.Id, done!.Message, null),
        };
    }

    /// <summary>The IBAN form, the mandate the buyer accepts, and the table of test accounts.</summary>
    public static string Form(SandboxPayment payment, IReadOnlyList<TestBankAccount> accounts, string? enteredIban)
    {
        var html = new StringBuilder();
        html.Append("<h2>SEPA Direct Debit</h2>");
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/pay/{E(Uri.EscapeDataString(payment.Id))}\" class=\"debit\">");
        CardCheckout.Field(html, "iban", "iban", "IBAN", enteredIban, "off", "DE00 0000 0000 0000 0000 00");
        html.Append("<p id=\"mandate\">By paying, you authorise the merchant and the sandbox's Stripe to debit this account, and your bank to debit it accordingly.</p>");
        html.Append(CultureInfo.InvariantCulture, $"<button type=\"submit\" name=\"action\" value=\"{Action}\">Pay by debit</button>");
        html.Append("</form>");
        html.Append("<table id=\"test-ibans\"><caption>Test IBANs. The debit settles later; the merchant hears of it by webhook.</caption><thead><tr><th>IBAN</th><th>Outcome</th></tr></thead><tbody>");
        foreach (var account in accounts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(account.Iban)}</code></td><td>{E(account.Description)}</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static string E(string text) => PayPageEndpoints.E(text);
}
