using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 商家转账 (the 2025 transfer-bills API): the merchant pays a user's WeChat balance from its operation account (运营账户).
/// A transfer waits for the user to confirm it in WeChat (<c>wx.requestMerchantTransfer</c>, played by
/// WeChatPayProvider.TransferUser.cs), may be cancelled by the merchant until then, and is closed by WeChat after
/// 24 hours unconfirmed. The account holds <c>transfer_float</c> fen; a transfer takes its amount until it fails or is
/// cancelled.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>Setting: the operation account's funds in fen (default <see cref="DefaultTransferFloat"/>).</summary>
    public const string TransferFloatSetting = "transfer_float";

    /// <summary>100,000 yuan: enough for any demo, small enough that a test can run it dry.</summary>
    public const long DefaultTransferFloat = 10_000_000;

    /// <summary>WeChat's smallest transfer, 0.1 yuan.</summary>
    public const long MinTransferFen = 10;

    /// <summary>From 2,000 yuan on, the payee's real name (user_name) is required.</summary>
    public const long NamedTransferFen = 200_000;

    private const string BillsPath = "/v3/fund-app/mch-transfer/transfer-bills";

    private readonly IDocumentCollection<WeChatPayTransfer> _transfers;

    private readonly IDocumentCollection<WeChatPayOperationAccount> _operationAccounts;

    private static string? RefuseTransferFloat(string value) => TransferFloat(value) is null
        ? $"{TransferFloatSetting} must be a whole number of fen from 0 to {long.MaxValue / 2}"
        : null;

    private static long? TransferFloat(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var fen) && fen <= long.MaxValue / 2 ? fen : null;

    private void MapTransfers(WebApplication app)
    {
        app.MapPost(BillsPath, (HttpRequest request) => AuthenticatedAsync(request.HttpContext, (mchid, body) => CreateTransfer(request.HttpContext, mchid, body)));
        app.MapGet(BillsPath + "/out-bill-no/{outBillNo}", (HttpContext http, string outBillNo) =>
            AuthenticatedAsync(http, (mchid, _) => TransferBill(_transfers.Get(TransferKey(mchid, outBillNo)))));
        app.MapGet(BillsPath + "/transfer-bill-no/{transferBillNo}", (HttpContext http, string transferBillNo) =>
            AuthenticatedAsync(http, (mchid, _) => TransferBill(_transfers.FindBy(nameof(WeChatPayTransfer.TransferBillNo), transferBillNo).FirstOrDefault(t => t.Mchid == mchid))));
        app.MapPost(BillsPath + "/out-bill-no/{outBillNo}/cancel", (HttpContext http, string outBillNo) =>
            AuthenticatedAsync(http, (mchid, _) => CancelTransfer(mchid, outBillNo)));
        app.MapGet("/v3/merchant/fund/balance/{accountType}", (HttpContext http, string accountType) =>
            AuthenticatedAsync(http, (mchid, _) => Balance(mchid, accountType)));
        MapTransferUser(app);
    }

    private IResult CreateTransfer(HttpContext http, string mchid, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var appid = fields.Text("appid", 32);
        var outBillNo = fields.Text("out_bill_no", 32);
        var sceneId = fields.Text("transfer_scene_id", 36);
        var openid = fields.Text("openid", 64);
        var userName = fields.OptionalText("user_name", 1024);
        var remark = fields.Text("transfer_remark", 32);
        var notifyUrl = fields.OptionalText("notify_url", 256);
        fields.OptionalText("user_recv_perception", 32);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        var amountProblem = TransferAmount(request, out var amount);
        var problem = !TransferNumber().IsMatch(outBillNo) ? WeChatPayErrors.Param("out_bill_no", "格式错误：应为1-32位数字或大小写字母", outBillNo)
            : !sceneId.All(char.IsAsciiDigit) ? WeChatPayErrors.Param("transfer_scene_id", "格式错误：应为转账场景ID（数字）", sceneId)
            : notifyUrl is not null && !HttpUrl.IsValid(notifyUrl) ? WeChatPayErrors.Param("notify_url", "格式错误：应为http(s)地址", notifyUrl)
            : amountProblem ?? SceneReport(request["transfer_scene_report_infos"]);
        if (problem is not null)
        {
            return problem;
        }

        if (appid != _keys.AppidOf(mchid))
        {
            return WeChatPayErrors.InvalidRequest("appid和mch_id不匹配，请检查后再试");
        }

        if (amount < MinTransferFen)
        {
            return WeChatPayErrors.InvalidRequest("超过单笔转账上下限，核实产品设置是否准确");
        }

        if (userName is null && amount >= NamedTransferFen)
        {
            return WeChatPayErrors.Param("user_name", "必填性规则校验失败：转账金额大于等于2000元时必须填写收款用户姓名");
        }

        if (userName is not null)
        {
            if (PayeeName(http, userName, out var nameProblem) is not { } name)
            {
                return nameProblem!;
            }

            request["user_name"] = name;
        }

        return _context.Store.Atomically<IResult>(() =>
        {
            var key = TransferKey(mchid, outBillNo);
            if (_transfers.Get(key) is { } earlier)
            {
                return JsonNode.DeepEquals(JsonNode.Parse(earlier.RequestJson), request)
                    ? Json(earlier.Created())
                    : WeChatPayErrors.InvalidRequest("商户单号已存在，且与原转账请求参数不一致");
            }

            var account = _operationAccounts.Get(mchid) ?? new WeChatPayOperationAccount { Id = mchid };
            if (account.Held + amount > TransferFloat())
            {
                return WeChatPayErrors.Of(403, "NOT_ENOUGH", "资金不足：商户运营账户余额不足，请充值后原单重试");
            }

            var now = _context.Clock.GetUtcNow().UtcDateTime;
            var transfer = new WeChatPayTransfer
            {
                Id = key,
                Mchid = mchid,
                OutBillNo = outBillNo,
                TransferBillNo = WeChatPayTransfer.NewTransferBillNo(),
                PackageInfo = WeChatPayTransfer.NewPackageInfo(),
                Appid = appid,
                Openid = openid,
                Amount = amount,
                Remark = remark,
                NotifyUrl = notifyUrl,
                CreateTime = now,
                UpdateTime = now,
                ExpiresAt = now + TransferConfirmWindow,
                RequestJson = request.ToJsonString(),
            };
            account.Held += amount;
            _operationAccounts.Upsert(account);
            _transfers.Upsert(transfer);
            return Json(transfer.Created());
        });
    }

    private static IResult TransferBill(WeChatPayTransfer? transfer) =>
        transfer is null ? WeChatPayErrors.Of(404, "NOT_FOUND", "记录不存在") : Json(transfer.Bill());

    /// <summary>
    /// 撤销转账: before the user has confirmed, answered CANCELING; the sandbox then ends it CANCELLED at once, the amount
    /// back in the account, with MCHTRANSFER.BILL.FINISHED. Cancelling a cancelled one answers it again.
    /// </summary>
    private IResult CancelTransfer(string mchid, string outBillNo) => _context.Store.Atomically<IResult>(() =>
    {
        if (_transfers.Get(TransferKey(mchid, outBillNo)) is not { } transfer)
        {
            return WeChatPayErrors.Of(404, "NOT_FOUND", "记录不存在");
        }

        if (transfer.State is WeChatPayTransfer.Success or WeChatPayTransfer.Fail)
        {
            return WeChatPayErrors.InvalidRequest($"转账单状态为{transfer.State}，已是终态，不能撤销");
        }

        var answer = new JsonObject { ["out_bill_no"] = transfer.OutBillNo, ["transfer_bill_no"] = transfer.TransferBillNo };
        if (transfer.State == WeChatPayTransfer.WaitUserConfirm)
        {
            answer["state"] = WeChatPayTransfer.Canceling;
            FinishTransfer(transfer, WeChatPayTransfer.Cancelled, null, _context.Clock.GetUtcNow().UtcDateTime);
        }
        else
        {
            answer["state"] = transfer.State;
        }

        answer["update_time"] = WeChatPayResources.China(transfer.UpdateTime);
        return Json(answer);
    });

    /// <summary>
    /// 查询账户实时余额 of the operation account, the one transfers take from: transfer_float less what transfers hold.
    /// The basic and fees accounts are not simulated.
    /// </summary>
    private IResult Balance(string mchid, string accountType)
    {
        if (accountType != "OPERATION")
        {
            return WeChatPayErrors.Param("account_type", accountType is "BASIC" or "FEES" ? "沙箱只模拟运营账户（OPERATION）" : "枚举值校验失败：应为BASIC、OPERATION或FEES", accountType, "path");
        }

        var held = _operationAccounts.Get(mchid)?.Held ?? 0;
        return Json(new JsonObject { ["available_amount"] = Math.Max(0, TransferFloat() - held), ["pending_amount"] = 0 });
    }

    private long TransferFloat() =>
        _context.Settings.Get(Name, TransferFloatSetting) is { } text && TransferFloat(text) is { } fen ? fen : DefaultTransferFloat;

    /// <summary><c>transfer_amount</c>: a whole number of fen, 1 to 2³¹−1 (the 0.1 yuan minimum is a business rule, checked after).</summary>
    private static IResult? TransferAmount(JsonObject request, out long amount)
    {
        amount = 0;
        var node = request["transfer_amount"];
        if (node is null)
        {
            return WeChatPayErrors.Missing("transfer_amount");
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue(out amount) || amount is < 1 or > WeChatPayFields.MaxFen)
        {
            return WeChatPayErrors.Param("transfer_amount", $"取值错误：应为1到{WeChatPayFields.MaxFen}的整数（单位：分）", node.ToJsonString());
        }

        return null;
    }

    /// <summary><c>transfer_scene_report_infos</c>: one or more <c>{info_type, info_content}</c>, as the scene's report asks.</summary>
    private static IResult? SceneReport(JsonNode? node)
    {
        const string Field = "transfer_scene_report_infos";
        if (node is null)
        {
            return WeChatPayErrors.Missing(Field);
        }

        if (node is not JsonArray { Count: > 0 and <= 10 } infos)
        {
            return WeChatPayErrors.Param(Field, "类型错误：应为1-10个{info_type, info_content}对象的数组");
        }

        foreach (var info in infos)
        {
            if (info is not JsonObject entry)
            {
                return WeChatPayErrors.Param(Field, "类型错误：每一项应为{info_type, info_content}对象");
            }

            var fields = new WeChatPayFields(entry);
            fields.Text("info_type", 15);
            fields.Text("info_content", 32);
            if (fields.Refusal is not null)
            {
                return WeChatPayErrors.Param(Field, "每一项的info_type（最多15个字符）和info_content（最多32个字符）必填");
            }
        }

        return null;
    }

    /// <summary><c>user_name</c> decrypted with the key <c>Wechatpay-Serial</c> names, as 发起异常退款's fields are.</summary>
    private string? PayeeName(HttpContext http, string encrypted, out IResult? problem)
    {
        var serial = http.Request.Headers["Wechatpay-Serial"].ToString();
        problem = serial.Length == 0 ? WeChatPayErrors.Missing("Wechatpay-Serial", "header")
            : _keys.SensitiveFieldKey(serial) is null ? WeChatPayErrors.Param("Wechatpay-Serial", "无效：不是微信支付平台证书序列号或微信支付公钥ID", serial, "header")
            : null;
        if (problem is not null)
        {
            return null;
        }

        var name = Decrypt(_keys.SensitiveFieldKey(serial)!, encrypted);
        problem = name is { Length: > 0 } ? null : WeChatPayErrors.Param("user_name", "解密失败：应为用Wechatpay-Serial所指公钥以RSA-OAEP加密后的Base64");
        return problem is null ? name : null;
    }

    private static string TransferKey(string mchid, string outBillNo) => mchid + "/" + outBillNo;

    [GeneratedRegex("^[0-9A-Za-z]{1,32}$")]
    private static partial Regex TransferNumber();
}
