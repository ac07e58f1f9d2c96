using System.Net;
using System.Security.Cryptography;
using System.Text;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// The 分账 side of WeChat Pay's statements and returns: the 分账账单, one sub-merchant's encrypted fund-flow bill
/// (downloaded as bytes and opened with the merchant's private key), each sub-merchant's own maximum ratio, and
/// 分账回退 that stay PROCESSING or fail.
/// </summary>
public sealed partial class WeChatPaySteps
{
    [When("the merchant applies for the 分账 bill of that day")]
    public async Task SharingBill() =>
        _world.LastReply = await CallAsync(HttpMethod.Get, $"/v3/profitsharing/bills?bill_date={BillDate}");

    [Then("the bill lists a {string} of {string} yuan to {string} for {string}")]
    public void SharingBillRow(string kind, string amount, string receiver, string merchantNo)
    {
        var row = BillRow(cells => cells.Length > 11 && cells[8] == merchantNo && cells[4] == receiver, $"{kind} {merchantNo} to {receiver}");
        Check.Equal(kind, row[9], "业务类型");
        Check.Equal(amount, row[11], "金额(元)");
        Check.Equal("SUCCESS", row[10], "处理状态");
    }

    [Then("the opened bill lists a {string} {string} of {string} for {string}")]
    public void OpenedFundFlow(string type, string direction, string amount, string voucher)
    {
        var row = BillRow(cells => cells.Length > 10 && cells[10] == voucher && cells[4] == type, $"{type} of {voucher}");
        Check.Equal(direction, row[5], "收支类型");
        Check.Equal(amount, row[6], "收支金额(元)");
    }

    [When("the merchant applies for sub-merchant {string}'s encrypted fund-flow bill of that day")]
    public async Task SubMerchantFundFlowBill(string subMchid) =>
        _world.LastReply = await CallAsync(
            HttpMethod.Get, $"/v3/bill/sub-merchant-fundflowbill?sub_mchid={subMchid}&bill_date={BillDate}&account_type=BASIC&algorithm=AEAD_AES_256_GCM");

    /// <summary>The file is binary ciphertext: fetched as bytes, opened with encrypt_key (the merchant's private key) and nonce.</summary>
    [Then("the answer lists one encrypted bill whose file, opened with the merchant's private key, matches its hash_value")]
    public async Task OpenSubMerchantBill()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(1, ApiReply.Field(_world.Last.Json, "download_bill_count").GetInt32(), "download_bill_count");
        var entry = ApiReply.Field(_world.Last.Json, "download_bill_list")[0];
        var target = new Uri(ApiReply.Text(ApiReply.Field(entry, "download_url"))).PathAndQuery;
        using var http = new HttpClient();
        using var response = await http.SendAsync(Wire.Request(HttpMethod.Get, target));
        Check.Equal(HttpStatusCode.OK, response.StatusCode, "download");
        var file = await response.Content.ReadAsByteArrayAsync();
        var plain = Wire.OpenBill(file, ApiReply.Text(ApiReply.Field(entry, "encrypt_key")), ApiReply.Text(ApiReply.Field(entry, "nonce")))
            ?? throw new AssertionException("the bill does not open with the merchant's private key, encrypt_key and nonce");
#pragma warning disable CA5350 // SHA1 is the hash_type WeChat announces
        Check.Equal(ApiReply.Text(ApiReply.Field(entry, "hash_value")), Convert.ToHexStringLower(SHA1.HashData(plain)), "SHA1 of the opened bill");
#pragma warning restore CA5350
        var preamble = Encoding.UTF8.GetPreamble();
        Check.That(plain.AsSpan().StartsWith(preamble), "the opened bill starts with a byte-order mark");
        _billText = Encoding.UTF8.GetString(plain, preamble.Length, plain.Length - preamble.Length);
    }

    [Given("sub-merchant {string} allows at most {int} percent of an order to be shared")]
    public Task SubMerchantRatio(string subMchid, int percent) =>
        _world.ConfigureAsync("wechatpay", new Dictionary<string, string?> { ["sub_mchid_max_ratios"] = $"{subMchid}:{percent}" });

    [When("the merchant queries return {string} of sharing {string}")]
    public async Task QueryReturn(string outReturnNo, string outOrderNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Get, $"/v3/profitsharing/return-orders/{outReturnNo}?out_order_no={outOrderNo}");

    [Then("the answer is 200 with return result {string} and fail_reason {string}")]
    public void ReturnFailed(string result, string failReason)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(result, ApiReply.Text(ApiReply.Field(_world.Last.Json, "result")), "result");
        Check.Equal(failReason, ApiReply.Text(ApiReply.Field(_world.Last.Json, "fail_reason")), "fail_reason");
    }
}
