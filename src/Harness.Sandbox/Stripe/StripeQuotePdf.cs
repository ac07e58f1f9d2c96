using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Sandbox.PayPages;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A finalized quote as a one-page PDF in the standard Helvetica (written by PdfPig), what
/// <c>GET /v1/quotes/{id}/pdf</c> on Stripe's files host serves: number, customer, lines, totals, expiry, header and footer.
/// </summary>
public static class StripeQuotePdf
{
    public static byte[] Render(JsonObject quote, IReadOnlyList<JsonObject> items)
    {
        var currency = quote.Str("currency") ?? "usd";
        var text = new List<string> { $"Quote {quote.Str("number")}" };
        text.AddRange(new[] { quote.Str("header"), quote.Str("description") }.OfType<string>());
        text.Add($"Customer: {quote.Str("customer")}");
        text.Add($"Expires: {DateTimeOffset.FromUnixTimeSeconds(quote["expires_at"]!.GetValue<long>()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        text.Add("");
        text.AddRange(items.Select(i => $"{i.Str("description")} x {i["quantity"]}: {PayPageEndpoints.FormatAmount(i["amount_subtotal"]!.GetValue<long>(), currency)}"));
        text.Add("");
        text.Add($"Subtotal: {PayPageEndpoints.FormatAmount(quote["amount_subtotal"]!.GetValue<long>(), currency)}");
        text.Add($"Discount: {PayPageEndpoints.FormatAmount(quote["total_details"]!["amount_discount"]!.GetValue<long>(), currency)}");
        text.Add($"Tax: {PayPageEndpoints.FormatAmount(quote["total_details"]!["amount_tax"]!.GetValue<long>(), currency)}");
        text.Add($"Total: {PayPageEndpoints.FormatAmount(quote["amount_total"]!.GetValue<long>(), currency)}");
        if (quote.Str("footer") is { } footer)
        {
            text.Add("");
            text.Add(footer);
        }

        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        foreach (var line in text)
        {
            if (line.Length > 0)
            {
                page.AddText(Printable(line), 11, new PdfPoint(56, y), font);
            }

            y -= 14;
        }

        return builder.Build();
    }

    /// <summary>Text the standard Helvetica can show: anything outside printable ASCII is shown as <c>?</c> (the font has no glyphs for Chinese, say).</summary>
    private static string Printable(string text) => string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c : '?'));
}
