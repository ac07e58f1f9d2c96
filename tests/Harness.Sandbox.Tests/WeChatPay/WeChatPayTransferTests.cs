using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 商家转账 (transfer-bills): a transfer waits for the user's confirmation (played at /sandbox/request-merchant-transfer),
/// ends SUCCESS, FAIL (test openids, 24 hours unconfirmed) or CANCELLED (the merchant), each end told by a signed,
/// encrypted MCHTRANSFER.BILL.FINISHED; the operation account's <c>transfer_float</c> bounds what transfers hold.
/// </summary>
public sealed class WeChatPayTransferTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A sandbox, a signing client and a receiver for the transfers' notifications.</summary>
    private sealed class Desk : IAsyncDisposable
    {
        public required TestSandbox Sandbox { get; init; }

        public required WeChatPayWire Wire { get; init; }

        public required Receiver Receiver { get; init; }

        /// <summary>False when the test passed in a receiver that outlives the desk (a restart).</summary>
        public bool OwnsReceiver { get; init; }

        public static async Task<Desk> StartAsync(long? transferFloat = null, string? data = null, Receiver? receiver = null, DateTimeOffset? now = null)
        {
            var sandbox = await TestSandbox.StartAsync(now, configure: data is null ? null : o => o.DataDirectory = data);
            if (transferFloat is { } fen)
            {
                (await sandbox.PutSettingsAsync("wechatpay", new { transfer_float = fen.ToString(System.Globalization.CultureInfo.InvariantCulture) })).EnsureSuccessStatusCode();
            }

            return new Desk { Sandbox = sandbox, Wire = await WireAsync(sandbox), Receiver = receiver ?? await Receiver.StartAsync("/wechatpay/transfers"), OwnsReceiver = receiver is null };
        }

        public JsonObject Transfer(string outBillNo, long amount, string openid = "o-MYE42l80oelYMDE34nYD456Xoy") => new()
        {
            ["appid"] = Wire.Appid,
            ["out_bill_no"] = outBillNo,
            ["transfer_scene_id"] = "1000",
            ["openid"] = openid,
            ["transfer_amount"] = amount,
            ["transfer_remark"] = "新会员开户有礼",
            ["notify_url"] = Receiver.Url,
            ["user_recv_perception"] = "现金奖励",
            ["transfer_scene_report_infos"] = new JsonArray(
                new JsonObject { ["info_type"] = "活动名称", ["info_content"] = "新会员有礼" },
                new JsonObject { ["info_type"] = "奖励说明", ["info_content"] = "注册会员抽奖一等奖" }),
        };

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> CreateAsync(JsonObject transfer, string? serial = null)
        {
            var request = Wire.Request(HttpMethod.Post, "/v3/fund-app/mch-transfer/transfer-bills", transfer);
            if (serial is not null)
            {
                request.Headers.Add("Wechatpay-Serial", serial);
            }

            return CallAsync(Wire, request);
        }

        public async Task<JsonObject> CreatedAsync(JsonObject transfer)
        {
            var (status, body, json) = await CreateAsync(transfer);
            Assert.True(status == HttpStatusCode.OK, body);
            return json!;
        }

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> QueryAsync(string outBillNo) =>
            CallAsync(Wire, Wire.Request(HttpMethod.Get, "/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/" + outBillNo));

        public async Task<string> StateAsync(string outBillNo) => (await QueryAsync(outBillNo)).Json!["state"]!.GetValue<string>();

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> CancelAsync(string outBillNo) =>
            CallAsync(Wire, Wire.Request(HttpMethod.Post, $"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{outBillNo}/cancel"));

        /// <summary>The user's WeChat given wx.requestMerchantTransfer's parameters: status and errMsg.</summary>
        public async Task<(HttpStatusCode Status, string ErrMsg)> UserAsync(JsonObject created, string action, string? mchId = null)
        {
            using var http = new HttpClient();
            using var response = await http.PostAsJsonAsync(Sandbox.BaseUrl("wechatpay") + "/sandbox/request-merchant-transfer", new JsonObject
            {
                ["mchId"] = mchId ?? Wire.Mchid,
                ["appId"] = Wire.Appid,
                ["package"] = created["package_info"]?.GetValue<string>() ?? "no-package",
                ["action"] = action,
            }, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            return (response.StatusCode, JsonNode.Parse(body)!["errMsg"]!.GetValue<string>());
        }

        /// <summary>The next notification, its signature checked: event_type, resource's original_type and the decrypted bill.</summary>
        public async Task<(string EventType, string OriginalType, JsonObject Bill)> NoticeAsync()
        {
            var notice = await Receiver.NextAsync();
            Assert.True(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature")));
            var envelope = JsonNode.Parse(notice.Body)!;
            return (envelope["event_type"]!.GetValue<string>(), envelope["resource"]!["original_type"]!.GetValue<string>(), Wire.Resource(notice.Body));
        }

        public async ValueTask DisposeAsync()
        {
            if (OwnsReceiver)
            {
                await Receiver.DisposeAsync();
            }

            Wire.Dispose();
            await Sandbox.DisposeAsync();
        }
    }

    private static string Code(JsonObject? error) => error!["code"]!.GetValue<string>();

    [Fact]
    public async Task A_transfer_waits_for_the_user_who_confirms_it_and_the_merchant_is_told_SUCCESS()
    {
        await using var desk = await Desk.StartAsync();
        var created = await desk.CreatedAsync(desk.Transfer("plfk2020042013", 2000));
        Assert.Equal(("plfk2020042013", "WAIT_USER_CONFIRM", "2026-11-23T20:00:00+08:00"),
            (created["out_bill_no"]!.GetValue<string>(), created["state"]!.GetValue<string>(), created["create_time"]!.GetValue<string>()));
        var billNo = created["transfer_bill_no"]!.GetValue<string>();
        Assert.Matches("^1330[0-9]{30}$", billNo);
        Assert.False(string.IsNullOrEmpty(created["package_info"]!.GetValue<string>()));

        var byWeChat = (await CallAsync(desk.Wire, desk.Wire.Request(HttpMethod.Get, "/v3/fund-app/mch-transfer/transfer-bills/transfer-bill-no/" + billNo))).Json!;
        var byMerchant = (await desk.QueryAsync("plfk2020042013")).Json!;
        Assert.True(JsonNode.DeepEquals(byWeChat, byMerchant));
        Assert.Equal((desk.Wire.Mchid, desk.Wire.Appid, 2000L, "新会员开户有礼", "o-MYE42l80oelYMDE34nYD456Xoy", "WAIT_USER_CONFIRM"),
            (byMerchant["mch_id"]!.GetValue<string>(), byMerchant["appid"]!.GetValue<string>(), byMerchant["transfer_amount"]!.GetValue<long>(),
             byMerchant["transfer_remark"]!.GetValue<string>(), byMerchant["openid"]!.GetValue<string>(), byMerchant["state"]!.GetValue<string>()));
        Assert.Empty(desk.Receiver.All);

        Assert.Equal((HttpStatusCode.OK, "requestMerchantTransfer:ok"), await desk.UserAsync(created, "confirm"));
        var (eventType, originalType, bill) = await desk.NoticeAsync();
        Assert.Equal(("MCHTRANSFER.BILL.FINISHED", "mch_payment"), (eventType, originalType));
        Assert.Equal(("plfk2020042013", billNo, "SUCCESS", 2000L), (bill["out_bill_no"]!.GetValue<string>(), bill["transfer_bill_no"]!.GetValue<string>(), bill["state"]!.GetValue<string>(), bill["transfer_amount"]!.GetValue<long>()));
        Assert.Null(bill["fail_reason"]);
        Assert.Equal("SUCCESS", await desk.StateAsync("plfk2020042013"));

        // The delivery is filed under the transfer, and the package cannot be used again.
        Assert.Single(await desk.Sandbox.DeliveriesAsync(billNo));
        Assert.Equal(HttpStatusCode.BadRequest, (await desk.UserAsync(created, "confirm")).Status);
        Assert.Single(desk.Receiver.All);
    }

    [Fact]
    public async Task The_same_out_bill_no_answers_the_same_transfer_and_another_body_is_refused()
    {
        await using var desk = await Desk.StartAsync();
        var first = await desk.CreatedAsync(desk.Transfer("sameBill1", 50_000));
        var again = await desk.CreatedAsync(desk.Transfer("sameBill1", 50_000));
        Assert.True(JsonNode.DeepEquals(first, again));

        var (status, _, refused) = await desk.CreateAsync(desk.Transfer("sameBill1", 50_001));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (status, Code(refused)));

        // user_name is encrypted afresh on each try (RSA-OAEP is randomised): a retry is still the same request.
        var named = desk.Transfer("namedBill1", 250_000);
        named["user_name"] = desk.Wire.EncryptSensitive("张三");
        var (namedStatus, namedBody, namedJson) = await desk.CreateAsync(named, desk.Wire.PlatformSerialNo);
        Assert.True(namedStatus == HttpStatusCode.OK, namedBody);
        named["user_name"] = desk.Wire.EncryptSensitive("张三", withPublicKey: true);
        var retried = await desk.CreateAsync(named, desk.Wire.PublicKeyId);
        Assert.Equal(namedJson!["transfer_bill_no"]!.GetValue<string>(), retried.Json!["transfer_bill_no"]!.GetValue<string>());
        named["user_name"] = desk.Wire.EncryptSensitive("李四");
        Assert.Equal("INVALID_REQUEST", Code((await desk.CreateAsync(named, desk.Wire.PlatformSerialNo)).Json));
    }

    public static TheoryData<string, string, HttpStatusCode, string, string?> Refusals => new()
    {
        { "out_bill_no", "\"\"", HttpStatusCode.BadRequest, "PARAM_ERROR", "out_bill_no" },
        { "out_bill_no", "\"bill-with-dash\"", HttpStatusCode.BadRequest, "PARAM_ERROR", "out_bill_no" },
        { "openid", "null", HttpStatusCode.BadRequest, "PARAM_ERROR", "openid" },
        { "transfer_scene_id", "\"cash\"", HttpStatusCode.BadRequest, "PARAM_ERROR", "transfer_scene_id" },
        { "transfer_remark", "\"" + new string('备', 33) + "\"", HttpStatusCode.BadRequest, "PARAM_ERROR", "transfer_remark" },
        { "transfer_amount", "\"100\"", HttpStatusCode.BadRequest, "PARAM_ERROR", "transfer_amount" },
        { "transfer_amount", "0", HttpStatusCode.BadRequest, "PARAM_ERROR", "transfer_amount" },
        { "transfer_amount", "9", HttpStatusCode.BadRequest, "INVALID_REQUEST", null },
        { "transfer_amount", "200000", HttpStatusCode.BadRequest, "PARAM_ERROR", "user_name" },
        { "transfer_scene_report_infos", "[]", HttpStatusCode.BadRequest, "PARAM_ERROR", "transfer_scene_report_infos" },
        { "transfer_scene_report_infos", "[{\"info_type\":\"活动名称\"}]", HttpStatusCode.BadRequest, "PARAM_ERROR", "transfer_scene_report_infos" },
        { "notify_url", "\"ftp://example.com/notify\"", HttpStatusCode.BadRequest, "PARAM_ERROR", "notify_url" },
        { "user_name", "\"bm90IGVuY3J5cHRlZA==\"", HttpStatusCode.BadRequest, "PARAM_ERROR", "user_name" },
        { "appid", "\"wx0000000000000000\"", HttpStatusCode.BadRequest, "INVALID_REQUEST", null },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_bad_transfer_is_refused_signed_naming_the_field(string field, string json, HttpStatusCode expected, string code, string? named)
    {
        await using var desk = await Desk.StartAsync();
        var transfer = desk.Transfer("badBill1", 100);
        transfer[field] = JsonNode.Parse(json);
        var (status, body, error) = await desk.CreateAsync(transfer, desk.Wire.PlatformSerialNo);
        Assert.True(status == expected, body);
        Assert.Equal(code, Code(error));
        Assert.Equal(named, error!["detail"]?["field"]?.GetValue<string>());
        Assert.Equal("NOT_FOUND", Code((await desk.QueryAsync("badBill1")).Json));
    }

    [Fact]
    public async Task The_merchant_cancels_before_the_user_confirms_and_gets_the_money_back()
    {
        await using var desk = await Desk.StartAsync(transferFloat: 1000);
        var created = await desk.CreatedAsync(desk.Transfer("cancelBill1", 1000));
        Assert.Equal("NOT_ENOUGH", Code((await desk.CreateAsync(desk.Transfer("cancelBill2", 10))).Json));

        var (status, _, canceling) = await desk.CancelAsync("cancelBill1");
        Assert.Equal((HttpStatusCode.OK, "CANCELING", created["transfer_bill_no"]!.GetValue<string>()),
            (status, canceling!["state"]!.GetValue<string>(), canceling["transfer_bill_no"]!.GetValue<string>()));
        var (_, _, bill) = await desk.NoticeAsync();
        Assert.Equal("CANCELLED", bill["state"]!.GetValue<string>());
        Assert.Equal("CANCELLED", await desk.StateAsync("cancelBill1"));
        Assert.Equal("CANCELLED", (await desk.CancelAsync("cancelBill1")).Json!["state"]!.GetValue<string>());

        // The user can no longer take it, and the 1000 fen are back.
        Assert.Equal(HttpStatusCode.BadRequest, (await desk.UserAsync(created, "confirm")).Status);
        var second = await desk.CreatedAsync(desk.Transfer("cancelBill2", 1000));
        await desk.UserAsync(second, "confirm");
        await desk.NoticeAsync();
        var (doneStatus, _, done) = await desk.CancelAsync("cancelBill2");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (doneStatus, Code(done)));
        var (unknownStatus, _, unknown) = await desk.CancelAsync("noSuchBill");
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), (unknownStatus, Code(unknown)));
        Assert.Equal(2, desk.Receiver.All.Count);
    }

    [Fact]
    public async Task A_test_openid_fails_the_confirmed_transfer_with_its_reason_and_the_money_comes_back()
    {
        await using var desk = await Desk.StartAsync(transferFloat: 500);
        var created = await desk.CreatedAsync(desk.Transfer("frozenBill1", 500, openid: "sandbox-fail-ACCOUNT_FROZEN"));
        Assert.Equal((HttpStatusCode.OK, "requestMerchantTransfer:ok"), await desk.UserAsync(created, "confirm"));
        var (_, _, bill) = await desk.NoticeAsync();
        Assert.Equal(("FAIL", "ACCOUNT_FROZEN"), (bill["state"]!.GetValue<string>(), bill["fail_reason"]!.GetValue<string>()));
        var queried = (await desk.QueryAsync("frozenBill1")).Json!;
        Assert.Equal(("FAIL", "ACCOUNT_FROZEN"), (queried["state"]!.GetValue<string>(), queried["fail_reason"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await desk.CreateAsync(desk.Transfer("afterFrozen1", 500))).Status);
    }

    [Fact]
    public async Task Closing_the_confirm_page_changes_nothing_and_a_wrong_merchant_or_package_is_refused()
    {
        await using var desk = await Desk.StartAsync();
        var created = await desk.CreatedAsync(desk.Transfer("closeBill1", 300));
        Assert.Equal((HttpStatusCode.OK, "requestMerchantTransfer:fail cancel"), await desk.UserAsync(created, "cancel"));
        Assert.Equal("WAIT_USER_CONFIRM", await desk.StateAsync("closeBill1"));
        Assert.Equal(HttpStatusCode.BadRequest, (await desk.UserAsync(created, "confirm", mchId: "1900000001")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await desk.UserAsync(new JsonObject(), "confirm")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await desk.UserAsync(created, "accept")).Status);
        Assert.Equal("WAIT_USER_CONFIRM", await desk.StateAsync("closeBill1"));
        Assert.Empty(desk.Receiver.All);
    }

    [Fact]
    public async Task A_transfer_left_unconfirmed_for_24_hours_fails_with_OVERDUE_CLOSE_and_frees_its_amount()
    {
        await using var desk = await Desk.StartAsync(transferFloat: 800);
        var created = await desk.CreatedAsync(desk.Transfer("overdueBill1", 800));
        await desk.Sandbox.AdvanceAsync(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.Equal("WAIT_USER_CONFIRM", await desk.StateAsync("overdueBill1"));
        Assert.Equal("NOT_ENOUGH", Code((await desk.CreateAsync(desk.Transfer("overdueBill2", 800))).Json));

        await desk.Sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        var (_, _, bill) = await desk.NoticeAsync();
        Assert.Equal(("FAIL", "OVERDUE_CLOSE", "2026-11-24T20:00:00+08:00"),
            (bill["state"]!.GetValue<string>(), bill["fail_reason"]!.GetValue<string>(), bill["update_time"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, (await desk.UserAsync(created, "confirm")).Status);
        Assert.Equal(HttpStatusCode.OK, (await desk.CreateAsync(desk.Transfer("overdueBill2", 800))).Status);
        Assert.Single(desk.Receiver.All);
    }

    [Fact]
    public async Task The_operation_account_holds_transfer_float_and_the_setting_takes_whole_fen()
    {
        await using var desk = await Desk.StartAsync(transferFloat: 1000);
        await desk.CreatedAsync(desk.Transfer("floatBill1", 600));
        var (status, _, refused) = await desk.CreateAsync(desk.Transfer("floatBill2", 401));
        Assert.Equal((HttpStatusCode.Forbidden, "NOT_ENOUGH"), (status, Code(refused)));
        Assert.Equal("NOT_FOUND", Code((await desk.QueryAsync("floatBill2")).Json));
        await desk.CreatedAsync(desk.Transfer("floatBill2", 400));

        foreach (var bad in new[] { "-1", "1.5", "ten yuan" })
        {
            using var response = await desk.Sandbox.PutSettingsAsync("wechatpay", new Dictionary<string, string> { ["transfer_float"] = bad });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("transfer_float must be a whole number of fen", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Transfers_survive_a_restart_waiting_for_the_user_and_for_their_close()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-wechat-transfer-" + Guid.NewGuid().ToString("N"));
        await using var receiver = await Receiver.StartAsync("/wechatpay/transfers");
        JsonObject confirmLater;
        await using (var first = await Desk.StartAsync(transferFloat: 1000, data: data, receiver: receiver))
        {
            confirmLater = await first.CreatedAsync(first.Transfer("restartBill1", 300));
            await first.CreatedAsync(first.Transfer("restartBill2", 700));
        }

        await using (var second = await Desk.StartAsync(data: data, receiver: receiver, now: new DateTimeOffset(2026, 11, 24, 11, 0, 0, TimeSpan.Zero)))
        {
            Assert.Equal("NOT_ENOUGH", Code((await second.CreateAsync(second.Transfer("restartBill3", 10))).Json));
            Assert.Equal((HttpStatusCode.OK, "requestMerchantTransfer:ok"), await second.UserAsync(confirmLater, "confirm"));
            Assert.Equal("SUCCESS", (await second.NoticeAsync()).Bill["state"]!.GetValue<string>());

            await second.Sandbox.AdvanceAsync(TimeSpan.FromHours(1));
            var (_, _, closed) = await second.NoticeAsync();
            Assert.Equal(("restartBill2", "OVERDUE_CLOSE"), (closed["out_bill_no"]!.GetValue<string>(), closed["fail_reason"]!.GetValue<string>()));
            Assert.Equal(HttpStatusCode.OK, (await second.CreateAsync(second.Transfer("restartBill3", 700))).Status);
        }

        Directory.Delete(data, recursive: true);
        Assert.Equal(2, receiver.All.Count);
    }
}
