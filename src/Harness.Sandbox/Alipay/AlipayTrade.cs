using System.Globalization;
using System.Text.RegularExpressions;
using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>An Alipay trade as the platform keeps it; query answers, notifies and return parameters are rendered from it.</summary>
public sealed partial class AlipayTrade : IDocument
{
    public const string WaitBuyerPay = "WAIT_BUYER_PAY";
    public const string TradeSuccess = "TRADE_SUCCESS";
    public const string TradeClosed = "TRADE_CLOSED";

    /// <summary>Paid, and past its refundable period: it can no longer be refunded or closed.</summary>
    public const string TradeFinished = "TRADE_FINISHED";

    /// <summary>Alipay's bounds for <c>total_amount</c> and <c>refund_amount</c>: [0.01, 100000000] yuan.</summary>
    private const long MaxFen = 100_000_000_00;

    /// <summary>The platform's <c>trade_no</c>, also the sandbox payment id (the pay page is <c>/pay/{trade_no}</c>).</summary>
    public string Id { get; set; } = "";

    public string AppId { get; set; } = "";

    public string OutTradeNo { get; set; } = "";

    /// <summary>The API method that created it: <c>alipay.trade.precreate</c>, <c>.page.pay</c>, <c>.wap.pay</c>, <c>.app.pay</c>, <c>.pay</c> or <c>.create</c>.</summary>
    public string Method { get; set; } = "";

    public string Subject { get; set; } = "";

    public string Body { get; set; } = "";

    public long AmountFen { get; set; }

    public string NotifyUrl { get; set; } = "";

    public string ReturnUrl { get; set; } = "";

    public string PassbackParams { get; set; } = "";

    /// <summary>Empty until the buyer scans the code or opens the cashier: until then the trade does not exist for the API.</summary>
    public string Status { get; set; } = "";

    public string BuyerId { get; set; } = "";

    public string BuyerLogonId { get; set; } = "";

    /// <summary>The buyer's open id, when <c>alipay.trade.create</c> named the buyer by it.</summary>
    public string BuyerOpenId { get; set; } = "";

    /// <summary>
    /// The sub code of the last refused scan of a barcode trade (balance, risk), empty otherwise: such a trade waits
    /// for a fresh scan, where one waiting for the buyer's password does not.
    /// </summary>
    public string ScanRefused { get; set; } = "";

    /// <summary>The agreement a deduction (<c>alipay.trade.pay</c> with <c>agreement_params</c>) charged under; empty for other trades.</summary>
    public string AgreementNo { get; set; } = "";

    /// <summary>The agreement paying this trade signs (<c>agreement_sign_params</c>, 支付并签约); empty for other trades.</summary>
    public string SignsAgreementNo { get; set; } = "";

    /// <summary>UTC; when the trade came to exist (the scan).</summary>
    public DateTime? GmtCreate { get; set; }

    public DateTime? GmtPayment { get; set; }

    /// <summary>UTC; when the trade closed or finished (its gmt_close).</summary>
    public DateTime? GmtClose { get; set; }

    /// <summary>
    /// UTC; when a trade paid with a refundable period (the refund_period_days setting then) finishes, unless refunded
    /// in full before; null until paid, and for a trade that finished at payment.
    /// </summary>
    public DateTime? FinishesAt { get; set; }

    /// <summary>The finishing order while the trade waits to finish: the time, then the id (indexed; none otherwise).</summary>
    public string? FinishOrder => Status == TradeSuccess && FinishesAt is { } at ? OrderKeys.Time(at, Id) : null;

    public long RefundedFen { get; set; }

    public List<AlipayRefund> Refunds { get; set; } = [];

    public bool Exists => Status.Length > 0;

    public static string FormatYuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Yuan with at most two decimals, as a JSON string or number, within Alipay's [0.01, 100000000]; fen, or null
    /// when the text is anything else (a sign, an exponent, a third decimal, spaces).
    /// </summary>
    public static long? ParseYuan(string? text)
    {
        if (text is null || !YuanText().IsMatch(text)
            || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var yuan))
        {
            return null;
        }

        var fen = (long)(yuan * 100m);
        return fen is >= 1 and <= MaxFen ? fen : null;
    }

    /// <summary>Alipay's rule for <c>out_trade_no</c> and <c>out_request_no</c>: letters, digits and underscores, at most 64.</summary>
    public static bool IsMerchantNumber(string text) => MerchantNumberText().IsMatch(text);

    /// <summary>
    /// Reads <c>timeout_express</c>-style text (<c>1m</c>..<c>15d</c>, <c>h</c> hours, <c>1c</c> the end of the
    /// current day in China time); null when it is not one of those.
    /// </summary>
    public static DateTimeOffset? ParseTimeout(string text, DateTimeOffset now)
    {
        if (text == "1c")
        {
            var china = now.ToOffset(AlipayTime.China);
            return new DateTimeOffset(china.Date.AddDays(1), AlipayTime.China);
        }

        var match = TimeoutText().Match(text);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var count))
        {
            return null;
        }

        var span = match.Groups[2].Value switch
        {
            "m" => TimeSpan.FromMinutes(count),
            "h" => TimeSpan.FromHours(count),
            _ => TimeSpan.FromDays(count),
        };
        return span >= TimeSpan.FromMinutes(1) && span <= TimeSpan.FromDays(15) ? now + span : null;
    }

    [GeneratedRegex(@"^[0-9]{1,10}(\.[0-9]{1,2})?$")]
    private static partial Regex YuanText();

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex MerchantNumberText();

    [GeneratedRegex("^([0-9]{1,5})([mhd])$")]
    private static partial Regex TimeoutText();
}

/// <summary>One accepted refund request, kept under its <c>out_request_no</c> so a repeat answers the same.</summary>
public sealed class AlipayRefund
{
    public string OutRequestNo { get; set; } = "";

    public long AmountFen { get; set; }

    public DateTime At { get; set; }
}

/// <summary>Alipay's wire times: <c>yyyy-MM-dd HH:mm:ss</c> in China time (UTC+8).</summary>
public static class AlipayTime
{
    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static string Format(DateTimeOffset time) => time.ToOffset(China).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Format(DateTime utc) => Format(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)));

    /// <summary><c>time_expire</c>: <c>yyyy-MM-dd HH:mm:ss</c> in China time, from one minute to 15 days after <paramref name="now"/>.</summary>
    public static DateTimeOffset? ParseDeadline(string text, DateTimeOffset now) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
        && new DateTimeOffset(local, China) is var deadline
        && deadline >= now.AddMinutes(1) && deadline <= now.AddDays(15)
            ? deadline
            : null;

    /// <summary>A request's <c>timestamp</c>: any well-formed value (alipay-sdk sends the process's local time, not China time).</summary>
    public static bool IsWellFormed(string text) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
