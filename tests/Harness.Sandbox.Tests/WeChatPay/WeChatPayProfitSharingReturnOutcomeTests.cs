using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayProfitSharingTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 分账回退 that stay PROCESSING or fail, asked for by their out_return_no: PROCESSING… succeeds an hour later on the
/// sandbox clock, FAILED_&lt;reason&gt;… fails then with that fail_reason (TIME_OUT_CLOSED after five days); the amount is
/// held meanwhile and moves only on success.
/// </summary>
public sealed class WeChatPayProfitSharingReturnOutcomeTests
{
    internal static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> ReturnAsync(SharedOrder shared, string outReturnNo, long amount) =>
        shared.PostAsync("/v3/profitsharing/return-orders", new JsonObject
        {
            ["out_order_no"] = "share_o",
            ["out_return_no"] = outReturnNo,
            ["return_mchid"] = Partner,
            ["amount"] = amount,
            ["description"] = "用户退款",
        }, withSerial: false);

    internal static async Task<JsonObject> QueryReturnAsync(SharedOrder shared, string outReturnNo)
    {
        var (status, body, json) = await CallAsync(shared.Wire, shared.Wire.Request(HttpMethod.Get, $"/v3/profitsharing/return-orders/{outReturnNo}?out_order_no=share_o"));
        Assert.True(status == HttpStatusCode.OK, body);
        return json!;
    }

    private static async Task<SharedOrder> SharedAsync()
    {
        var shared = await SharedOrder.StartAsync();
        var (status, body, _) = await shared.ShareAsync("share_o", false, SharedOrder.Line("MERCHANT_ID", Partner, 200));
        Assert.True(status == HttpStatusCode.OK, body);
        return shared;
    }

    private static string Result(JsonObject returned) => returned["result"]!.GetValue<string>();

    [Fact]
    public async Task A_processing_return_holds_its_amount_and_succeeds_an_hour_later_on_the_sandbox_clock()
    {
        await using var shared = await SharedAsync();
        var (status, body, accepted) = await ReturnAsync(shared, "PROCESSING_1", 150);
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("PROCESSING", Result(accepted!));
        Assert.Null(accepted!["finish_time"]);
        Assert.Null(accepted["fail_reason"]);

        // The 150 is held: only 50 is left to return meanwhile; the same request again is the same return, not a second hold.
        Refused(await ReturnAsync(shared, "return_more", 51), HttpStatusCode.BadRequest, "INVALID_REQUEST", "剩余可回退的金额不足");
        var (_, _, again) = await ReturnAsync(shared, "PROCESSING_1", 150);
        Assert.Equal((accepted["return_id"]!.GetValue<string>(), "PROCESSING"), (again!["return_id"]!.GetValue<string>(), Result(again)));

        await shared.Sandbox.AdvanceAsync(TimeSpan.FromMinutes(59));
        Assert.Equal("PROCESSING", Result(await QueryReturnAsync(shared, "PROCESSING_1")));
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        var ended = await QueryReturnAsync(shared, "PROCESSING_1");
        Assert.Equal("SUCCESS", Result(ended));
        Assert.Equal(WeChatPayTime(ended["create_time"]!) + TimeSpan.FromHours(1), WeChatPayTime(ended["finish_time"]!));

        // Succeeded, the 150 is returned for good: 50 is left, and the repeat answers SUCCESS.
        Refused(await ReturnAsync(shared, "return_more", 51), HttpStatusCode.BadRequest, "INVALID_REQUEST", "剩余可回退的金额不足");
        Assert.Equal("SUCCESS", Result((await ReturnAsync(shared, "PROCESSING_1", 150)).Json!));
        Assert.Equal("SUCCESS", Result((await ReturnAsync(shared, "return_more", 50)).Json!));
    }

    [Theory]
    [InlineData("ACCOUNT_ABNORMAL")]
    [InlineData("PAYER_ACCOUNT_ABNORMAL")]
    [InlineData("INVALID_REQUEST")]
    public async Task A_failing_return_ends_failed_with_its_reason_and_gives_its_amount_back(string reason)
    {
        await using var shared = await SharedAsync();
        var outReturnNo = $"FAILED_{reason}_1";
        Assert.Equal("PROCESSING", Result((await ReturnAsync(shared, outReturnNo, 200)).Json!));
        Refused(await ReturnAsync(shared, "return_held", 1), HttpStatusCode.BadRequest, "INVALID_REQUEST", "剩余可回退的金额不足");

        await shared.Sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        var failed = await QueryReturnAsync(shared, outReturnNo);
        Assert.Equal(("FAILED", reason), (Result(failed), failed["fail_reason"]!.GetValue<string>()));
        Assert.NotNull(failed["finish_time"]);

        // Nothing moved: the whole share can still be returned.
        Assert.Equal("SUCCESS", Result((await ReturnAsync(shared, "return_all", 200)).Json!));
    }

    [Fact]
    public async Task A_return_left_processing_closes_after_five_days_as_time_out_closed()
    {
        await using var shared = await SharedAsync();
        Assert.Equal("PROCESSING", Result((await ReturnAsync(shared, "FAILED_TIME_OUT_CLOSED_1", 100)).Json!));
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromDays(5) - TimeSpan.FromMinutes(1));
        Assert.Equal("PROCESSING", Result(await QueryReturnAsync(shared, "FAILED_TIME_OUT_CLOSED_1")));
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        var closed = await QueryReturnAsync(shared, "FAILED_TIME_OUT_CLOSED_1");
        Assert.Equal(("FAILED", "TIME_OUT_CLOSED"), (Result(closed), closed["fail_reason"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_processing_return_survives_a_restart_and_ends_after_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-wechat-return-" + Guid.NewGuid().ToString("N"));
        string transactionId;
        await using (var first = await SharedOrder.StartAsync(sandbox: await TestSandbox.StartAsync(configure: o => o.DataDirectory = data)))
        {
            transactionId = first.TransactionId;
            await first.ShareAsync("share_o", false, SharedOrder.Line("MERCHANT_ID", Partner, 200));
            Assert.Equal("PROCESSING", Result((await ReturnAsync(first, "PROCESSING_restart", 120)).Json!));
        }

        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
            var shared = new SharedOrder { Sandbox = second, Wire = await WireAsync(second), Receiver = receiver, TransactionId = transactionId };
            Assert.Equal("PROCESSING", Result(await QueryReturnAsync(shared, "PROCESSING_restart")));
            await second.AdvanceAsync(TimeSpan.FromHours(1));
            Assert.Equal("SUCCESS", Result(await QueryReturnAsync(shared, "PROCESSING_restart")));
            Refused(await ReturnAsync(shared, "return_after", 81), HttpStatusCode.BadRequest, "INVALID_REQUEST", "剩余可回退的金额不足");
            shared.Wire.Dispose();
        }

        Directory.Delete(data, recursive: true);
    }

    private static DateTimeOffset WeChatPayTime(JsonNode node) => DateTimeOffset.Parse(node.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
}
