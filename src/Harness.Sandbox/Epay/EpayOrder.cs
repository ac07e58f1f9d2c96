using System.Globalization;
using System.Text.RegularExpressions;
using Harness.Storage;

namespace Harness.Sandbox.Epay;

/// <summary>An Epay order as the platform keeps it; the notify and query answers are rendered from this.</summary>
public sealed partial class EpayOrder : IDocument
{
    /// <summary>The most one order may be: a site's <c>pay_maxmoney</c> setting, which real Epay reads from its config.</summary>
    private const decimal MaxYuan = 1_000_000m;

    private const string InvalidMoney = "金额不合法";

    /// <summary>The platform order number (<c>trade_no</c>).</summary>
    public string Id { get; set; } = "";

    public string Pid { get; set; } = "";

    public string OutTradeNo { get; set; } = "";

    public string Type { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Fen; <c>money</c> on the wire is yuan with two decimals.</summary>
    public long AmountFen { get; set; }

    public string NotifyUrl { get; set; } = "";

    public string ReturnUrl { get; set; } = "";

    public string Param { get; set; } = "";

    public DateTime AddTime { get; set; }

    public DateTime? EndTime { get; set; }

    /// <summary>1 paid, 0 unpaid (the query API's <c>status</c>).</summary>
    public int Status { get; set; }

    public string Buyer { get; set; } = "";

    /// <summary>Fen refunded so far through <c>api.php?act=refund</c> or <c>/api/pay/refund</c>.</summary>
    public long RefundedFen { get; set; }

    /// <summary>1 for an order placed through V1 (MD5), 2 through V2 (RSA): its notify and return are signed the same way.</summary>
    public int Protocol { get; set; } = 1;

    /// <summary>The buyer's IP (V2's <c>clientip</c>).</summary>
    public string ClientIp { get; set; } = "";

    public string Money => FormatYuan(AmountFen);

    public static string FormatYuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Checks <c>money</c> as Epay does and turns it into fen: the refusal in Epay's words, or null. Epay lets through
    /// digits and dots making a positive number (no sign, exponent or space) up to the site's maximum; the sandbox also
    /// wants at most two decimals, since fen are whole.
    /// </summary>
    public static string? ParseYuan(string? text, out long fen)
    {
        fen = 0;
        if (text is null || !MoneyText().IsMatch(text))
        {
            return InvalidMoney;
        }

        // Too many digits for a decimal is far beyond the maximum too.
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var yuan) || yuan > MaxYuan)
        {
            return string.Create(CultureInfo.InvariantCulture, $"最大支付金额是{MaxYuan}元");
        }

        if (yuan <= 0)
        {
            return InvalidMoney;
        }

        fen = (long)(yuan * 100m);
        return null;
    }

    /// <summary>Epay's rule for the merchant's order number (letters, digits, <c>. _ - |</c>), within its 64-character column.</summary>
    public static bool IsOutTradeNo(string text) => OutTradeNoText().IsMatch(text);

    [GeneratedRegex(@"^[a-zA-Z0-9._\-|]{1,64}$")]
    private static partial Regex OutTradeNoText();

    [GeneratedRegex(@"^(?=\.?[0-9])[0-9]*(\.[0-9]{0,2})?$")]
    private static partial Regex MoneyText();
}
