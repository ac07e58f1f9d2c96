using Harness.Storage;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 重试扣费通知 (<c>POST /v3/papay/contracts/{contract_id}/fail-notify</c>, the 服务商's
/// <c>/v3/partner-papay/contracts/{contract_id}/fail-notify</c>): after a deduction of a 扣费预通知 cycle failed within
/// its 可扣费期, the merchant may remind the user, in the notice hours, to top up before the next try. WeChat sends the
/// reminder to the user; the cycle itself is unchanged: the retry is a deduction within the same 可扣费期, at most the
/// estimated amount.
/// </summary>
public sealed partial class WeChatPayProvider
{
    private IResult NotifyRetry(string mchid, string contractId, byte[] body, bool partner)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var bodyMchid = fields.Text(partner ? "sp_mchid" : "mchid", 32);
        var party = PapayParty.Read(fields, partner);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if ((RefuseBodyMchid(bodyMchid, mchid, partner) ?? RefuseParty(mchid, party)) is { } other)
        {
            return other;
        }

        var now = _context.Clock.GetUtcNow();
        var today = WeChatPayContract.ChinaDay(now);
        return _context.Store.Atomically(() =>
        {
            if (NoticeContract(mchid, party, contractId, now, "重试扣费通知", out var contract) is { } refused)
            {
                return refused;
            }

            if (contract.NoticeDate is null || contract.NoticePaid || contract.NoticePeriod() is var (first, last) && (today < first || today > last))
            {
                return WeChatPayErrors.InvalidRequest("不在可扣费期内，不能发送重试扣费通知");
            }

            return contract.NoticeFailed
                ? Results.NoContent()
                : WeChatPayErrors.InvalidRequest("可扣费期内没有扣费失败的扣款，不能发送重试扣费通知");
        });
    }

    /// <summary>
    /// The contract a 扣费预通知 or 重试扣费通知 is about, inside the caller's unit: the caller's own, signed, of the 周期扣费
    /// template (WeChat's words for a 预约扣费 one), and now within the notice hours, 7:00 to 22:00 China time.
    /// </summary>
    private IResult? NoticeContract(string mchid, PapayParty party, string contractId, DateTimeOffset now, string notice, out WeChatPayContract contract)
    {
        (var found, var missing) = ContractById(mchid, party.SubMchid, contractId);
        contract = found!;
        if ((missing ?? RefuseContractUse(contract, party)) is { } refused)
        {
            return refused;
        }

        if (contract.ScheduleState is not null)
        {
            return WeChatPayErrors.InvalidRequest($"当前签约的模板不是周期扣费类型，不能下发{notice}");
        }

        var timeOfDay = now.ToOffset(WeChatPayResources.ChinaOffset).TimeOfDay;
        return timeOfDay < NoticeOpens || timeOfDay >= NoticeCloses
            ? WeChatPayErrors.InvalidRequest($"不在可通知时间段内：只能在北京时间7:00至22:00发送{notice}")
            : null;
    }

    /// <summary>The body's mchid (sp_mchid for a 服务商) is the signer's.</summary>
    private static IResult? RefuseBodyMchid(string bodyMchid, string mchid, bool partner) =>
        bodyMchid == mchid ? null : WeChatPayErrors.InvalidRequest($"请求中的{(partner ? "sp_mchid" : "mchid")}与Authorization中的商户号不一致");
}
