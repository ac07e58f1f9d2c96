using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.WeChatPay;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 委托代扣 (papay) for the ordinary merchant over HTTP with the signed client the other WeChat Pay tests use: 预签约,
/// the user's signing page, ENTRUST.SIGN / ENTRUST.TERMINATE verified and decrypted, the contract query, 解约, and
/// 受理扣款 whose PAP transaction is notified, queried and refunded through the ordinary routes.
/// </summary>
public sealed class WeChatPayPapayTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A sandbox, a signing client and a receiver for contract and deduction notifications.</summary>
    internal sealed class Desk : IAsyncDisposable
    {
        public required TestSandbox Sandbox { get; init; }

        public required WeChatPayWire Wire { get; init; }

        public required Receiver Receiver { get; init; }

        public bool OwnsReceiver { get; init; }

        public static async Task<Desk> StartAsync(string? data = null, Receiver? receiver = null, DateTimeOffset? now = null)
        {
            var sandbox = await TestSandbox.StartAsync(now, configure: data is null ? null : o => o.DataDirectory = data);
            return new Desk { Sandbox = sandbox, Wire = await WireAsync(sandbox), Receiver = receiver ?? await Receiver.StartAsync("/wechatpay/papay"), OwnsReceiver = receiver is null };
        }

        public JsonObject PreSign(string outContractCode, string scene = "SIGN_SCENE_QRCODE", string? returnUrl = null)
        {
            var request = new JsonObject
            {
                ["sign_scene"] = scene,
                ["appid"] = Wire.Appid,
                ["plan_id"] = WeChatPayProvider.PapayPlanId,
                ["out_contract_code"] = outContractCode,
                ["contract_display_account"] = "会员 Alice",
                ["contract_notify_url"] = Receiver.Url,
                ["out_user_code"] = "alice",
                ["device_info"] = new JsonObject
                {
                    ["device_type"] = "DEVICE_TYPE_PHONE",
                    ["device_os"] = "iOS 17",
                    ["device_id"] = "device-0001",
                    ["device_running_as_root"] = false,
                    ["device_ip"] = "203.0.113.7",
                    ["weixin_installed"] = true,
                    ["weixin_version"] = "8.0.50",
                    ["days_since_first_login"] = "DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS",
                },
            };
            if (returnUrl is not null)
            {
                request["return_url"] = returnUrl;
            }

            return request;
        }

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> PostAsync(string path, JsonObject body) =>
            CallAsync(Wire, Wire.Request(HttpMethod.Post, path, body));

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> GetAsync(string path) =>
            CallAsync(Wire, Wire.Request(HttpMethod.Get, path));

        public async Task<JsonObject> PreSignedAsync(JsonObject request, string path = "/v3/papay/sign/contracts/pre-entrust-sign")
        {
            var (status, body, json) = await PostAsync(path, request);
            Assert.True(status == HttpStatusCode.OK, body);
            return json!;
        }

        /// <summary>The user answers the signing page of that 预签约 (sign or refuse); the page's status and where it sends the user.</summary>
        public async Task<(HttpStatusCode Status, string Body, Uri? Location)> UserAsync(string preEntrustwebId, string action)
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            using var form = new FormUrlEncodedContent([new("action", action)]);
            using var response = await http.PostAsync($"{Sandbox.BaseUrl("wechatpay")}{WeChatPayProvider.PapaySignPagePath}?pre_entrustweb_id={preEntrustwebId}", form, Ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response.Headers.Location);
        }

        /// <summary>预签约 and the user's signature: the ENTRUST.SIGN contract.</summary>
        public async Task<JsonObject> SignedAsync(string outContractCode)
        {
            var id = (await PreSignedAsync(PreSign(outContractCode, "SIGN_SCENE_APP")))["pre_entrustweb_id"]!.GetValue<string>();
            Assert.Equal(HttpStatusCode.OK, (await UserAsync(id, "sign")).Status);
            var (eventType, contract) = await NoticeAsync("papay");
            Assert.Equal("ENTRUST.SIGN", eventType);
            return contract;
        }

        public JsonObject Deduction(string outTradeNo, string contractId, long total) => new()
        {
            ["appid"] = Wire.Appid,
            ["out_trade_no"] = outTradeNo,
            ["description"] = "会员月费",
            ["transaction_notify_url"] = Receiver.Url,
            ["contract_id"] = contractId,
            ["amount"] = new JsonObject { ["total"] = total, ["currency"] = "CNY" },
            ["attach"] = "month=2026-12",
        };

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> DeductAsync(JsonObject deduction) =>
            PostAsync("/v3/papay/pay/transactions/apply", deduction);

        /// <summary>The next notification, its signature checked and its resource decrypted under the associated data expected.</summary>
        public async Task<(string EventType, JsonObject Resource)> NoticeAsync(string associatedData)
        {
            var notice = await Receiver.NextAsync();
            Assert.Equal("WECHATPAY2-SHA256-RSA2048", notice.Header("Wechatpay-Signature-Type"));
            Assert.True(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature")));
            var envelope = JsonNode.Parse(notice.Body)!;
            Assert.Equal(("encrypt-resource", "AEAD_AES_256_GCM", associatedData), (envelope["resource_type"]!.GetValue<string>(),
                envelope["resource"]!["algorithm"]!.GetValue<string>(), envelope["resource"]!["associated_data"]!.GetValue<string>()));
            return (envelope["event_type"]!.GetValue<string>(), Wire.Resource(notice.Body));
        }

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> QueryContractAsync(string outContractCode, long planId = WeChatPayProvider.PapayPlanId) =>
            GetAsync($"/v3/papay/sign/contracts/plan-id/{planId}/out-contract-code/{outContractCode}");

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> TerminateAsync(string outContractCode) =>
            PostAsync($"/v3/papay/sign/contracts/plan-id/{WeChatPayProvider.PapayPlanId}/out-contract-code/{outContractCode}/terminate",
                new JsonObject { ["contract_termination_remark"] = "用户退订会员" });

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

    internal static string Text(JsonNode? node, string key) => node![key]!.GetValue<string>();

    [Fact]
    public async Task The_user_signs_on_the_page_the_merchant_is_told_ENTRUST_SIGN_and_the_query_answers_the_contract()
    {
        await using var desk = await Desk.StartAsync();
        Assert.Equal("12535", (await desk.Sandbox.GetJsonAsync("/control/providers/wechatpay"))["credentials"]!["papay_plan_id"]!.GetValue<string>());
        var preSigned = await desk.PreSignedAsync(desk.PreSign("member1001", returnUrl: "https://merchant.example/papay/done"));
        var id = Text(preSigned, "pre_entrustweb_id");
        Assert.Equal($"{desk.Sandbox.BaseUrl("wechatpay")}{WeChatPayProvider.PapaySignPagePath}?pre_entrustweb_id={id}", Text(preSigned, "redirect_url"));

        // Not signed yet: the query does not find it, and the page shows the terms.
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), ((await desk.QueryContractAsync("member1001")).Status, Text((await desk.QueryContractAsync("member1001")).Json, "code")));
        using (var http = new HttpClient())
        {
            var page = await http.GetStringAsync(Text(preSigned, "redirect_url"), Ct);
            Assert.Contains("会员 Alice", page, StringComparison.Ordinal);
        }

        var (status, _, location) = await desk.UserAsync(id, "sign");
        Assert.Equal((HttpStatusCode.Redirect, "https://merchant.example/papay/done"), (status, location!.ToString()));
        var (eventType, contract) = await desk.NoticeAsync("papay");
        Assert.Equal("ENTRUST.SIGN", eventType);
        Assert.Equal((desk.Wire.Mchid, desk.Wire.Appid, 12535L, "member1001", "会员 Alice", "SIGNED", "alice"),
            (Text(contract, "mchid"), Text(contract, "appid"), contract["plan_id"]!.GetValue<long>(), Text(contract, "out_contract_code"),
             Text(contract, "contract_display_account"), Text(contract, "contract_state"), Text(contract, "out_user_code")));
        Assert.Matches("^[0-9]{18}$", Text(contract, "contract_id"));
        Assert.EndsWith("+08:00", Text(contract, "contract_signed_time"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(Text(contract, "openid")));
        Assert.Null(contract["contract_terminate_info"]);

        var queried = (await desk.QueryContractAsync("member1001")).Json!;
        Assert.True(JsonNode.DeepEquals(contract, queried), queried.ToJsonString());

        // Signed once: the page is gone, and the code cannot be signed again.
        Assert.Equal(HttpStatusCode.NotFound, (await desk.UserAsync(id, "sign")).Status);
        Assert.Equal("INVALID_REQUEST", Text((await desk.PostAsync("/v3/papay/sign/contracts/pre-entrust-sign", desk.PreSign("member1001"))).Json, "code"));
        Assert.Single(desk.Receiver.All);
    }

    [Fact]
    public async Task The_APP_and_H5_pre_signings_answer_their_shapes_and_a_user_who_leaves_changes_nothing()
    {
        await using var desk = await Desk.StartAsync();
        var app = await desk.PreSignedAsync(desk.PreSign("appSign1", "SIGN_SCENE_APP"));
        Assert.Equal(new[] { "pre_entrustweb_id" }, app.Select(p => p.Key));
        var again = await desk.PreSignedAsync(desk.PreSign("appSign1", "SIGN_SCENE_APP"));
        Assert.Equal(Text(app, "pre_entrustweb_id"), Text(again, "pre_entrustweb_id"));

        var scheduledApp = await desk.PreSignedAsync(ScheduledRequest(desk, "schedApp1"), "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/app");
        Assert.Equal(new[] { "pre_entrustweb_id" }, scheduledApp.Select(p => p.Key));
        var h5 = await desk.PreSignedAsync(ScheduledRequest(desk, "schedH51"), "/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/h5");
        Assert.Equal(new[] { "redirect_url" }, h5.Select(p => p.Key));

        var (status, body, _) = await desk.UserAsync(Text(app, "pre_entrustweb_id"), "refuse");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("放弃", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await desk.QueryContractAsync("appSign1")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await desk.UserAsync(Text(app, "pre_entrustweb_id"), "maybe")).Status);

        // The H5 link is the signing page; signing there notifies as any other scene.
        var h5Id = new Uri(Text(h5, "redirect_url")).Query.Split('=')[1];
        Assert.Equal(HttpStatusCode.OK, (await desk.UserAsync(h5Id, "sign")).Status);
        Assert.Equal("ENTRUST.SIGN", (await desk.NoticeAsync("papay")).EventType);
        Assert.Equal("SIGNED", Text((await desk.QueryContractAsync("schedH51")).Json, "contract_state"));
    }

    private static JsonObject ScheduledRequest(Desk desk, string outContractCode) => new()
    {
        ["appid"] = desk.Wire.Appid,
        ["plan_id"] = WeChatPayProvider.PapayPlanId,
        ["out_contract_code"] = outContractCode,
        ["contract_display_account"] = "会员 Bob",
        ["contract_notify_url"] = desk.Receiver.Url,
    };

    [Fact]
    public async Task A_deduction_is_notified_TRANSACTION_SUCCESS_queried_as_PAP_and_refunded()
    {
        await using var desk = await Desk.StartAsync();
        var contract = await desk.SignedAsync("member2001");
        var (status, body, accepted) = await desk.DeductAsync(desk.Deduction("renew_202612_1", Text(contract, "contract_id"), 1500));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("""{"out_trade_no":"renew_202612_1","amount":{"total":1500,"currency":"CNY"}}""", accepted!.ToJsonString());

        var (eventType, transaction) = await desk.NoticeAsync("transaction");
        Assert.Equal("TRANSACTION.SUCCESS", eventType);
        Assert.Equal(("renew_202612_1", "PAP", "SUCCESS", "month=2026-12", Text(contract, "openid"), 1500L),
            (Text(transaction, "out_trade_no"), Text(transaction, "trade_type"), Text(transaction, "trade_state"), Text(transaction, "attach"),
             Text(transaction["payer"], "openid"), transaction["amount"]!["total"]!.GetValue<long>()));

        var queried = (await desk.GetAsync($"/v3/pay/transactions/out-trade-no/renew_202612_1?mchid={desk.Wire.Mchid}")).Json!;
        Assert.True(JsonNode.DeepEquals(transaction, queried), queried.ToJsonString());
        var transactionId = Text(transaction, "transaction_id");
        Assert.Equal("PAP", Text((await desk.GetAsync($"/v3/pay/transactions/id/{transactionId}?mchid={desk.Wire.Mchid}")).Json, "trade_type"));

        var refund = await desk.PostAsync("/v3/refund/domestic/refunds", new JsonObject
        {
            ["transaction_id"] = transactionId,
            ["out_refund_no"] = "renew_refund_1",
            ["notify_url"] = desk.Receiver.Url,
            ["amount"] = new JsonObject { ["refund"] = 500, ["total"] = 1500, ["currency"] = "CNY" },
        });
        Assert.True(refund.Status == HttpStatusCode.OK, refund.Body);
        var (refundEvent, refunded) = await desk.NoticeAsync("refund");
        Assert.Equal(("REFUND.SUCCESS", 500L), (refundEvent, refunded["amount"]!["refund"]!.GetValue<long>()));
        Assert.Equal("REFUND", Text((await desk.GetAsync($"/v3/pay/transactions/out-trade-no/renew_202612_1?mchid={desk.Wire.Mchid}")).Json, "trade_state"));
    }

    [Fact]
    public async Task A_deduction_of_an_amount_ending_2222_fails_with_TRANSACTION_FAIL_and_reads_PAY_FAIL()
    {
        await using var desk = await Desk.StartAsync();
        var contract = await desk.SignedAsync("member3001");
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("renew_fail_1", Text(contract, "contract_id"), 2222))).Status);
        var (eventType, transaction) = await desk.NoticeAsync("transaction");
        Assert.Equal(("TRANSACTION.FAIL", "PAY_FAIL"), (eventType, Text(transaction, "trade_state")));
        Assert.Null(transaction["transaction_id"]);
        Assert.Equal("PAY_FAIL", Text((await desk.GetAsync($"/v3/pay/transactions/out-trade-no/renew_fail_1?mchid={desk.Wire.Mchid}")).Json, "trade_state"));
        var retried = await desk.DeductAsync(desk.Deduction("renew_fail_1", Text(contract, "contract_id"), 2000));
        Assert.Equal((HttpStatusCode.BadRequest, "ORDER_CLOSED"), (retried.Status, Text(retried.Json, "code")));

        // The contract still stands: the next period's deduction succeeds.
        Assert.Equal(HttpStatusCode.OK, (await desk.DeductAsync(desk.Deduction("renew_fail_2", Text(contract, "contract_id"), 2223))).Status);
        Assert.Equal("TRANSACTION.SUCCESS", (await desk.NoticeAsync("transaction")).EventType);
    }

    [Fact]
    public async Task A_terminated_contract_is_told_ENTRUST_TERMINATE_and_cannot_be_charged()
    {
        await using var desk = await Desk.StartAsync();
        var contract = await desk.SignedAsync("member4001");
        var (status, body, terminated) = await desk.TerminateAsync("member4001");
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(("TERMINATED", "MCH_API_TERMINATE", "用户退订会员"), (Text(terminated, "contract_state"),
            Text(terminated!["contract_terminate_info"], "contract_termination_mode"), Text(terminated["contract_terminate_info"], "contract_termination_remark")));

        var (eventType, notified) = await desk.NoticeAsync("papay");
        Assert.Equal("ENTRUST.TERMINATE", eventType);
        Assert.True(JsonNode.DeepEquals(terminated, notified));
        Assert.True(JsonNode.DeepEquals(terminated, (await desk.QueryContractAsync("member4001")).Json));

        var refused = await desk.DeductAsync(desk.Deduction("renew_after_end", Text(contract, "contract_id"), 1500));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (refused.Status, Text(refused.Json, "code")));
        Assert.Equal("INVALID_REQUEST", Text((await desk.TerminateAsync("member4001")).Json, "code"));

        // The user ends another contract in WeChat: USER_TERMINATE, told the same way.
        var other = await desk.SignedAsync("member4002");
        var ended = await desk.Sandbox.PostJsonAsync($"/control/wechatpay/papay/contracts/{Text(other, "contract_id")}/terminate");
        Assert.Equal("TERMINATED", Text(ended, "state"));
        var (userEvent, byUser) = await desk.NoticeAsync("papay");
        Assert.Equal(("ENTRUST.TERMINATE", "USER_TERMINATE"), (userEvent, Text(byUser["contract_terminate_info"], "contract_termination_mode")));
        Assert.Equal(HttpStatusCode.BadRequest, (await desk.DeductAsync(desk.Deduction("renew_after_user", Text(other, "contract_id"), 1500))).Status);
        Assert.Equal(4, desk.Receiver.All.Count);
    }

    [Fact]
    public async Task A_repeated_out_trade_no_deducts_once_and_another_body_under_it_is_refused()
    {
        await using var desk = await Desk.StartAsync();
        var contractId = Text(await desk.SignedAsync("member5001"), "contract_id");
        var first = await desk.DeductAsync(desk.Deduction("renew_dup_1", contractId, 900));
        var again = await desk.DeductAsync(desk.Deduction("renew_dup_1", contractId, 900));
        Assert.Equal((HttpStatusCode.OK, first.Body), (again.Status, again.Body));
        Assert.Equal("TRANSACTION.SUCCESS", (await desk.NoticeAsync("transaction")).EventType);

        var changed = await desk.DeductAsync(desk.Deduction("renew_dup_1", contractId, 901));
        Assert.Equal((HttpStatusCode.Forbidden, "ORDERPAID"), (changed.Status, Text(changed.Json, "code")));

        // An out_trade_no of an ordinary order is taken too.
        var order = Order(desk.Wire, "native_then_pap", desk.Receiver.Url);
        Assert.Equal(HttpStatusCode.OK, (await desk.PostAsync("/v3/pay/transactions/native", order)).Status);
        var taken = await desk.DeductAsync(desk.Deduction("native_then_pap", contractId, 900));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (taken.Status, Text(taken.Json, "code")));

        await desk.Sandbox.RunDueAsync();
        Assert.Equal(2, desk.Receiver.All.Count);
    }

    public static TheoryData<string, string, string?, HttpStatusCode, string> PreSignRefusals => new()
    {
        { "sign_scene", "\"SIGN_SCENE_H5\"", "sign_scene", HttpStatusCode.BadRequest, "PARAM_ERROR" },
        { "plan_id", "\"12535\"", "plan_id", HttpStatusCode.BadRequest, "PARAM_ERROR" },
        { "plan_id", "99999", null, HttpStatusCode.BadRequest, "INVALID_REQUEST" },
        { "out_contract_code", "\"with-dash\"", "out_contract_code", HttpStatusCode.BadRequest, "PARAM_ERROR" },
        { "contract_notify_url", "\"ftp://x.example/n\"", "contract_notify_url", HttpStatusCode.BadRequest, "PARAM_ERROR" },
        { "out_user_code", "null", "out_user_code", HttpStatusCode.BadRequest, "PARAM_ERROR" },
        { "device_info", "null", "device_info", HttpStatusCode.BadRequest, "PARAM_ERROR" },
        { "device_info", "{\"device_type\":\"DEVICE_TYPE_CAR\",\"device_os\":\"x\",\"device_id\":\"x\",\"device_ip\":\"x\",\"weixin_version\":\"x\",\"days_since_first_login\":\"DAYS_SINCE_FIRST_LOGIN_UNKNOW\",\"device_running_as_root\":false,\"weixin_installed\":true}", "device_info.device_type", HttpStatusCode.BadRequest, "PARAM_ERROR" },
        { "appid", "\"wx0000000000000000\"", null, HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH" },
        { "deduct_schedule", "{}", "deduct_schedule", HttpStatusCode.BadRequest, "PARAM_ERROR" },
    };

    [Theory]
    [MemberData(nameof(PreSignRefusals))]
    public async Task A_bad_pre_signing_is_refused_signed_naming_the_field(string field, string json, string? named, HttpStatusCode expected, string code)
    {
        await using var desk = await Desk.StartAsync();
        var request = desk.PreSign("badSign1");
        request[field] = JsonNode.Parse(json);
        var (status, body, error) = await desk.PostAsync("/v3/papay/sign/contracts/pre-entrust-sign", request);
        Assert.True(status == expected, body);
        Assert.Equal(code, Text(error, "code"));
        Assert.Equal(named, error!["detail"]?["field"]?.GetValue<string>());
    }

    [Fact]
    public async Task Deductions_and_queries_of_unknown_contracts_and_bad_fields_are_refused()
    {
        await using var desk = await Desk.StartAsync();
        var contractId = Text(await desk.SignedAsync("member6001"), "contract_id");
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await desk.DeductAsync(desk.Deduction("renew_unknown", "202612010000000000", 100))));
        Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR"), Refusal(await desk.DeductAsync(desk.Deduction("renew_zero", contractId, 0))));
        var noContract = desk.Deduction("renew_none", contractId, 100);
        noContract.Remove("contract_id");
        Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR"), Refusal(await desk.DeductAsync(noContract)));
        var otherApp = desk.Deduction("renew_app", contractId, 100);
        otherApp["appid"] = "wx0000000000000000";
        Assert.Equal((HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH"), Refusal(await desk.DeductAsync(otherApp)));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await desk.QueryContractAsync("member6001", 99999)));
        Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR"), Refusal(await desk.GetAsync("/v3/papay/sign/contracts/plan-id/abc/out-contract-code/member6001")));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), Refusal(await desk.TerminateAsync("noSuchCode")));
        Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR"), Refusal(await desk.PostAsync(
            $"/v3/papay/sign/contracts/plan-id/{WeChatPayProvider.PapayPlanId}/out-contract-code/member6001/terminate", new JsonObject())));
        Assert.Single(desk.Receiver.All);
    }

    private static (HttpStatusCode, string) Refusal((HttpStatusCode Status, string Body, JsonObject? Json) answer) => (answer.Status, Text(answer.Json, "code"));

    [Fact]
    public async Task A_signed_contract_survives_a_restart_and_is_charged_after_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-wechat-papay-" + Guid.NewGuid().ToString("N"));
        await using var receiver = await Receiver.StartAsync("/wechatpay/papay");
        string contractId;
        await using (var first = await Desk.StartAsync(data, receiver))
        {
            contractId = Text(await first.SignedAsync("member7001"), "contract_id");

            // The receiver has answered; let the attempt's outcome be recorded before the sandbox stops.
            await first.Sandbox.RunDueAsync();
        }

        await using var second = await Desk.StartAsync(data, receiver);
        Assert.Equal(contractId, Text((await second.QueryContractAsync("member7001")).Json, "contract_id"));
        Assert.Equal(HttpStatusCode.OK, (await second.DeductAsync(second.Deduction("renew_restart_1", contractId, 3000))).Status);
        Assert.Equal("TRANSACTION.SUCCESS", (await second.NoticeAsync("transaction")).EventType);
    }
}
