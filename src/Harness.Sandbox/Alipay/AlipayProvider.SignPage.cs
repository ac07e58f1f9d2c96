using Harness.Sandbox.Control;
using Harness.Sandbox.PayPages;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// The sign page <c>alipay.user.agreement.page.sign</c> redirects to, where the buyer signs or refuses, and the control
/// routes that play the buyer's side afterwards: pausing, resuming or ending the agreement in the Alipay app, and a
/// balance that refuses the next deduction.
/// </summary>
public sealed partial class AlipayProvider
{
    /// <summary>The sign page serves pending page.sign requests only: an agreement a trade signs when paid (支付并签约) is signed by the cashier.</summary>
    private void MapSignPage(WebApplication app)
    {
        app.MapGet(SignPagePath + "/{agreementNo}", (string agreementNo) =>
        {
            if (PendingPageSign(agreementNo) is not { } agreement)
            {
                return AgreementSignPage.NotFound();
            }

            var terms = agreement.PeriodType.Length == 0
                ? "商家扣款：商家按需从您的账户扣款"
                : $"周期扣款：每 {agreement.Period} {(agreement.PeriodType == "DAY" ? "天" : "个月")}，首次 {agreement.NextDeductDate}，单次不超过 {AlipayTrade.FormatYuan(agreement.SingleAmountFen)} 元";
            return AgreementSignPage.Offer("支付宝 - 开通免密支付", $"{terms}（场景 {agreement.SignScene}）", "同意协议并开通");
        });
        app.MapPost(SignPagePath + "/{agreementNo}", (string agreementNo, HttpRequest request) =>
            AgreementSignPage.AnswerAsync(request, sign => _context.Store.Atomically<(string?, string)?>(() =>
            {
                if (PendingPageSign(agreementNo) is not { } agreement)
                {
                    return null;
                }

                if (sign)
                {
                    Sign(agreement);
                }

                return (agreement.ReturnUrl, agreement.Id);
            })));
    }

    private AlipayAgreement? PendingPageSign(string agreementNo) =>
        IsBizNumber(agreementNo) && _agreements.Get(agreementNo) is { Status: AlipayAgreement.Temp, SigningTradeNo: "" } agreement ? agreement : null;

    private void MapAgreementControl(IEndpointRouteBuilder control)
    {
        control.MapGet("/agreements", () => TypedResults.Ok(_agreements.All().OrderBy(a => a.Id, StringComparer.Ordinal).Select(AlipayAgreementView.Of).ToList()))
            .WithSummary("Alipay: every 周期扣款 / 商家扣款 agreement, pending (TEMP) ones too, with its next agreed deduction date, amounts deducted (fen) and any refusal set for the next deduction.");
        control.MapPost("/agreements/{agreementNo}/status", Results<Ok<AlipayAgreementView>, NotFound<ControlError>, BadRequest<ControlError>> (string agreementNo, AlipayAgreementStatusChange? request) =>
            {
                if (request?.Status is not (AlipayAgreement.Stop or AlipayAgreement.Normal or AlipayAgreement.Unsign))
                {
                    return TypedResults.BadRequest(new ControlError("status must be 'STOP' (paused), 'NORMAL' (resumed) or 'UNSIGN' (the buyer ends it in the Alipay app)"));
                }

                return _context.Store.Atomically<Results<Ok<AlipayAgreementView>, NotFound<ControlError>, BadRequest<ControlError>>>(() =>
                {
                    if (!IsBizNumber(agreementNo) || _agreements.Get(agreementNo) is not { Status: not AlipayAgreement.Temp } agreement)
                    {
                        return TypedResults.NotFound(new ControlError($"no signed Alipay agreement with agreement_no '{agreementNo}'"));
                    }

                    if (agreement.Status == AlipayAgreement.Unsign)
                    {
                        return TypedResults.BadRequest(new ControlError($"agreement '{agreementNo}' is UNSIGN: an ended agreement does not come back"));
                    }

                    if (request.Status == AlipayAgreement.Unsign)
                    {
                        EndAgreement(agreement);
                    }
                    else
                    {
                        agreement.Status = request.Status;
                        _agreements.Upsert(agreement);
                    }

                    return TypedResults.Ok(AlipayAgreementView.Of(agreement));
                });
            })
            .WithSummary("Alipay: the buyer pauses (STOP), resumes (NORMAL) or ends (UNSIGN, with a dut_user_unsign notify) a signed agreement in the Alipay app. 404 for no signed agreement, 400 for an ended one.");
        control.MapPost("/agreements/{agreementNo}/decline", Results<Ok<AlipayAgreementView>, NotFound<ControlError>, BadRequest<ControlError>> (string agreementNo, AlipayAgreementDecline? request) =>
            {
                var subCode = request?.SubCode is { Length: > 0 } code ? code : "ACQ.BUYER_BALANCE_NOT_ENOUGH";
                if (!RefusalCodeSuffixes.Values.Any(f => f.SubCode == subCode))
                {
                    return TypedResults.BadRequest(new ControlError("sub_code must be one of " + string.Join(", ", RefusalCodeSuffixes.Values.Select(f => f.SubCode))));
                }

                return _context.Store.Atomically<Results<Ok<AlipayAgreementView>, NotFound<ControlError>, BadRequest<ControlError>>>(() =>
                {
                    if (!IsBizNumber(agreementNo) || _agreements.Get(agreementNo) is not { Status: AlipayAgreement.Normal or AlipayAgreement.Stop } agreement)
                    {
                        return TypedResults.NotFound(new ControlError($"no signed, unended Alipay agreement with agreement_no '{agreementNo}'"));
                    }

                    agreement.DeclineNext = subCode;
                    _agreements.Upsert(agreement);
                    return TypedResults.Ok(AlipayAgreementView.Of(agreement));
                });
            })
            .WithSummary("Alipay: the next deduction under the agreement is refused with sub_code (ACQ.BUYER_BALANCE_NOT_ENOUGH unless given; also ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH, ACQ.PAYMENT_FAIL, ACQ.PAYMENT_REQUEST_HAS_RISK), once; the ones after it succeed again.");
    }
}

/// <summary>The body of <c>POST /control/alipay/agreements/{agreement_no}/status</c>.</summary>
public sealed record AlipayAgreementStatusChange(string? Status);

/// <summary>The body of <c>POST /control/alipay/agreements/{agreement_no}/decline</c>.</summary>
public sealed record AlipayAgreementDecline(string? SubCode);

/// <summary>An agreement as the control API shows it (amounts in fen).</summary>
public sealed record AlipayAgreementView(
    string AgreementNo, string? ExternalAgreementNo, string PersonalProductCode, string SignScene, string Status,
    string NextDeductDate, long SingleAmount, long Deducted, int Deductions, string DeclineNext)
{
    internal static AlipayAgreementView Of(AlipayAgreement agreement) => new(
        agreement.Id, agreement.ExternalAgreementNo, agreement.PersonalProductCode, agreement.SignScene, agreement.Status,
        agreement.NextDeductDate, agreement.SingleAmountFen, agreement.DeductedFen, agreement.Deductions, agreement.DeclineNext);
}
