using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// One receiver in the merchant's 分账关系集 (<c>alipay.trade.royalty.relation.bind</c>), kept under its type and
/// account: a 分账 may only pay a bound receiver.
/// </summary>
public sealed class AlipayRoyaltyReceiver : IDocument
{
    /// <summary><c>{type}|{account}</c>: the same account bound again is the same receiver.</summary>
    public string Id { get; set; } = "";

    /// <summary><c>userId</c>, <c>loginName</c> or <c>openId</c>.</summary>
    public string Type { get; set; } = "";

    public string Account { get; set; } = "";

    public string AccountOpenId { get; set; } = "";

    public string Name { get; set; } = "";

    public string Memo { get; set; } = "";

    public string LoginName { get; set; } = "";

    public string BindLoginName { get; set; } = "";

    /// <summary>The order it was first bound in (1, 2, …): the batch query lists receivers so.</summary>
    public long Position { get; set; }

    public static string KeyOf(string type, string account) => type + "|" + account;
}

/// <summary>
/// One accepted <c>alipay.trade.order.settle</c> request, kept under its <c>settle_no</c> and found by the trade and
/// <c>out_request_no</c>, so a repeat answers the same and the query reads its details.
/// </summary>
public sealed class AlipaySettle : IDocument
{
    /// <summary>The platform's <c>settle_no</c>.</summary>
    public string Id { get; set; } = "";

    public string TradeNo { get; set; } = "";

    public string OutRequestNo { get; set; } = "";

    /// <summary><c>sync</c> or <c>async</c> (<c>royalty_mode</c>).</summary>
    public string Mode { get; set; } = "";

    public bool Finish { get; set; }

    /// <summary>The request's royalty_parameters as sent (compact JSON): a repeat must carry the same.</summary>
    public string Fingerprint { get; set; } = "";

    public DateTime At { get; set; }

    public List<AlipayRoyaltyDetail> Details { get; set; } = [];

    /// <summary>When its PROCESSING details end (an async settle to a test receiver); null once none is processing.</summary>
    public DateTime? CompletesAt { get; set; }

    /// <summary>Due order of <see cref="CompletesAt"/> (indexed), for the scheduler.</summary>
    public string? CompleteOrder => CompletesAt is { } at ? OrderKeys.Time(at, Id) : null;

    /// <summary>The trade and request number together (indexed): how the merchant names a settle it made.</summary>
    public string RequestKey => KeyOf(TradeNo, OutRequestNo);

    public static string KeyOf(string tradeNo, string outRequestNo) => tradeNo + "|" + outRequestNo;
}

/// <summary>One movement of a 分账: <c>transfer</c> to a receiver, or <c>transfer_refund</c> back from one with a refund.</summary>
public sealed class AlipayRoyaltyDetail
{
    public const string Transfer = "transfer";
    public const string TransferRefund = "transfer_refund";

    public const string Success = "SUCCESS";
    public const string Processing = "PROCESSING";
    public const string Fail = "FAIL";

    public string OperationType { get; set; } = Transfer;

    /// <summary><c>SUCCESS</c>, <c>PROCESSING</c> or <c>FAIL</c>; a detail stored before outcomes existed reads SUCCESS.</summary>
    public string State { get; set; } = Success;

    /// <summary>Why a FAIL detail failed (<c>error_code</c>, <c>error_desc</c>); empty otherwise.</summary>
    public string ErrorCode { get; set; } = "";

    public string ErrorDesc { get; set; } = "";

    /// <summary>The receiver (<c>trans_in</c> of a transfer, <c>trans_out</c> of a transfer_refund) and its type.</summary>
    public string Receiver { get; set; } = "";

    public string ReceiverType { get; set; } = "";

    public long AmountFen { get; set; }

    public string Desc { get; set; } = "";

    public string DetailId { get; set; } = "";

    public DateTime At { get; set; }
}
