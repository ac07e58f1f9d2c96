using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Delivery;
using Harness.Security;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// 周期扣款 and 商家扣款 agreements: <c>alipay.user.agreement.page.sign</c> (the buyer signs on the sandbox's sign page,
/// <see cref="SignPagePath"/>), <c>alipay.user.agreement.query</c>, <c>alipay.user.agreement.unsign</c> and
/// <c>alipay.user.agreement.executionplan.modify</c>; signing and unsigning send <c>dut_user_sign</c> and
/// <c>dut_user_unsign</c>. Deductions under an agreement are in <c>AlipayProvider.Deductions.cs</c>.
/// </summary>
public sealed partial class AlipayProvider
{
    public const string PageSign = "alipay.user.agreement.page.sign";
    public const string AgreementQuery = "alipay.user.agreement.query";
    public const string AgreementUnsign = "alipay.user.agreement.unsign";
    public const string ExecutionPlanModify = "alipay.user.agreement.executionplan.modify";

    /// <summary>The sandbox's stand-in for Alipay's sign page: <c>/sandbox/agreement-sign/{agreement_no}</c>.</summary>
    public const string SignPagePath = "/sandbox/agreement-sign";

    /// <summary>The invalid_time Alipay gives agreements that run until unsigned.</summary>
    public const string AgreementInvalidTime = "2115-02-01 00:00:00";

    private const string DefaultScene = "DEFAULT|DEFAULT";

    private static readonly Dictionary<string, string> AgreementProducts = new(StringComparer.Ordinal)
    {
        [AlipayAgreement.CyclePay] = "CYCLE_PAY_AUTH",
        [AlipayAgreement.GeneralWithholding] = "GENERAL_WITHHOLDING",
    };

    private static AlipayFailure AgreementParameter(string message) => AlipayFailure.Business("INVALID_PARAMETER", "参数有误：" + message);

    private static AlipayFailure AgreementNotExist() => AlipayFailure.Business("USER_AGREEMENT_NOT_EXIST", "用户协议不存在");

    private Outcome SignAgreement(JsonObject biz, string notifyUrl, string returnUrl, string origin)
    {
        var (agreement, failure) = PendingAgreement(biz, notifyUrl, returnUrl);
        if (failure is not null)
        {
            return failure;
        }

        _agreements.Upsert(agreement!);
        return new Outcome(new JsonObject { ["agreement_no"] = agreement!.Id }, null, PageUrl: $"{origin}{SignPagePath}/{agreement.Id}");
    }

    /// <summary>
    /// A sign request (page.sign's biz_content, or the agreement_sign_params of a trade paid and signed at once) checked
    /// into a pending agreement, not stored yet; the same pending agreement_no when it asks again for a pending external_agreement_no.
    /// </summary>
    private (AlipayAgreement? Agreement, AlipayFailure? Failure) PendingAgreement(JsonObject biz, string notifyUrl, string returnUrl)
    {
        if (Text(biz, "personal_product_code") is not { } personal || !AgreementProducts.TryGetValue(personal, out var product))
        {
            return (null, AgreementParameter($"personal_product_code 须为 {AlipayAgreement.CyclePay}（周期扣款）或 {AlipayAgreement.GeneralWithholding}（商家扣款）"));
        }

        if (Text(biz, "product_code") is { } productCode && productCode != product)
        {
            return (null, AlipayFailure.Business("PRODUCT_CODE_ERROR", $"产品码不合法：{personal} 的销售产品码是 {product}"));
        }

        var external = Text(biz, "external_agreement_no");
        var scene = Text(biz, "sign_scene") ?? DefaultScene;
        if ((biz["external_agreement_no"] is not null && (external is null || !ExternalAgreementText().IsMatch(external))) || !SceneText().IsMatch(scene))
        {
            return (null, AgreementParameter("external_agreement_no 最长32位字母、数字、- 和 _；sign_scene 形如 INDUSTRY|DIGITAL_MEDIA"));
        }

        if (external is not null && scene == DefaultScene)
        {
            return (null, AgreementParameter("传入 external_agreement_no 时 sign_scene 必填，且不能为 DEFAULT|DEFAULT"));
        }

        if (biz["access_params"] is not JsonObject access || Text(access, "channel") is not ("ALIPAYAPP" or "QRCODE" or "QRCODEORSMS") || access.Count != 1)
        {
            return (null, AgreementParameter("access_params 须为 {\"channel\": \"ALIPAYAPP\" | \"QRCODE\" | \"QRCODEORSMS\"}"));
        }

        var agreement = new AlipayAgreement
        {
            ExternalAgreementNo = external,
            PersonalProductCode = personal,
            SignScene = scene,
            Channel = Text(access, "channel")!,
            NotifyUrl = notifyUrl,
            ReturnUrl = returnUrl,
        };
        if (personal == AlipayAgreement.CyclePay && PeriodRule(biz, agreement) is { } refused)
        {
            return (null, refused);
        }

        if (external is not null)
        {
            var earlier = _agreements.FindBy(nameof(AlipayAgreement.ExternalAgreementNo), external)
                .FirstOrDefault(a => a.PersonalProductCode == personal && a.SignScene == scene && a.Status is AlipayAgreement.Temp or AlipayAgreement.Normal or AlipayAgreement.Stop);
            if (earlier is { Status: not AlipayAgreement.Temp })
            {
                return (null, AlipayFailure.Business("AGREEMENT_HAS_EXISTED", "该商户签约号已有生效的协议，请先解约或更换 external_agreement_no"));
            }

            // Asking again before the buyer signed replaces the pending request, as a fresh sign page does at Alipay.
            agreement.Id = earlier?.Id ?? "";
        }

        if (agreement.Id.Length == 0)
        {
            agreement.Id = _context.Clock.GetUtcNow().ToOffset(AlipayTime.China).ToString("yyyy", CultureInfo.InvariantCulture) + Digits(16);
        }

        return (agreement, null);
    }

