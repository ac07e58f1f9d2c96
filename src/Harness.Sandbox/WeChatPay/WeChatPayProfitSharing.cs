using System.Text.Json.Nodes;
using Harness.Storage;

namespace Harness.Sandbox.WeChatPay;

/// <summary>A 分账接收方 the merchant added (<c>/v3/profitsharing/receivers/add</c>); deleting it removes the document.</summary>
public sealed class WeChatPaySharingReceiver : IDocument
{
    /// <summary><c>mchid/type/account</c>, or <c>mchid/sub_mchid/type/account</c> for a sub-merchant's receiver (服务商 mode).</summary>
    public string Id { get; set; } = "";

    public string Type { get; set; } = "";

    public string Account { get; set; } = "";

    /// <summary>The decrypted 全称 or 姓名, kept to answer it encrypted again; null when a person was added without one.</summary>
    public string? Name { get; set; }

    public string RelationType { get; set; } = "";

    public string? CustomRelation { get; set; }

    public static string KeyOf(string mchid, string type, string account) => $"{mchid}/{type}/{account}";
}

/// <summary>
/// A 分账单: a request to share (<c>/v3/profitsharing/orders</c>) or to unfreeze the rest
/// (<c>/v3/profitsharing/orders/unfreeze</c>), with one line per receiver.
/// </summary>
public sealed class WeChatPaySharingOrder : IDocument
{
    public const string Processing = "PROCESSING";
    public const string Finished = "FINISHED";

    /// <summary><c>mchid/out_order_no</c>, or <c>mchid/sub_mchid/out_order_no</c> when the 服务商 shares a sub-merchant's order.</summary>
    public string Id { get; set; } = "";

    /// <summary>服务商 mode: the sub-merchant whose order is shared (分账方); null for the merchant's own.</summary>
    public string? SubMchid { get; set; }

    /// <summary>WeChat's 微信分账单号, <c>order_id</c> (indexed: a return order may name it instead of out_order_no).</summary>
    public string OrderId { get; set; } = "";

    /// <summary>The paid order's transaction_id (indexed: the order's sharing so far is read through it).</summary>
    public string TransactionId { get; set; } = "";

    public string State { get; set; } = Processing;

    /// <summary>True when this request unfroze what was left (unfreeze_unsplit, or the unfreeze route).</summary>
    public bool Unfreezes { get; set; }

    public List<WeChatPaySharingLine> Receivers { get; set; } = [];

    /// <summary>The request as received, to tell a repeated request from a conflicting one.</summary>
    public string RequestJson { get; set; } = "";

    public DateTime CreateTime { get; set; }

    public string OutOrderNo => Id[(Id.LastIndexOf('/') + 1)..];

    /// <summary>Whose 分账单 it is: <c>mchid</c> or <c>mchid/sub_mchid</c> (out_order_no holds no slash).</summary>
    public string Owner => Id[..Id.LastIndexOf('/')];

    /// <summary>Fen this request moved out of the order's frozen amount: shared lines that did not close, and the unfrozen rest.</summary>
    public long Moved => Receivers.Where(r => r.Result != WeChatPaySharingLine.Closed).Sum(r => r.Amount);
}

/// <summary>One receiver's line of a 分账单.</summary>
public sealed class WeChatPaySharingLine
{
    public const string Pending = "PENDING";
    public const string Success = "SUCCESS";
    public const string Closed = "CLOSED";

    public string Type { get; set; } = "";

    public string Account { get; set; } = "";

    /// <summary>Fen.</summary>
    public long Amount { get; set; }

    public string Description { get; set; } = "";

    public string Result { get; set; } = Pending;

    public string? FailReason { get; set; }

    public string DetailId { get; set; } = "";

    public DateTime? FinishTime { get; set; }

    /// <summary>The line of 解冻剩余资金: the rest back to the merchant itself, not a share (outside the ratio, never returned).</summary>
    public bool Unfrozen { get; set; }

    /// <summary>Fen returned from this receiver so far (分账回退).</summary>
    public long Returned { get; set; }

    /// <summary>Fen held by returns still PROCESSING: not returned yet, but no longer returnable by another.</summary>
    public long Reserved { get; set; }
}

/// <summary>A 分账回退单 (<c>/v3/profitsharing/return-orders</c>).</summary>
public sealed class WeChatPaySharingReturn : IDocument
{
    public const string Processing = "PROCESSING";
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";

