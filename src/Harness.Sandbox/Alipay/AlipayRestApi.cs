using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// The v3 REST routes alipay-sdk's <c>curl()</c> calls (providers.md §3.4): a JSON body, the
/// <c>authorization: ALIPAY-SHA256withRSA app_id=…[,app_cert_sn=…],nonce=…,timestamp=…,sign=…</c> header signed over
/// <c>authString\nMETHOD\npath?query\nbody\n</c>, plain JSON answers signed in <c>alipay-signature</c>, and failures as
/// <c>{code,message}</c> with HTTP ≥ 400. With <c>alipay-encrypt-type: AES</c> the body is the AES cipher text of the
/// JSON (signed as sent), and so is a successful answer's.
/// </summary>
public static partial class AlipayRestApi
{
    private const string Scheme = "ALIPAY-SHA256withRSA ";

    public static void Map(WebApplication app, AlipayProvider provider)
    {
        foreach (var (path, method) in new[]
        {
            ("/v3/alipay/trade/precreate", AlipayProvider.Precreate),
            ("/v3/alipay/trade/create", AlipayProvider.TradeCreate),
            ("/v3/alipay/trade/pay", AlipayProvider.BarcodePay),
            ("/v3/alipay/trade/query", AlipayProvider.Query),
            ("/v3/alipay/trade/close", AlipayProvider.Close),
            ("/v3/alipay/trade/cancel", AlipayProvider.Cancel),
            ("/v3/alipay/trade/refund", AlipayProvider.Refund),
            ("/v3/alipay/fund/trans/uni/transfer", AlipayProvider.UniTransfer),
            ("/v3/alipay/trade/order/settle", AlipayProvider.OrderSettle),
            ("/v3/alipay/trade/royalty/relation/bind", AlipayProvider.RoyaltyBind),
            ("/v3/alipay/trade/royalty/relation/unbind", AlipayProvider.RoyaltyUnbind),
            ("/v3/alipay/trade/royalty/relation/batchquery", AlipayProvider.RoyaltyBatchQuery),
            ("/v3/alipay/user/agreement/unsign", AlipayProvider.AgreementUnsign),
            ("/v3/alipay/user/agreement/transfer", AlipayProvider.AgreementTransfer),
            ("/v3/alipay/user/agreement/executionplan/modify", AlipayProvider.ExecutionPlanModify),
        })
        {
            app.MapPost(path, (HttpRequest request) => HandleAsync(provider, method, request));
        }

        // The bill link, the fund, agreement and 分账 queries are GETs with their fields in the query string (signed as part of the path).
        foreach (var (path, method) in new[]
        {
            ("/v3/alipay/data/dataservice/bill/downloadurl/query", AlipayProvider.BillDownloadUrlQuery),
            ("/v3/alipay/fund/trans/common/query", AlipayProvider.TransferQuery),
            ("/v3/alipay/fund/account/query", AlipayProvider.AccountQuery),
            ("/v3/alipay/user/agreement/query", AlipayProvider.AgreementQuery),
            ("/v3/alipay/trade/order/settle/query", AlipayProvider.SettleQuery),
            ("/v3/alipay/trade/order/onsettle/query", AlipayProvider.OnsettleQuery),
            ("/v3/alipay/trade/royalty/rate/query", AlipayProvider.RoyaltyRateQuery),
        })
        {
            app.MapGet(path, (HttpRequest request) => HandleAsync(provider, method, request));
        }
    }

