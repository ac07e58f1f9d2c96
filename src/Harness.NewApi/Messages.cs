using Microsoft.AspNetCore.Http;

namespace Harness.NewApi;

/// <summary>
/// The messages upstream sends through i18n, in English and Simplified Chinese. The language is the caller's
/// <c>Accept-Language</c> (first tag: <c>zh*</c> → Chinese), English by default (new-api.md §1.3). Messages upstream
/// hard-codes in Chinese are written where they are used.
/// </summary>
public static class Messages
{
    public static readonly Message TopUpProcessing = new("Top-up is processing, please try again later", "充值处理中，请稍后重试");
    public static readonly Message RedeemFailed = new("Redemption failed, please try again later", "兑换失败，请稍后重试");
    public static readonly Message NameLength = new("Redemption code name length must be between 1-20", "兑换码名称长度必须在1-20之间");
    public static readonly Message CountPositive = new("Redemption code count must be greater than 0", "兑换码个数必须大于0");
    public static readonly Message CountMax = new("Maximum 100 redemption codes can be generated at once", "一次兑换码批量生成的个数不能大于 100");
    public static readonly Message ExpiryPast = new("Expiration time cannot be earlier than current time", "过期时间不能早于当前时间");

    public static string In(this Message message, HttpContext context) =>
        context.Request.Headers.AcceptLanguage.ToString().TrimStart().StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? message.Chinese : message.English;
}

public sealed record Message(string English, string Chinese);
