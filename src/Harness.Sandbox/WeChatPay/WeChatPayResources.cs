using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.WeChatPay;

/// <summary>The objects WeChat Pay answers and notifies with (providers.md §2.2, §2.5), rendered from the sandbox's records.</summary>
public static class WeChatPayResources
{
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>The Transaction object (§2.2); an unpaid order has no transaction_id, trade_type, success_time or payer.</summary>
    public static JsonObject Transaction(WeChatPayOrder order, PaymentStatus status)
    {
        var (state, description) = TradeState(order, status);
        var paid = status == PaymentStatus.Paid;
        var transaction = Parties(order);
        transaction["out_trade_no"] = order.OutTradeNo;
        if (paid)
        {
            transaction["transaction_id"] = order.TransactionId;
            transaction["trade_type"] = order.TradeType;
        }

        transaction["trade_state"] = state;
        transaction["trade_state_desc"] = description;
        if (paid)
        {
            transaction["bank_type"] = "OTHERS";
        }

        if (order.Attach is not null)
        {
            transaction["attach"] = order.Attach;
        }

        if (paid)
        {
            transaction["success_time"] = China(order.SuccessTime!.Value);
            transaction["payer"] = Payer(order);
            transaction["amount"] = new JsonObject { ["total"] = order.Total, ["payer_total"] = order.Total, ["currency"] = "CNY", ["payer_currency"] = "CNY" };
        }
        else
        {
            transaction["amount"] = new JsonObject { ["total"] = order.Total, ["payer_currency"] = "CNY" };
        }

        if (order.DeviceId is not null)
        {
            transaction["scene_info"] = new JsonObject { ["device_id"] = order.DeviceId };
        }

        if (paid)
        {
            // The sandbox runs no promotions: the list is there, and empty.
            transaction["promotion_detail"] = new JsonArray();
        }

        return transaction;
    }

    /// <summary>
    /// A 合单 as 查询合单订单 answers it and 合单支付通知 carries it: combine_payer_info once paid, each sub-order with its
    /// state (the 合单's), and paid, its trade_type, transaction_id, success_time and what the buyer paid.
    /// </summary>
    public static JsonObject Combine(WeChatPayCombine combine, IReadOnlyList<WeChatPayOrder> subOrders, PaymentStatus status)
    {
        var paid = status == PaymentStatus.Paid;
        var described = new JsonObject { ["combine_appid"] = combine.Appid, ["combine_mchid"] = combine.Mchid };
        if (paid)
        {
            described["combine_payer_info"] = new JsonObject { ["openid"] = combine.OpenId };
        }

        described["sub_orders"] = new JsonArray([.. subOrders.Select(order => CombineSubOrder(order, status))]);
        if (combine.DeviceId is not null)
        {
            described["scene_info"] = new JsonObject { ["device_id"] = combine.DeviceId };
        }

        described["combine_out_trade_no"] = combine.CombineOutTradeNo;
        return described;
    }

    private static JsonObject CombineSubOrder(WeChatPayOrder order, PaymentStatus status)
    {
        var paid = status == PaymentStatus.Paid;
        var sub = new JsonObject { ["mchid"] = order.Mchid };
        if (paid)
        {
            sub["trade_type"] = order.TradeType;
        }

        sub["trade_state"] = TradeState(order, status).State;
        if (paid)
        {
            sub["bank_type"] = "OTHERS";
        }

        sub["attach"] = order.Attach;
        if (paid)
        {
            sub["success_time"] = China(order.SuccessTime!.Value);
        }

        sub["amount"] = paid
            ? new JsonObject { ["total_amount"] = order.Total, ["payer_amount"] = order.Total, ["currency"] = "CNY", ["payer_currency"] = "CNY" }
            : new JsonObject { ["total_amount"] = order.Total, ["currency"] = "CNY" };
        if (paid)
        {
            sub["transaction_id"] = order.TransactionId;
        }

        sub["out_trade_no"] = order.OutTradeNo;
        if (order.SubMchid is not null)
        {
            sub["sub_mchid"] = order.SubMchid;
        }

        if (order.SubAppid is not null)
        {
            sub["sub_appid"] = order.SubAppid;
            if (paid)
            {
                sub["sub_openid"] = order.SubOpenId;
            }
        }

        if (paid)
        {
            sub["promotion_detail"] = new JsonArray();
        }

        return sub;
    }