    /// <summary><c>mchid/out_return_no</c>, or <c>mchid/sub_mchid/out_return_no</c> in 服务商 mode.</summary>
    public string Id { get; set; } = "";

    public string ReturnId { get; set; } = "";

    /// <summary>The 分账单's id (<see cref="WeChatPaySharingOrder.Id"/>).</summary>
    public string SharingOrder { get; set; } = "";

    public string ReturnMchid { get; set; } = "";

    /// <summary>Fen.</summary>
    public long Amount { get; set; }

    public string Description { get; set; } = "";

    public string Result { get; set; } = Success;

    /// <summary>Why it FAILED: ACCOUNT_ABNORMAL, TIME_OUT_CLOSED, PAYER_ACCOUNT_ABNORMAL or INVALID_REQUEST.</summary>
    public string? FailReason { get; set; }

    /// <summary>While PROCESSING: the fail_reason it ends with, or null to succeed.</summary>
    public string? Outcome { get; set; }

    /// <summary>While PROCESSING: when it ends, on the sandbox clock.</summary>
    public DateTime? SettlesAt { get; set; }

    /// <summary>The due-work key of a return still PROCESSING (indexed), null once it has ended.</summary>
    public string? SettleOrder => Result == Processing && SettlesAt is { } at ? OrderKeys.Time(at, Id) : null;

    public DateTime CreateTime { get; set; }

    public DateTime? FinishTime { get; set; }

    public string RequestJson { get; set; } = "";

    public string OutReturnNo => Id[(Id.LastIndexOf('/') + 1)..];
}

/// <summary>The profit-sharing objects as WeChat answers them (OrdersEntity, ReturnOrdersEntity).</summary>
public static class WeChatPaySharingResources
{
    /// <summary>An OrdersEntity; <paramref name="asAccepted"/> shows it as the request's own answer does, before processing.</summary>
    public static JsonObject Order(WeChatPaySharingOrder order, bool asAccepted = false)
    {
        var receivers = new JsonArray();
        foreach (var line in order.Receivers)
        {
            var shown = new JsonObject
            {
                ["amount"] = line.Amount,
                ["description"] = line.Description,
                ["type"] = line.Type,
                ["account"] = line.Account,
                ["result"] = asAccepted ? WeChatPaySharingLine.Pending : line.Result,
            };
            if (!asAccepted && line.FailReason is not null)
            {
                shown["fail_reason"] = line.FailReason;
            }

            shown["detail_id"] = line.DetailId;
            shown["create_time"] = WeChatPayResources.China(order.CreateTime);
            if (!asAccepted && line.FinishTime is { } finished)
            {
                shown["finish_time"] = WeChatPayResources.China(finished);
            }

            receivers.Add(shown);
        }

        var answer = Payer(order);
        answer["transaction_id"] = order.TransactionId;
        answer["out_order_no"] = order.OutOrderNo;
        answer["order_id"] = order.OrderId;
        answer["state"] = asAccepted ? WeChatPaySharingOrder.Processing : order.State;
        answer["receivers"] = receivers;
        return answer;
    }

    public static JsonObject Return(WeChatPaySharingReturn returned, WeChatPaySharingOrder order)
    {
        var shown = Payer(order);
        shown["order_id"] = order.OrderId;
        shown["out_order_no"] = order.OutOrderNo;
        shown["out_return_no"] = returned.OutReturnNo;
        shown["return_id"] = returned.ReturnId;
        shown["return_mchid"] = returned.ReturnMchid;
        shown["amount"] = returned.Amount;
        shown["description"] = returned.Description;
        shown["result"] = returned.Result;
        if (returned.FailReason is not null)
        {
            shown["fail_reason"] = returned.FailReason;
        }

        shown["create_time"] = WeChatPayResources.China(returned.CreateTime);
        if (returned.FinishTime is { } finished)
        {
            shown["finish_time"] = WeChatPayResources.China(finished);
        }

        return shown;
    }

    /// <summary>服务商 mode's answers lead with the sub-merchant that shares (sub_mchid); the merchant's own name none.</summary>
    private static JsonObject Payer(WeChatPaySharingOrder order) =>
        order.SubMchid is null ? [] : new JsonObject { ["sub_mchid"] = order.SubMchid };
}
