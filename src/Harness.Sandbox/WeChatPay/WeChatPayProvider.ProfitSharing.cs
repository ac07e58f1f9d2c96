using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 分账 for an ordinary merchant (<c>/v3/profitsharing/…</c>): receivers, sharing requests, their query, unfreezing the
/// rest and the amount left. An order placed with <c>settle_info.profit_sharing: true</c> stays frozen once paid; each
/// sharing request is answered PROCESSING (receivers PENDING), as WeChat accepts it to process asynchronously, and the
/// sandbox processes it in the same unit: the query shows it FINISHED. Return orders: WeChatPayProvider.ProfitSharingReturns.cs;
/// the 服务商's sharing for a sub-merchant (<c>sub_mchid</c>) runs through the same code: WeChatPayProvider.PartnerProfitSharing.cs.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>Setting: the merchant's 最大分账比例, whole percent of the order amount (1 to 30; 30 when unset).</summary>
    public const string SharingRatioSetting = "profit_sharing_max_ratio";

    public const int MaxSharingRatio = 30;

    /// <summary>Test receivers whose sharing closes with ACCOUNT_ABNORMAL: a merchant number and an openid.</summary>
    public const string AbnormalMerchantReceiver = "1900009999";

    public const string AbnormalOpenIdReceiver = "oAbnormalAccount0000000000000";

    /// <summary>An ordinary merchant's order stays frozen 30 days after payment; then the rest is the merchant's (自动解冻).</summary>
    public static readonly TimeSpan FrozenPeriod = TimeSpan.FromDays(30);

    private const string MerchantId = "MERCHANT_ID";

    private const string PersonalOpenId = "PERSONAL_OPENID";

    private const string PersonalSubOpenId = "PERSONAL_SUB_OPENID";

    private const int MaxSharingRequests = 50;

    private const int MaxReceivers = 50;

    private static readonly string[] RelationTypes =
        ["SERVICE_PROVIDER", "STORE", "STAFF", "STORE_OWNER", "PARTNER", "HEADQUARTER", "BRAND", "DISTRIBUTOR", "USER", "SUPPLIER", "CUSTOM"];

    private readonly SharingRecords _sharing;

    private static string? RefuseSharingRatio(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 1 and <= MaxSharingRatio
            ? null
            : $"{SharingRatioSetting} must be a whole percent from 1 to {MaxSharingRatio}";

    private void MapProfitSharing(WebApplication app)
    {
        app.MapPost("/v3/profitsharing/receivers/add", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, (mchid, body) => AddReceiver(request.HttpContext, mchid, body)));
        app.MapPost("/v3/profitsharing/receivers/delete", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, DeleteReceiver));
        app.MapPost("/v3/profitsharing/orders", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, (mchid, body) => Share(request.HttpContext, mchid, body)));
        app.MapPost("/v3/profitsharing/orders/unfreeze", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, Unfreeze));
        app.MapGet("/v3/profitsharing/orders/{outOrderNo}", (HttpContext http, string outOrderNo) =>
            AuthenticatedAsync(http, (mchid, _) => QuerySharing(http, mchid, outOrderNo)));
        app.MapGet("/v3/profitsharing/transactions/{transactionId}/amounts", (HttpContext http, string transactionId) =>
            AuthenticatedAsync(http, (mchid, _) => UnsplitAmount(mchid, transactionId)));
        MapSharingReturns(app);
        MapPartnerSharing(app);
    }

    private IResult AddReceiver(HttpContext http, string mchid, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var subMchid = fields.OptionalText("sub_mchid", 32);
        var appid = fields.Text("appid", 32);
        var subAppid = fields.OptionalText("sub_appid", 32);
        var type = fields.Text("type", 32);
        var account = fields.Text("account", 64);
        var name = fields.OptionalText("name", 1024);
        var relation = fields.Text("relation_type", 32);
        var custom = fields.OptionalText("custom_relation", 10);
        var payer = new SharingPayer(mchid, subMchid);
        if ((fields.Refusal ?? RefusePayer(payer) ?? ReceiverRefusal(payer, appid, subAppid, type, account)) is { } refusal)
        {
            return refusal;
        }

        if (!RelationTypes.Contains(relation, StringComparer.Ordinal))
        {
            return WeChatPayErrors.Param("relation_type", "枚举值校验失败：应为" + string.Join("、", RelationTypes), relation);
        }

        if (relation == "CUSTOM" && custom is null)
        {
            return WeChatPayErrors.Missing("custom_relation");
        }

        if (type == MerchantId && name is null)
        {
            return WeChatPayErrors.Missing("name");
        }

        string? plainName = null;
        if (name is not null && (plainName = SensitiveText(http, "name", name, out var problem)) is null)
        {
            return problem!;
        }

        var receiver = new WeChatPaySharingReceiver
        {
            Id = WeChatPaySharingReceiver.KeyOf(payer.Key, type, account),
            Type = type,
            Account = account,
            Name = plainName,
            RelationType = relation,
            CustomRelation = relation == "CUSTOM" ? custom : null,
        };
        _sharing.Receivers.Upsert(receiver);
        var answer = payer.Answer();
        answer["type"] = type;
        answer["account"] = account;
        if (plainName is not null && _keys.MerchantKeyFor(_keys.MerchantSerialNo) is { } merchantKey)
        {
            // Sensitive fields in answers are encrypted for the merchant's own certificate (its private key opens them).
            answer["name"] = Convert.ToBase64String(merchantKey.Encrypt(Encoding.UTF8.GetBytes(plainName), RSAEncryptionPadding.OaepSHA1));
        }

        answer["relation_type"] = relation;
        if (receiver.CustomRelation is not null)
        {
            answer["custom_relation"] = receiver.CustomRelation;
        }

        return Json(answer);
    }

    /// <summary>Removing a receiver that was never added answers the same as removing one that was: the relation is gone either way.</summary>
    private IResult DeleteReceiver(string mchid, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var subMchid = fields.OptionalText("sub_mchid", 32);
        var appid = fields.Text("appid", 32);
        var subAppid = fields.OptionalText("sub_appid", 32);
        var type = fields.Text("type", 32);
        var account = fields.Text("account", 64);
        var payer = new SharingPayer(mchid, subMchid);
        if ((fields.Refusal ?? RefusePayer(payer) ?? ReceiverRefusal(payer, appid, subAppid, type, account)) is { } refusal)
        {
            return refusal;
        }

        _sharing.Receivers.Delete(WeChatPaySharingReceiver.KeyOf(payer.Key, type, account));
        var answer = payer.Answer();
        answer["type"] = type;
        answer["account"] = account;
        return Json(answer);
    }

    private IResult Share(HttpContext http, string mchid, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var subMchid = fields.OptionalText("sub_mchid", 32);
        var payer = new SharingPayer(mchid, subMchid);

        // A 服务商 names its appid only for PERSONAL_OPENID receivers, and sub_appid for PERSONAL_SUB_OPENID ones.
        var appid = payer.SubMchid is null ? fields.Text("appid", 32) : fields.OptionalText("appid", 32);
        var subAppid = fields.OptionalText("sub_appid", 32);
        var transactionId = fields.Text("transaction_id", 32);
        var outOrderNo = fields.Text("out_order_no", 64);
        if ((fields.Refusal ?? RefusePayer(payer)) is { } refusal)
        {
            return refusal;
        }

        if (request["receivers"] is not JsonArray receivers)
        {
            return request["receivers"] is null ? WeChatPayErrors.Missing("receivers") : WeChatPayErrors.Param("receivers", "类型错误：应为数组");
        }

        if (receivers.Count is 0 or > MaxReceivers)
        {
            return WeChatPayErrors.Param("receivers", $"数组长度错误：应为1到{MaxReceivers}个接收方");
        }

        if (request["unfreeze_unsplit"] is not { } unfreezeNode || unfreezeNode.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return request["unfreeze_unsplit"] is null ? WeChatPayErrors.Missing("unfreeze_unsplit") : WeChatPayErrors.Param("unfreeze_unsplit", "类型错误：应为布尔值");
        }

        var lines = new List<WeChatPaySharingLine>();
        foreach (var node in receivers)
        {
            if (SharingLine(http, payer, node, out var problem) is not { } line)
            {
                return problem!;
            }

            lines.Add(line);
        }

        return appid is not null && appid != _keys.AppidOf(payer.Mchid) ? WeChatPayErrors.InvalidRequest("appid和mch_id不匹配，请检查后再试")
            : LinesNeedApp(lines, appid, subAppid) is { } needed ? needed
            : !OutSharingNo().IsMatch(outOrderNo) ? WeChatPayErrors.Param("out_order_no", "格式错误：应为1-64位数字、大小写字母或_-|*@", outOrderNo)
            : _context.Store.Atomically(() => Share(payer, transactionId, outOrderNo, lines, unfreezeNode.GetValue<bool>(), request));
    }

    /// <summary>One unit: the checks against the order's sharing so far, then the 分账单 processed at once.</summary>
    private IResult Share(SharingPayer payer, string transactionId, string outOrderNo, List<WeChatPaySharingLine> lines, bool unfreezeRest, JsonObject request)
    {
        if (Repeated(payer, outOrderNo, request) is { } repeated)
        {
            return repeated;
        }

        if (SharableOrder(payer, transactionId, out var earlier) is not { } order)
        {
            return earlier!;
        }

        var sharing = _sharing.Orders.FindBy(nameof(WeChatPaySharingOrder.TransactionId), transactionId);
        if (sharing.Count >= MaxSharingRequests)
        {
            return WeChatPayErrors.InvalidRequest($"对同一笔订单最多能发起{MaxSharingRequests}次分账请求");
        }

        if (lines.Any(l => !(l.Type == MerchantId && l.Account == payer.Account) && _sharing.Receivers.Get(WeChatPaySharingReceiver.KeyOf(payer.Key, l.Type, l.Account)) is null))
        {
            return WeChatPayErrors.InvalidRequest("分账接收方关系不存在，请检查参数中每个接收方的关系");
        }

        var asked = lines.Sum(l => l.Amount);
        var shared = sharing.SelectMany(s => s.Receivers).Where(l => !l.Unfrozen && l.Result != WeChatPaySharingLine.Closed).Sum(l => l.Amount);
        if (shared + asked > order.Total * SharingRatio(payer.SubMchid) / 100)
        {
            return WeChatPayErrors.InvalidRequest("分账金额超出最大分账比例");
        }

        var unsplit = Unsplit(order, sharing);
        if (asked > unsplit)
        {
            return WeChatPayErrors.InvalidRequest("分账金额不足");
        }

        var now = _context.Clock.GetUtcNow().UtcDateTime;
        foreach (var line in lines)
        {
            // The sandbox's processing ends each line at once; the test receivers' accounts are abnormal.
            var abnormal = line.Account is AbnormalMerchantReceiver or AbnormalOpenIdReceiver;
            line.Result = abnormal ? WeChatPaySharingLine.Closed : WeChatPaySharingLine.Success;
            line.FailReason = abnormal ? "ACCOUNT_ABNORMAL" : null;
            line.FinishTime = now;
        }

        var left = unsplit - lines.Where(l => l.Result == WeChatPaySharingLine.Success).Sum(l => l.Amount);
        return Json(WeChatPaySharingResources.Order(Record(payer, outOrderNo, transactionId, lines, unfreezeRest ? left : null, request, now), asAccepted: true));
    }

    /// <summary>解冻剩余资金: what is left unsplit goes back to the merchant, one line to itself, and the order can be shared no more.</summary>
    private IResult Unfreeze(string mchid, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var payer = new SharingPayer(mchid, fields.OptionalText("sub_mchid", 32));
        var transactionId = fields.Text("transaction_id", 32);
        var outOrderNo = fields.Text("out_order_no", 64);
        fields.Text("description", 80);
        if ((fields.Refusal ?? RefusePayer(payer)) is { } refusal)
        {
            return refusal;
        }

        if (!OutSharingNo().IsMatch(outOrderNo))
        {
            return WeChatPayErrors.Param("out_order_no", "格式错误：应为1-64位数字、大小写字母或_-|*@", outOrderNo);
        }

        return _context.Store.Atomically(() =>
        {
            if (Repeated(payer, outOrderNo, request) is { } repeated)
            {
                return repeated;
            }

            if (SharableOrder(payer, transactionId, out var earlier) is not { } order)
            {
                return earlier!;
            }

            var unsplit = Unsplit(order, _sharing.Orders.FindBy(nameof(WeChatPaySharingOrder.TransactionId), transactionId));
            if (unsplit == 0)
            {
                return WeChatPayErrors.InvalidRequest("分账金额不足");
            }

            var now = _context.Clock.GetUtcNow().UtcDateTime;
            return Json(WeChatPaySharingResources.Order(Record(payer, outOrderNo, transactionId, [], unsplit, request, now), asAccepted: true));
        });
    }

    /// <summary>Stores a processed 分账单; <paramref name="unfreeze"/> adds the line that unfreezes that much to the payer itself (the merchant, or the sub-merchant).</summary>
    private WeChatPaySharingOrder Record(SharingPayer payer, string outOrderNo, string transactionId, List<WeChatPaySharingLine> lines, long? unfreeze, JsonObject request, DateTime now)
    {
        if (unfreeze is > 0)
        {
            lines.Add(new WeChatPaySharingLine
            {
                Type = MerchantId, Account = payer.Account, Amount = unfreeze.Value, Description = "解冻给分账方",
                Result = WeChatPaySharingLine.Success, FinishTime = now, Unfrozen = true,
            });
        }

        foreach (var line in lines)
        {
            line.DetailId = "3600" + Digits(25);
        }

        var order = new WeChatPaySharingOrder
        {
            Id = payer.Key + "/" + outOrderNo,
            SubMchid = payer.SubMchid,
            OrderId = "3008" + Digits(24),
            TransactionId = transactionId,
            State = WeChatPaySharingOrder.Finished,
            Unfreezes = unfreeze is not null,
            Receivers = lines,
            RequestJson = request.ToJsonString(),
            CreateTime = now,
        };
        _sharing.Orders.Upsert(order);
        return order;
    }

    /// <summary>An out_order_no used before: the same body answers that 分账单 as it is now, another body is refused.</summary>
    private IResult? Repeated(SharingPayer payer, string outOrderNo, JsonObject request) =>
        _sharing.Orders.Get(payer.Key + "/" + outOrderNo) is not { } existing ? null
        : JsonNode.DeepEquals(JsonNode.Parse(existing.RequestJson), request) ? Json(WeChatPaySharingResources.Order(existing))
        : WeChatPayErrors.InvalidRequest("商户分账单号已存在，且与原分账请求参数不一致");

    /// <summary>
    /// Fen still frozen for 分账: the order less its refunds and what was shared; none once unfrozen (by request or
    /// after <see cref="FrozenPeriod"/>). Refunds and closed lines are read live, so a CLOSED refund gives its amount back.
    /// </summary>
    private long Unsplit(WeChatPayOrder order, IReadOnlyList<WeChatPaySharingOrder> sharing) =>
        !order.ProfitSharing || sharing.Any(s => s.Unfreezes) || !StillFrozen(order)
            ? 0
            : Math.Max(0, order.Total - order.Refunded - sharing.Sum(s => s.Moved));

    /// <summary>A refund of an order still frozen for 分账 may take no more than what is unsplit (Refunds.cs asks).</summary>
    private IResult? RefundBeyondUnsplit(WeChatPayOrder order, long refund) =>
        order.ProfitSharing
        && _sharing.Orders.FindBy(nameof(WeChatPaySharingOrder.TransactionId), order.TransactionId!) is var sharing
        && !sharing.Any(s => s.Unfreezes) && StillFrozen(order)
        && refund > Unsplit(order, sharing)
            ? WeChatPayErrors.Of(403, "RULE_LIMIT", "申请退款金额大于剩余未分账金额，请等待分账完成后再试")
            : null;

    private bool StillFrozen(WeChatPayOrder order) =>
        _context.Clock.GetUtcNow() < new DateTimeOffset(DateTime.SpecifyKind(order.SuccessTime!.Value, DateTimeKind.Utc)) + FrozenPeriod;

    private IResult QuerySharing(HttpContext http, string mchid, string outOrderNo)
    {
        var transactionId = http.Request.Query["transaction_id"].ToString();
        if (QueriedPayer(http, mchid, out var payer) is { } refusal)
        {
            return refusal;
        }

        if (transactionId.Length == 0)
        {
            return WeChatPayErrors.Missing("transaction_id", "query");
        }

        return _sharing.Orders.Get(payer.Key + "/" + outOrderNo) is { } order && order.TransactionId == transactionId
            ? Json(WeChatPaySharingResources.Order(order))
            : WeChatPayErrors.Of(404, "RESOURCE_NOT_EXISTS", "记录不存在");
    }

    /// <summary>查询剩余待分金额 names only the transaction_id, so it answers for the merchant's orders and its sub-merchants' alike.</summary>
    private IResult UnsplitAmount(string mchid, string transactionId) =>
        SharableOrder(new SharingPayer(mchid, FindAnyByTransactionId(mchid, transactionId)?.SubMchid), transactionId, out var refusal) is { } order
            ? Json(new JsonObject
            {
                ["transaction_id"] = transactionId,
                ["unsplit_amount"] = Unsplit(order, _sharing.Orders.FindBy(nameof(WeChatPaySharingOrder.TransactionId), transactionId)),
            })
            : refusal!;

    /// <summary>One element of <c>receivers</c>: type, account, name (encrypted, optional), amount in fen, description.</summary>
    private WeChatPaySharingLine? SharingLine(HttpContext http, SharingPayer payer, JsonNode? node, out IResult? problem)
    {
        if (node is not JsonObject element)
        {
            problem = WeChatPayErrors.Param("receivers", "类型错误：数组元素应为对象");
            return null;
        }

        var fields = new WeChatPayFields(element);
        var type = fields.Text("type", 32);
        var account = fields.Text("account", 64);
        var name = fields.OptionalText("name", 1024);
        var description = fields.Text("description", 80);
        var amountRefusal = FenRefusal(element["amount"], "receivers.amount", out var amount);
        problem = fields.Refusal
            ?? ReceiverTypeRefusal(payer, "receivers.type", type)
            ?? amountRefusal;
        if (problem is null && name is not null)
        {
            SensitiveText(http, "receivers.name", name, out problem);
        }

        return problem is null ? new WeChatPaySharingLine { Type = type, Account = account, Amount = amount, Description = description } : null;
    }

    /// <summary>A field encrypted for the key <c>Wechatpay-Serial</c> names, opened; null and the refusal when it does not open.</summary>
    private string? SensitiveText(HttpContext http, string field, string cipher, out IResult? problem)
    {
        var serial = http.Request.Headers["Wechatpay-Serial"].ToString();
        var key = serial.Length == 0 ? null : _keys.SensitiveFieldKey(serial);
        var text = key is null ? null : Decrypt(key, cipher);
        problem = serial.Length == 0 ? WeChatPayErrors.Missing("Wechatpay-Serial", "header")
            : key is null ? WeChatPayErrors.Param("Wechatpay-Serial", "无效：不是微信支付平台证书序列号或微信支付公钥ID", serial, "header")
            : string.IsNullOrEmpty(text) ? WeChatPayErrors.Param(field, "解密失败：应为用Wechatpay-Serial所指公钥以RSA-OAEP加密后的Base64")
            : null;
        return problem is null ? text : null;
    }

    [GeneratedRegex("^[0-9A-Za-z_\\-|*@]{1,64}$")]
    private static partial Regex OutSharingNo();
}
