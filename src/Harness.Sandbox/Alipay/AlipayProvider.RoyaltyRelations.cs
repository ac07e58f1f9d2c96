using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// 分账关系 (the merchant's 分账关系集): <c>alipay.trade.royalty.relation.bind</c>, <c>.unbind</c> and <c>.batchquery</c>,
/// and <c>alipay.trade.royalty.rate.query</c>, the share of a trade the merchant may settle to receivers.
/// </summary>
public sealed partial class AlipayProvider
{
    public const string RoyaltyBind = "alipay.trade.royalty.relation.bind";
    public const string RoyaltyUnbind = "alipay.trade.royalty.relation.unbind";
    public const string RoyaltyBatchQuery = "alipay.trade.royalty.relation.batchquery";
    public const string RoyaltyRateQuery = "alipay.trade.royalty.rate.query";

    /// <summary>The merchant's 分账比例 in percent (alipay.trade.royalty.rate.query's max_ratio).</summary>
    public const string RoyaltyMaxRatioSetting = "royalty_max_ratio";

    /// <summary>Alipay's usual 商家分账 ratio when the merchant sets none: 30% of a trade.</summary>
    public const int DefaultRoyaltyMaxRatio = 30;

    /// <summary>The sandbox's bound on one bind or unbind call's receiver_list.</summary>
    private const int MaxReceiversPerCall = 20;

    private static readonly string[] ReceiverTypes = ["userId", "loginName", "openId"];

    private readonly IDocumentCollection<AlipayRoyaltyReceiver> _receivers;

    private static string? RefuseRoyaltyMaxRatio(string value) => RoyaltyMaxRatio(value) is null
        ? $"{RoyaltyMaxRatioSetting} must be a whole percentage from 1 to 100; remove it for {DefaultRoyaltyMaxRatio}"
        : null;

