using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.Storage;

namespace Harness.Sandbox.WeChatPay;

/// <summary>A 商家转账 transfer-bill (<c>/v3/fund-app/mch-transfer/transfer-bills</c>) to a user's WeChat balance.</summary>
public sealed class WeChatPayTransfer : IDocument
{
    public const string WaitUserConfirm = "WAIT_USER_CONFIRM";
    public const string Success = "SUCCESS";
    public const string Fail = "FAIL";
    public const string Canceling = "CANCELING";
    public const string Cancelled = "CANCELLED";

    /// <summary><c>mchid/out_bill_no</c>: the merchant's number, unique per merchant.</summary>
    public string Id { get; set; } = "";

    public string Mchid { get; set; } = "";

    public string OutBillNo { get; set; } = "";

    /// <summary>WeChat's number (indexed): 1330 and 30 digits.</summary>
    public string TransferBillNo { get; set; } = "";

    /// <summary>What <c>wx.requestMerchantTransfer</c> takes as <c>package</c> (indexed).</summary>
    public string PackageInfo { get; set; } = "";

    public string Appid { get; set; } = "";

    public string Openid { get; set; } = "";

    /// <summary>Fen.</summary>
    public long Amount { get; set; }

    public string Remark { get; set; } = "";

    public string? NotifyUrl { get; set; }

    public string State { get; set; } = WaitUserConfirm;

    public string? FailReason { get; set; }

    public DateTime CreateTime { get; set; }

    public DateTime UpdateTime { get; set; }

    /// <summary>When WeChat closes it unless the user has confirmed: 24 hours after it was made, on the sandbox clock.</summary>
    public DateTime ExpiresAt { get; set; }

    /// <summary>The expiry order while it waits for the user (indexed; none once it has moved on).</summary>
    public string? ExpireOrder => State == WaitUserConfirm ? OrderKeys.Time(ExpiresAt, Id) : null;

    /// <summary>The request as received, <c>user_name</c> decrypted (each encryption differs), to tell a retry from a conflict.</summary>
    public string RequestJson { get; set; } = "";

    /// <summary>Whether the amount is out of the merchant's operation account: until it fails or is cancelled.</summary>
    public bool Holds => State is not (Fail or Cancelled);

    public static string NewTransferBillNo() => "1330" + RandomNumberGenerator.GetString("0123456789", 30);

    /// <summary>An opaque package as WeChat's look: base64 of a fixed prefix and random bytes.</summary>
    public static string NewPackageInfo() => "ABBQO+oYAAABAAAAAAA" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(72));

    /// <summary>发起转账's answer; <c>package_info</c> while the user has yet to confirm, <c>fail_reason</c> once failed.</summary>
    public JsonObject Created()
    {
        var created = new JsonObject
        {
            ["out_bill_no"] = OutBillNo,
            ["transfer_bill_no"] = TransferBillNo,
            ["create_time"] = WeChatPayResources.China(CreateTime),
            ["state"] = State,
        };
        if (FailReason is not null)
        {
            created["fail_reason"] = FailReason;
        }

        if (State == WaitUserConfirm)
        {
            created["package_info"] = PackageInfo;
        }

        return created;
    }

    /// <summary>The transfer-bill as both queries answer it and the notification carries it.</summary>
    public JsonObject Bill()
    {
        var bill = new JsonObject
        {
            ["mch_id"] = Mchid,
            ["out_bill_no"] = OutBillNo,
            ["transfer_bill_no"] = TransferBillNo,
            ["appid"] = Appid,
            ["state"] = State,
            ["transfer_amount"] = Amount,
            ["transfer_remark"] = Remark,
        };
        if (FailReason is not null)
        {
            bill["fail_reason"] = FailReason;
        }

        bill["openid"] = Openid;
        bill["create_time"] = WeChatPayResources.China(CreateTime);
        bill["update_time"] = WeChatPayResources.China(UpdateTime);
        return bill;
    }
}

/// <summary>The merchant's 运营账户 as transfers see it: how much the transfers not failed or cancelled hold (fen).</summary>
public sealed class WeChatPayOperationAccount : IDocument
{
    /// <summary>The mchid.</summary>
    public string Id { get; set; } = "";

    public long Held { get; set; }
}
