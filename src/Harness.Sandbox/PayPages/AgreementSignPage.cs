using System.Net;
using System.Text;
using Harness.Http;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.PayPages;

/// <summary>
/// The buyer's side of signing a deduction agreement (Alipay's 周期扣款 / 商家扣款, WeChat Pay's 委托代扣): a page with the
/// terms and two buttons, and the form post that signs (<c>action=sign</c>) or leaves (<c>action=refuse</c>).
/// </summary>
internal static class AgreementSignPage
{
    /// <summary>The answer when no pending request matches: nothing to sign, or signed already.</summary>
    public static IResult NotFound() => Page("签约请求不存在或已处理", "<p id=\"result\">没有待签约的协议。</p>", StatusCodes.Status404NotFound);

    /// <summary>The page showing <paramref name="terms"/> with the sign and leave buttons.</summary>
    public static IResult Offer(string title, string terms, string signLabel) => Page(
        title,
        $"<p id=\"terms\">{WebUtility.HtmlEncode(terms)}</p><form method=\"post\"><button name=\"action\" value=\"sign\">{WebUtility.HtmlEncode(signLabel)}</button> <button name=\"action\" value=\"refuse\">暂不开通</button></form>",
        StatusCodes.Status200OK);

    /// <summary>
    /// The form post: <paramref name="apply"/> gets whether the buyer signs and, in the provider's store unit, signs the
    /// pending request or leaves it as it is, answering the agreement's return URL and id, or null when no pending
    /// request matches. Leaving sends nothing and keeps the request pending for another try: neither provider notifies
    /// a signing the buyer abandoned.
    /// </summary>
    public static async Task<IResult> AnswerAsync(HttpRequest request, Func<bool, (string? ReturnUrl, string AgreementId)?> apply)
    {
        var action = (await RequestForm.TryReadAsync(request))?["action"].ToString();
        if (action is not ("sign" or "refuse"))
        {
            return Page("签约失败", "<p id=\"result\">action 须为 sign 或 refuse。</p>", StatusCodes.Status400BadRequest);
        }

        if (apply(action == "sign") is not { } signed)
        {
            return NotFound();
        }

        if (action == "refuse")
        {
            return Page("未开通", "<p id=\"result\">您已放弃签约。</p>", StatusCodes.Status200OK);
        }

        return signed.ReturnUrl is { Length: > 0 } returnUrl
            ? Results.Redirect(returnUrl)
            : Page("开通成功", $"<p id=\"result\">签约成功，协议号 {WebUtility.HtmlEncode(signed.AgreementId)}。</p>", StatusCodes.Status200OK);
    }

    private static IResult Page(string title, string body, int status) => Results.Content(
        $"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head><body><h3>{WebUtility.HtmlEncode(title)}</h3>{body}</body></html>",
        "text/html; charset=utf-8",
        Encoding.UTF8,
        status);
}