    private static int? RoyaltyMaxRatio(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 1 and <= 100 ? ratio : null;

    private int MaxRatio() =>
        _context.Settings.Get(Name, RoyaltyMaxRatioSetting) is { } text && RoyaltyMaxRatio(text) is { } set ? set : DefaultRoyaltyMaxRatio;

    private Outcome BindReceivers(JsonObject biz, bool bind)
    {
        if (RequestNumber(biz) is { } refused)
        {
            return refused;
        }

        if (biz["receiver_list"] is not JsonArray { Count: > 0 and <= MaxReceiversPerCall } list)
        {
            return AlipayFailure.InvalidParameter($"receiver_list 不能为空，且最多 {MaxReceiversPerCall} 个分账接收方");
        }

        var receivers = new List<AlipayRoyaltyReceiver>();
        foreach (var item in list)
        {
            if (item is not JsonObject entry)
            {
                return AlipayFailure.InvalidParameter("receiver_list 的每一项须为 JSON 对象");
            }

            var (receiver, failure) = ReadReceiver(entry);
            if (failure is not null)
            {
                return failure;
            }

            receivers.Add(receiver!);
        }

        var next = bind ? _receivers.All().Select(r => r.Position).DefaultIfEmpty(0).Max() + 1 : 0;
        foreach (var receiver in receivers)
        {
            if (!bind)
            {
                _receivers.Delete(receiver.Id); // unbinding one that is not bound changes nothing and succeeds
                continue;
            }

            // Binding again updates the receiver's details and keeps its place in the list.
            receiver.Position = _receivers.Get(receiver.Id)?.Position ?? next++;
            _receivers.Upsert(receiver);
        }

        return new Outcome(new JsonObject { ["result_code"] = "SUCCESS" }, null);
    }

    private static (AlipayRoyaltyReceiver? Receiver, AlipayFailure? Failure) ReadReceiver(JsonObject entry)
    {
        var type = Text(entry, "type");
        if (type is null || !ReceiverTypes.Contains(type))
        {
            return (null, AlipayFailure.InvalidParameter("receiver_list.type 只能是 userId、loginName 或 openId"));
        }

        if (Text(entry, "account") is not { } account || !IsReceiverAccount(type, account))
        {
            return (null, AlipayFailure.InvalidParameter("receiver_list.account 不合法：userId 是2088开头的16位数字，loginName 最长100个字符，openId 最长128个字符"));
        }

        string? Optional(string key, int max) => entry[key] is null ? "" : Text(entry, key) is { } text && text.Length <= max ? text : null;

        var name = Optional("name", 64);
        var memo = Optional("memo", 1000);
        var openId = Optional("account_open_id", 128);
        var loginName = Optional("login_name", 100);
        var bindLoginName = Optional("bind_login_name", 100);
        if (name is null || memo is null || openId is null || loginName is null || bindLoginName is null)
        {
            return (null, AlipayFailure.InvalidParameter("receiver_list 的 name（最长64）、memo（最长1000）、account_open_id（最长128）、login_name、bind_login_name（最长100）须为字符串"));
        }

        // A login name is checked against the account holder's real name, so it is bound with one.
        if (type == "loginName" && name.Length == 0)
        {
            return (null, AlipayFailure.InvalidParameter("type 为 loginName 时 name 必填"));
        }

        return (new AlipayRoyaltyReceiver
        {
            Id = AlipayRoyaltyReceiver.KeyOf(type, account),
            Type = type,
            Account = account,
            AccountOpenId = openId,
            Name = name,
            Memo = memo,
            LoginName = loginName,
            BindLoginName = bindLoginName,
        }, null);
    }

    private static bool IsReceiverAccount(string type, string account) => type switch
    {
        "userId" => BuyerIdText().IsMatch(account),
        "loginName" => account.Length is > 0 and <= 100,
        _ => account.Length is > 0 and <= 128,
    };

    private Outcome QueryReceivers(JsonObject biz)
    {
        if (RequestNumber(biz) is { } refused)
        {
            return refused;
        }

        var pageNum = PageField(biz, "page_num", 1, int.MaxValue);
        var pageSize = PageField(biz, "page_size", 20, 100);
        if (pageNum is null || pageSize is null)
        {
            return AlipayFailure.InvalidParameter("page_num 须为正整数，page_size 须为 1 到 100 的整数");
        }

        var all = _receivers.All().OrderBy(r => r.Position).ToList();
        var page = all.Skip((int)Math.Min((long)(pageNum.Value - 1) * pageSize.Value, int.MaxValue)).Take(pageSize.Value);
        var receivers = new JsonArray();
        foreach (var receiver in page)
        {
            var fields = new JsonObject { ["type"] = receiver.Type, ["account"] = receiver.Account };
            foreach (var (key, value) in new[] { ("account_open_id", receiver.AccountOpenId), ("name", receiver.Name), ("memo", receiver.Memo), ("login_name", receiver.LoginName), ("bind_login_name", receiver.BindLoginName) })
            {
                if (value.Length > 0)
                {
                    fields[key] = value;
                }
            }

            receivers.Add(fields);
        }

        return new Outcome(new JsonObject
        {
            ["result_code"] = "SUCCESS",
            ["receiver_list"] = receivers,
            ["total_page_num"] = (all.Count + pageSize.Value - 1) / pageSize.Value,
            ["total_record_num"] = all.Count,
            ["current_page_num"] = pageNum.Value,
            ["current_page_size"] = pageSize.Value,
        }, null);
    }

    private Outcome QueryRoyaltyRate(JsonObject biz) =>
        RequestNumber(biz) is { } refused
            ? refused
            : new Outcome(new JsonObject { ["user_id"] = SellerId, ["max_ratio"] = MaxRatio() }, null);

    /// <summary>The out_request_no every 分账关系 call carries; the refusal when it is missing or malformed.</summary>
    private static AlipayFailure? RequestNumber(JsonObject biz) =>
        Text(biz, "out_request_no") is { } number && AlipayTrade.IsMerchantNumber(number)
            ? null
            : AlipayFailure.InvalidParameter("out_request_no 不能为空，且只能是64位以内的字母、数字和下划线");

    /// <summary>A paging field as a JSON number or digits; its default when absent, null when out of range.</summary>
    private static int? PageField(JsonObject biz, string key, int fallback, int max) => biz[key] is null
        ? fallback
        : Text(biz, key) is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max ? value : null;

    /// <summary>
    /// A flag of <c>extend_params</c>: <c>royalty_freeze</c>, which every creating method takes ("true" freezes the paid
    /// money for 分账), or a settle's <c>royalty_finish</c>. "true" or "false" as Alipay's string, or a JSON boolean;
    /// false when absent; null when extend_params is not an object or the flag is anything else.
    /// </summary>
    private static bool? ExtendFlag(JsonObject biz, string flag) => biz["extend_params"] switch
    {
        null => false,
        JsonObject extend => extend[flag] switch
        {
            null => false,
            JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>() switch { "true" => true, "false" => false, _ => null },
            _ => null,
        },
        _ => null,
    };
}
