using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Sandbox.PayPages;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A finalized quote as a small, valid PDF (one page, Helvetica, PDF 1.4 with its cross-reference table), what
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

        var content = new StringBuilder("BT /F1 11 Tf 14 TL 56 780 Td\n");
        foreach (var line in text)
        {
            content.Append('(').Append(Escape(line)).Append(") Tj T*\n");
        }

        content.Append("ET");
        return Document([
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ]);
    }

    /// <summary>The objects numbered from 1, then the cross-reference table of their byte offsets and the trailer.</summary>
    private static byte[] Document(IReadOnlyList<string> objects)
    {
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var n = 0; n < objects.Count; n++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{n + 1} 0 obj\n{objects[n]}\nendobj\n");
        }

        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    /// <summary>PDF string text: parentheses and backslashes escaped, anything outside printable ASCII shown as <c>?</c> (offsets are counted in ASCII bytes).</summary>
    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is '(' or ')' or '\\' ? $"\\{c}" : c is >= ' ' and <= '~' ? c.ToString() : "?"));
}