    private static async Task<IResult> HandleAsync(AlipayProvider provider, string method, HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        var (refused, certificateMode) = Authenticate(provider, request, body);
        refused ??= AlipayProvider.RefuseWithoutCertificate(method, certificateMode);
        if (refused is not null)
        {
            return provider.Replies.RestError(refused, StatusCodes.Status401Unauthorized, certificateMode);
        }

        // The signature is over the body as sent; an encrypted one is opened after it verified.
        var encryptType = request.Headers["alipay-encrypt-type"].ToString() is { Length: > 0 } type ? type : null;
        var (content, unopened) = provider.Encryption.Open(encryptType, body);
        if (unopened is not null)
        {
            return provider.Replies.RestError(unopened, StatusCodes.Status400BadRequest, certificateMode);
        }

        var (biz, failure) = HttpMethods.IsGet(request.Method) ? (QueryFields(request), null) : AlipayProvider.ParseBiz(content);
        var outcome = failure is not null
            ? AlipayProvider.Outcome.FromFailure(failure)
            : provider.Run(method, biz!, NotifyUrl(biz!), "", $"{request.Scheme}://{request.Host}");
        if (outcome.Failure is { } businessFailure)
        {
            // alipay-sdk reads an error as plain {code,message} JSON, so errors stay plain to an encrypted request too.
            var status = businessFailure.SubCode is "ACQ.TRADE_NOT_EXIST" or "ORDER_NOT_EXIST" or "USER_AGREEMENT_NOT_EXIST" ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            return provider.Replies.RestError(businessFailure, status, certificateMode);
        }

        return provider.Replies.Rest(outcome.Fields!, certificateMode: certificateMode, encrypted: encryptType is not null);
    }

    private static JsonObject QueryFields(HttpRequest request) =>
        new(request.Query.Select(q => KeyValuePair.Create(q.Key, (JsonNode?)JsonValue.Create(q.Value.ToString()))));

    /// <summary>v3 carries <c>notify_url</c> in the body; it is a common parameter, not a business field.</summary>
    private static string NotifyUrl(JsonObject biz) =>
        biz["notify_url"] is JsonValue value && value.TryGetValue<string>(out var url) && HttpUrl.IsValid(url)
            ? url
            : "";

    /// <summary>
    /// The header's fields, the certificate SNs (<c>app_cert_sn</c> in the header, <c>alipay-root-cert-sn</c> beside
    /// it), then the RSA2 signature with the app key over the v3 signing string; and whether the client is in
    /// certificate mode, to be answered with <c>alipay-sn</c>.
    /// </summary>
    private static (AlipayFailure? Refused, bool CertificateMode) Authenticate(AlipayProvider provider, HttpRequest request, string body)
    {
        var header = request.Headers.Authorization.ToString();
        var signAt = header.LastIndexOf(",sign=", StringComparison.Ordinal);
        if (!header.StartsWith(Scheme, StringComparison.Ordinal) || signAt < 0)
        {
            return (AlipayFailure.Missing("isv.missing-signature", "缺少 authorization 头，或其格式不是 ALIPAY-SHA256withRSA app_id=…,nonce=…,timestamp=…,sign=…"), false);
        }

        var authString = header[Scheme.Length..signAt];
        var fields = AuthField().Matches(authString).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        var appCertSn = fields.GetValueOrDefault("app_cert_sn") is { Length: > 0 } sn ? sn : null;
        var certificateMode = appCertSn is not null;
        if (!provider.Keys.IsAppId(fields.GetValueOrDefault("app_id")))
        {
            return (AlipayFailure.Invalid("isv.invalid-app-id", "无效的AppID参数"), certificateMode);
        }

        if (!fields.ContainsKey("nonce") || !long.TryParse(fields.GetValueOrDefault("timestamp"), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return (AlipayFailure.Invalid("isv.invalid-timestamp", "authorization 缺少 nonce 或毫秒时间戳 timestamp"), certificateMode);
        }

        var rootCertSn = request.Headers["alipay-root-cert-sn"].ToString() is { Length: > 0 } root ? root : null;
        if (provider.Keys.CheckCertificateMode(appCertSn, rootCertSn) is { } certificateFailure)
        {
            return (certificateFailure, certificateMode);
        }

        var content = $"{authString}\n{request.Method}\n{request.Path}{request.QueryString}\n{body}\n";
        if (request.Headers["alipay-app-auth-token"].ToString() is { Length: > 0 } token)
        {
            content += token + "\n";
        }

        return provider.Keys.VerifyApp(content, header[(signAt + ",sign=".Length)..], appCertSn)
            ? (null, certificateMode)
            : (AlipayFailure.Invalid("isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配"), certificateMode);
    }

    [GeneratedRegex("(?:^|,)([a-z_]+)=([^,]*)")]
    private static partial Regex AuthField();
}