    /// <summary>period_rule_params into the agreement, or why it is refused (Alipay's rules: a DAY period of 7 days at least, a MONTH one on days 1 to 28).</summary>
    private static AlipayFailure? PeriodRule(JsonObject biz, AlipayAgreement agreement)
    {
        if (biz["period_rule_params"] is not JsonObject rule)
        {
            return AgreementParameter("周期扣款须传 period_rule_params");
        }

        var type = Text(rule, "period_type");
        var period = int.TryParse(Text(rule, "period"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var valid = DateOnly.TryParseExact(Text(rule, "execute_time"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var execute);
        if (type is not ("DAY" or "MONTH") || period is < 1 or > 3650 || (type == "DAY" && period < 7) || !valid || (type == "MONTH" && execute.Day > 28))
        {
            return AgreementParameter("period_type 为 DAY（period 至少 7）或 MONTH；execute_time 为 yyyy-MM-dd，按月扣款时不能是 28 日之后");
        }

        if (AlipayTrade.ParseYuan(Text(rule, "single_amount")) is not { } single)
        {
            return AgreementParameter("single_amount 必填，为最多两位小数的金额（元）");
        }

        long total = 0;
        if (rule["total_amount"] is not null)
        {
            if (AlipayTrade.ParseYuan(Text(rule, "total_amount")) is not { } cap || cap < single)
            {
                return AgreementParameter("total_amount 为不小于 single_amount 的金额（元）");
            }

            total = cap;
        }

        var payments = 0;
        if (rule["total_payments"] is not null
            && (!int.TryParse(Text(rule, "total_payments"), NumberStyles.None, CultureInfo.InvariantCulture, out payments) || payments < 1))
        {
            return AgreementParameter("total_payments 为正整数");
        }

        agreement.PeriodType = type;
        agreement.Period = period;
        agreement.NextDeductDate = execute.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        agreement.SingleAmountFen = single;
        agreement.TotalAmountFen = total;
        agreement.TotalPayments = payments;
        return null;
    }

    /// <summary>
    /// The agreement a query, unsign or plan change names: by <c>agreement_no</c>, or by <c>external_agreement_no</c> with
    /// <c>personal_product_code</c> and <c>sign_scene</c>; one the buyer never signed does not exist for them.
    /// </summary>
    private (AlipayAgreement? Agreement, AlipayFailure? Failure) FindAgreement(JsonObject biz)
    {
        AlipayAgreement? agreement;
        if (Text(biz, "agreement_no") is { } number)
        {
            agreement = IsBizNumber(number) ? _agreements.Get(number) : null;
        }
        else if (Text(biz, "external_agreement_no") is { } external)
        {
            if (Text(biz, "personal_product_code") is not { } personal || Text(biz, "sign_scene") is not { } scene)
            {
                return (null, AgreementParameter("按 external_agreement_no 查找时 personal_product_code 与 sign_scene 必填"));
            }

            agreement = IsBizNumber(external)
                ? _agreements.FindBy(nameof(AlipayAgreement.ExternalAgreementNo), external)
                    .Where(a => a.PersonalProductCode == personal && a.SignScene == scene && a.Status != AlipayAgreement.Temp)
                    .OrderBy(a => a.Status == AlipayAgreement.Unsign)
                    .FirstOrDefault()
                : null;
        }
        else
        {
            return (null, AgreementParameter("agreement_no 与 external_agreement_no 不能同时为空"));
        }

        return agreement is { Status: not AlipayAgreement.Temp } ? (agreement, null) : (null, AgreementNotExist());
    }

    private Outcome QueryAgreement(JsonObject biz)
    {
        var (agreement, failure) = FindAgreement(biz);
        return failure is not null ? failure : new Outcome(AgreementFields(agreement!), null);
    }

    /// <summary>What <c>alipay.user.agreement.query</c> answers (and the control API shows) for a signed agreement.</summary>
    private static JsonObject AgreementFields(AlipayAgreement agreement)
    {
        var fields = new JsonObject
        {
            ["agreement_no"] = agreement.Id,
            ["principal_id"] = agreement.AlipayUserId,
            ["alipay_logon_id"] = agreement.AlipayLogonId,
            ["personal_product_code"] = agreement.PersonalProductCode,
            ["sign_scene"] = agreement.SignScene,
            ["status"] = agreement.Status,
            ["sign_time"] = agreement.SignedAt is { } signed ? AlipayTime.Format(signed) : "",
            ["valid_time"] = agreement.SignedAt is { } valid ? AlipayTime.Format(valid) : "",
            ["invalid_time"] = agreement.UnsignedAt is { } ended ? AlipayTime.Format(ended) : AgreementInvalidTime,
            ["third_party_type"] = "PARTNER",
        };
        if (agreement.ExternalAgreementNo is { } external)
        {
            fields["external_agreement_no"] = external;
        }

        if (agreement.SingleAmountFen > 0)
        {
            fields["single_quota"] = AlipayTrade.FormatYuan(agreement.SingleAmountFen);
        }

        if (agreement.LastDeductAt is { } last)
        {
            fields["last_deduct_time"] = AlipayTime.Format(last);
        }

        if (agreement.PeriodType.Length > 0 && agreement.Status == AlipayAgreement.Normal)
        {
            fields["next_deduct_time"] = agreement.NextDeductDate;
        }

        return fields;
    }

    private Outcome UnsignAgreement(JsonObject biz)
    {
        var (agreement, failure) = FindAgreement(biz);
        if (failure is not null)
        {
            return failure;
        }

        if (agreement!.Status == AlipayAgreement.Unsign)
        {
            return AgreementNotExist();
        }

        EndAgreement(agreement);
        return new Outcome([], null);
    }

    /// <summary>The agreement ends (the merchant's unsign, or the buyer's in the Alipay app) and says so in <c>dut_user_unsign</c>.</summary>
    private void EndAgreement(AlipayAgreement agreement)
    {
        agreement.Status = AlipayAgreement.Unsign;
        agreement.UnsignedAt = _context.Clock.GetUtcNow().UtcDateTime;
        _agreements.Upsert(agreement);
        SendAgreementNotify(agreement, "dut_user_unsign");
    }

    /// <summary><c>executionplan.modify</c>: moves a 周期扣款 agreement's next deduction to <c>deduct_time</c>, today or later.</summary>
    private Outcome ModifyExecutionPlan(JsonObject biz)
    {
        if (Text(biz, "agreement_no") is null)
        {
            return AgreementParameter("agreement_no 不能为空");
        }

        var today = DateOnly.FromDateTime(_context.Clock.GetUtcNow().ToOffset(AlipayTime.China).DateTime);
        if (!DateOnly.TryParseExact(Text(biz, "deduct_time"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) || date < today)
        {
            return AgreementParameter("deduct_time 为 yyyy-MM-dd，不能早于今天");
        }

        var (agreement, failure) = FindAgreement(biz);
        if (failure is not null)
        {
            return failure;
        }

        if (agreement!.Status != AlipayAgreement.Normal || agreement.PeriodType.Length == 0)
        {
            return AlipayFailure.Business("AGREEMENT_STATUS_NOT_NORMAL", "只有状态为 NORMAL 的周期扣款协议可以修改扣款计划");
        }

        agreement.NextDeductDate = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _agreements.Upsert(agreement);
        return new Outcome(new JsonObject { ["agreement_no"] = agreement.Id, ["deduct_time"] = agreement.NextDeductDate }, null);
    }

    /// <summary>The buyer signed (on the sign page, or paying a trade that signs): the agreement takes effect and <c>dut_user_sign</c> goes out.</summary>
    private void Sign(AlipayAgreement agreement)
    {
        agreement.Status = AlipayAgreement.Normal;
        agreement.SignedAt = _context.Clock.GetUtcNow().UtcDateTime;
        if (agreement.AlipayUserId.Length == 0)
        {
            // Signed on the sign page by a buyer the sandbox makes up; signed with a payment, the payer already named.
            agreement.AlipayUserId = "2088" + Digits(12);
            agreement.AlipayLogonId = "sbx***@sandbox.example";
        }
        _agreements.Upsert(agreement);
        SendAgreementNotify(agreement, "dut_user_sign");
    }

    /// <summary>
    /// Queues <c>dut_user_sign</c> / <c>dut_user_unsign</c>: to the sign request's notify_url, else the merchant's
    /// webhook_url (the app's 应用网关), on the trade notifies' schedule.
    /// </summary>
    private void SendAgreementNotify(AlipayAgreement agreement, string notifyType)
    {
        var url = agreement.NotifyUrl.Length > 0 ? agreement.NotifyUrl : _context.Settings.Get(Name, ProviderSettings.WebhookUrl);
        if (string.IsNullOrEmpty(url))
        {
            return;
        }

        var notifyId = Secrets.RandomHex(16);
        _context.Notifier.Send(Name, agreement.Id, Policy, faults => [Notices.AgreementNotify(agreement, notifyType, url, notifyId, faults)]);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex ExternalAgreementText();

    [GeneratedRegex(@"^[A-Z0-9_]{1,30}\|[A-Z0-9_]{1,30}$")]
    private static partial Regex SceneText();
}
