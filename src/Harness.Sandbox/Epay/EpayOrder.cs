using System.Globalization;
using Harness.Storage;

namespace Harness.Sandbox.Epay;

/// <summary>An Epay order as the platform keeps it; the notify and query answers are rendered from this.</summary>
public sealed class EpayOrder : IDocument
{
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

    /// <summary>Fen refunded so far through <c>api.php?act=refund</c>.</summary>
    public long RefundedFen { get; set; }

    public string Money => FormatYuan(AmountFen);

    public static string FormatYuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Parses a positive yuan amount with at most two decimals into fen.</summary>
    public static bool TryParseYuan(string? text, out long fen)
    {
        fen = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var yuan) || yuan <= 0 || yuan > 1_000_000m)
        {
            return false;
        }

        var scaled = yuan * 100m;
        if (scaled != decimal.Truncate(scaled))
        {
            return false;
        }

        fen = (long)scaled;
        return true;
    }
}
