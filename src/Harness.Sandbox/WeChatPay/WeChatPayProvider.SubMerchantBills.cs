using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Bills;
using Harness.Security;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 申请单个子商户资金账单 (<c>GET /v3/bill/sub-merchant-fundflowbill</c>): the fund-flow bill of one sub-merchant's
/// account, in the merchant's fund-flow bill's rows, encrypted as WeChat documents it. A fresh 32-character key and
/// 12-character nonce per application; the file is AEAD_AES_256_GCM of the bill (gzipped first when asked) with no
/// associated data, served as binary ciphertext ‖ tag; the key travels as <c>encrypt_key</c>, RSA-OAEP encrypted for the
/// certificate the request was signed under (its private key opens it, 使用商户证书私钥解密). <c>hash_value</c> is the SHA1 of the plain,
/// uncompressed bill. The sandbox's bills are small: one file, <c>bill_sequence</c> 1.
/// </summary>
public sealed partial class WeChatPayProvider
{
    private const string BillAlgorithm = "AEAD_AES_256_GCM";

    private static readonly string[] SubMerchantAccountTypes = ["BASIC", "OPERATION", "FEES", "DEPOSIT"];

    private IResult SubMerchantFundFlowBill(HttpContext http, string mchid)
    {
        var query = http.Request.Query;
        var subMchid = query["sub_mchid"].ToString();
        var account = query["account_type"].ToString();
        var algorithm = query["algorithm"].ToString();
        var (day, refusal) = BillDay(query["bill_date"].ToString());
        var (gzip, tarRefusal) = TarType(query["tar_type"].ToString());
        refusal = (subMchid.Length == 0 ? WeChatPayErrors.Missing("sub_mchid", "query") : null)
            ?? refusal
            ?? (account.Length == 0 ? WeChatPayErrors.Missing("account_type", "query")
                : !SubMerchantAccountTypes.Contains(account) ? WeChatPayErrors.Param("account_type", "取值错误：应为BASIC、OPERATION、FEES或DEPOSIT", Clip(account), "query")
                : null)
            ?? (algorithm.Length == 0 ? WeChatPayErrors.Missing("algorithm", "query")
                : algorithm == "SM4_GCM" ? WeChatPayErrors.Param("algorithm", "SM4_GCM is not simulated by the sandbox: use AEAD_AES_256_GCM", algorithm, "query")
                : algorithm != BillAlgorithm ? WeChatPayErrors.Param("algorithm", "取值错误：应为AEAD_AES_256_GCM或SM4_GCM", Clip(algorithm), "query")
                : null)
            ?? tarRefusal
            ?? RefuseSubMchid(subMchid)
            ?? Availability(day);
        if (refusal is not null)
        {
            return refusal;
        }

        // The sub-merchant's partner orders settle to its basic account; its other accounts never move in the sandbox.
        var orders = _orders.All().Where(o => o.Mchid == mchid && o.SubMchid == subMchid);
        var flows = WeChatPayBills.Flows(WeChatPayBills.Entries(orders, _refunds.All())).Where(f => WeChatPayBills.ChinaDay(f.At) == day).ToList();
        if (account != "BASIC" || flows.Count == 0)
        {
            return NoStatement();
        }

        var bill = WeChatPayBills.FundFlowBill(flows);
        var key = Secrets.RandomHex(16);
        var nonce = Secrets.RandomHex(6);
        var sealedBill = AesGcmText.Seal(key, nonce, "", gzip ? Gzip(bill) : bill);
        var file = new BillFile(sealedBill, "application/octet-stream", $"sub_fundflowbill_{subMchid}_{day:yyyyMMdd}_{account}" + (gzip ? ".gzip" : ".csv"));
        // For the certificate the request was signed under, so a merchant with a key of its own opens it with that key.
        var merchantKey = _keys.MerchantKeyFor(WeChatPayAuth.SerialOf(http) ?? _keys.MerchantSerialNo)!;
        return Json(new JsonObject
        {
            ["download_bill_count"] = 1,
            ["download_bill_list"] = new JsonArray(new JsonObject
            {
                ["bill_sequence"] = 1,
                ["download_url"] = DownloadUrl(http, file, gzip),
                ["encrypt_key"] = Convert.ToBase64String(merchantKey.Encrypt(Encoding.UTF8.GetBytes(key), RSAEncryptionPadding.OaepSHA1)),
                ["hash_type"] = "SHA1",
                ["hash_value"] = BillHash(bill),
                ["nonce"] = nonce,
            }),
        });
    }

    private static string Clip(string text) => text[..Math.Min(text.Length, 64)];
}