    /// <summary>trade_state and its words: a paid order with refunds is REFUND (转入退款).</summary>
    private static (string State, string Description) TradeState(WeChatPayOrder order, PaymentStatus status) => status switch
    {
        PaymentStatus.Paid when order.Refunded > 0 => ("REFUND", "转入退款"),
        PaymentStatus.Paid => ("SUCCESS", "支付成功"),
        PaymentStatus.Open => ("NOTPAY", "订单未支付"),
        _ when order.TradeType == WeChatPayOrder.Pap => ("PAY_FAIL", "用户余额不足，扣款失败"),
        _ => ("CLOSED", "已关闭"),
    };

    public static JsonObject Refund(WeChatPayRefund refund, WeChatPayOrder order)
    {
        var described = new JsonObject
        {
            ["refund_id"] = refund.RefundId,
            ["out_refund_no"] = OutRefundNoOf(refund),
            ["transaction_id"] = order.TransactionId,
            ["out_trade_no"] = order.OutTradeNo,
            ["channel"] = refund.Channel,
            ["user_received_account"] = refund.ReceivedAccount,
        };
        if (refund.SuccessTime is { } success)
        {
            described["success_time"] = China(success);
        }

        described["create_time"] = China(refund.CreateTime);
        described["status"] = refund.Status;
        described["funds_account"] = "AVAILABLE";
        described["amount"] = new JsonObject
        {
            ["total"] = order.Total,
            ["refund"] = refund.Amount,
            ["payer_total"] = order.Total,
            ["payer_refund"] = refund.Amount,
            ["settlement_refund"] = refund.Amount,
            ["settlement_total"] = order.Total,
            ["discount_refund"] = 0,
            ["currency"] = "CNY",
            ["refund_fee"] = 0,
        };
        described["promotion_detail"] = new JsonArray();
        return described;
    }

    /// <summary>A refund notification's resource; <c>success_time</c> only for a SUCCESS one.</summary>
    public static JsonObject RefundNotice(WeChatPayRefund refund, WeChatPayOrder order)
    {
        var notice = order.SubMchid is null
            ? new JsonObject { ["mchid"] = order.Mchid }
            : new JsonObject { ["sp_mchid"] = order.Mchid, ["sub_mchid"] = order.SubMchid };
        notice["out_trade_no"] = order.OutTradeNo;
        notice["transaction_id"] = order.TransactionId;
        notice["out_refund_no"] = OutRefundNoOf(refund);
        notice["refund_id"] = refund.RefundId;
        notice["refund_status"] = refund.Status;
        if (refund.SuccessTime is { } success)
        {
            notice["success_time"] = China(success);
        }

        notice["user_received_account"] = refund.ReceivedAccount;
        notice["amount"] = new JsonObject { ["total"] = order.Total, ["refund"] = refund.Amount, ["payer_total"] = order.Total, ["payer_refund"] = refund.Amount };
        return notice;
    }

    /// <summary>Who the order is of: appid and mchid, or in 服务商 mode sp_appid, sp_mchid, sub_appid (when given) and sub_mchid.</summary>
    private static JsonObject Parties(WeChatPayOrder order)
    {
        if (order.SubMchid is null)
        {
            return new JsonObject { ["appid"] = order.Appid, ["mchid"] = order.Mchid };
        }

        var parties = new JsonObject { ["sp_appid"] = order.Appid, ["sp_mchid"] = order.Mchid };
        if (order.SubAppid is not null)
        {
            parties["sub_appid"] = order.SubAppid;
        }

        parties["sub_mchid"] = order.SubMchid;
        return parties;
    }

    /// <summary>The paying buyer: openid, or in 服务商 mode sp_openid and, when the order has a sub_appid, sub_openid.</summary>
    private static JsonObject Payer(WeChatPayOrder order)
    {
        if (order.SubMchid is null)
        {
            return new JsonObject { ["openid"] = order.OpenId };
        }

        var payer = new JsonObject { ["sp_openid"] = order.OpenId };
        if (order.SubOpenId is not null)
        {
            payer["sub_openid"] = order.SubOpenId;
        }

        return payer;
    }

    public static string China(DateTime utc) =>
        new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToOffset(ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    internal static string OutRefundNoOf(WeChatPayRefund refund) => refund.Id[(refund.Id.LastIndexOf('/') + 1)..];
}
