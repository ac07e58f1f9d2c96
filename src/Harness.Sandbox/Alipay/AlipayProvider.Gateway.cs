using System.Text.Json.Nodes;
using Harness.Http;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Alipay;

/// <summary>The v2 gateway <c>/gateway.do</c>: one endpoint for every method, the parameters in the query and the form.</summary>
public sealed partial class AlipayProvider
{
    private async Task<IResult> GatewayAsync(HttpRequest request)
    {
        var parameters = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await RequestForm.ReadAsync(request))
            {
                parameters[key] = value.ToString();
            }
        }

        // A certificate-mode client is answered in certificate mode, even when its request is refused.
        var certificateMode = parameters.GetValueOrDefault("app_cert_sn") is { Length: > 0 };
        var method = parameters.GetValueOrDefault("method");
        if (string.IsNullOrEmpty(method))
        {
            return Replies.Gateway("error_response", AlipayReplies.Inner(AlipayFailure.Missing("isv.missing-method", "缺少方法名参数")), certificateMode: certificateMode);
        }

        if (!ProductCodes.ContainsKey(method) && method is not (Query or Close or Cancel or Refund or RefundQuery or CertDownload or BillDownloadUrlQuery or UniTransfer or TransferQuery or AccountQuery or PageSign or AgreementQuery or AgreementUnsign or ExecutionPlanModify or AgreementTransfer or RoyaltyBind or RoyaltyUnbind or RoyaltyBatchQuery or RoyaltyRateQuery or OrderSettle or SettleQuery or OnsettleQuery))
        {
            return Replies.Gateway("error_response", AlipayReplies.Inner(AlipayFailure.Invalid("isv.invalid-method", "不存在的方法名")), certificateMode: certificateMode);
        }

        if (method == AppPay)
        {
            // The order string goes to the Alipay app, not to the gateway (docs/sandbox/alipay.md: POST /sandbox/app-pay).
            return Replies.Gateway("error_response", AlipayReplies.Inner(AlipayFailure.Invalid("isv.invalid-method", $"{AppPay} 由支付宝客户端调起：把签名后的订单串交给 App，不要提交到网关")), certificateMode: certificateMode);
        }

        var cashier = method is PagePay or WapPay or PageSign;
        var responseKey = method.Replace('.', '_') + "_response";
        var (content, encrypted, refused) = AlipayGatewayCheck.Check(parameters, Keys, Encryption);
        refused ??= RefuseWithoutCertificate(method, certificateMode);
        var (biz, failure) = refused is not null ? (null, refused) : ParseBiz(content);
        var outcome = failure is not null
            ? Outcome.FromFailure(failure)
            : Run(method, biz!, parameters.GetValueOrDefault("notify_url") ?? "", parameters.GetValueOrDefault("return_url") ?? "", $"{request.Scheme}://{request.Host}");
        if (cashier)
        {
            return outcome.Failure is { } refusal ? AlipayCashierErrors.Page(refusal) : Results.Redirect(outcome.PageUrl ?? _context.PayPageUrl(outcome.Trade!.Id));
        }

        // Content that came encrypted is answered encrypted, business failures too; a refusal of the request itself is not.
        // A refusal may carry fields beside its codes (a refused scan names its order), after them as Alipay puts them.
        var inner = outcome.Failure is { } businessFailure ? AlipayReplies.Inner(businessFailure) : new JsonObject { ["code"] = "10000", ["msg"] = "Success" };
        foreach (var (key, value) in outcome.Fields ?? [])
        {
            inner[key] = value?.DeepClone();
        }

        return Replies.Gateway(responseKey, inner, certificateMode: certificateMode, encrypted: encrypted);
    }
}
