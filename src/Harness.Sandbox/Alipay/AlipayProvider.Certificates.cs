using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// Rotation of Alipay's public-key certificate: the control action that rotates it, and
/// <c>alipay.open.app.alipaycert.download</c>, with which a certificate-mode client fetches a certificate whose SN an
/// answer names and it does not know yet.
/// </summary>
public sealed partial class AlipayProvider
{
    public const string CertDownload = "alipay.open.app.alipaycert.download";

    public void MapControl(IEndpointRouteBuilder control, SandboxScheduler scheduler)
    {
        control.MapGet("/certificates", () => TypedResults.Ok(CertificatesView()))
            .WithSummary("Alipay: the SN of the current Alipay public-key certificate and of every one before it, each still downloadable.");
        control.MapPost("/certificates/rotate", Ok<AlipayCertificatesView> () =>
            {
                Keys.Certificates.Rotate();
                return TypedResults.Ok(CertificatesView());
            })
            .WithSummary("Alipay: rotates Alipay's public-key certificate (a new key pair and SN from the same root); certificate-mode answers and notifies name and use the new one from now on, public-key mode keeps its key.");
        MapTransferControl(control);
        MapAgreementControl(control);
    }

    private AlipayCertificatesView CertificatesView() => new(Keys.Certificates.AlipayCertSn, Keys.Certificates.AlipayCert, Keys.Certificates.AlipayCertSns);

    /// <summary>
    /// The certificate with the SN asked for, base64 of its PEM text as Alipay's SDKs decode it. Alipay publishes no sub
    /// code for an SN it never issued; the sandbox's choice is in docs/sandbox/alipay.md.
    /// </summary>
    private Outcome DownloadCertificate(JsonObject biz)
    {
        if (Text(biz, "alipay_cert_sn") is not { Length: > 0 } sn)
        {
            return AlipayFailure.Missing("isv.missing-alipay-cert-sn", "缺少支付宝公钥证书序列号 alipay_cert_sn");
        }

        return Keys.Certificates.Download(sn) is { } certificate
            ? new Outcome(new JsonObject { ["alipay_cert_content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(certificate)) }, null)
            : AlipayFailure.Business("CERT_NOT_EXIST", $"支付宝公钥证书 {sn} 不存在");
    }
}

/// <summary>Alipay's public-key certificates as the control API shows them: the current one and every SN so far, oldest first.</summary>
public sealed record AlipayCertificatesView(string AlipayCertSn, string AlipayCert, IReadOnlyList<string> AlipayCertSns);
