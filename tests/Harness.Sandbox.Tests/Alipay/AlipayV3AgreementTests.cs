using System.Net;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Alipay.AlipayAgreementTests;
using static Harness.Sandbox.Tests.Alipay.AlipayTradeCreateTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// The agreement methods on Alipay's v3 routes: <c>GET /v3/alipay/user/agreement/query</c>, <c>POST …/unsign</c>,
/// <c>POST …/transfer</c> and <c>POST …/executionplan/modify</c>, answered and refused in the v3 shape over the same
/// agreements the gateway serves.
/// </summary>
public sealed class AlipayV3AgreementTests
{
    [Fact]
    public async Task A_signed_agreement_is_queried_moved_and_unsigned_on_v3_with_the_unsign_notify()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var agreementNo = await SignAsync(await SignPageAsync(alipay, CycleSign("SUB_V3"), receiver.Url));
        Assert.Equal("dut_user_sign", (await receiver.NextAsync()).Form["notify_type"]);

        var (status, queried) = await V3Async(sandbox, "/v3/alipay/user/agreement/query?agreement_no=" + agreementNo, null);
        Assert.True(status == HttpStatusCode.OK, queried.ToJsonString());
        Assert.Equal((agreementNo, "NORMAL", "CYCLE_PAY_AUTH_P", "SUB_V3", "2026-11-23"),
            (queried["agreement_no"]!.GetValue<string>(), queried["status"]!.GetValue<string>(), queried["personal_product_code"]!.GetValue<string>(), queried["external_agreement_no"]!.GetValue<string>(), queried["next_deduct_time"]!.GetValue<string>()));
        Assert.Null(queried["code"]); // v3 answers carry the fields alone

        var (moved, plan) = await V3Async(sandbox, "/v3/alipay/user/agreement/executionplan/modify", $$"""{"agreement_no":"{{agreementNo}}","deduct_time":"2026-12-01"}""");
        Assert.True(moved == HttpStatusCode.OK, plan.ToJsonString());
        Assert.Equal((agreementNo, "2026-12-01"), (plan["agreement_no"]!.GetValue<string>(), plan["deduct_time"]!.GetValue<string>()));
        Assert.Equal("2026-12-01", (await alipay.CallAsync("alipay.user.agreement.query", new { agreement_no = agreementNo })).Field("next_deduct_time"));

        var (unsigned, unsignBody) = await V3Async(sandbox, "/v3/alipay/user/agreement/unsign", $$"""{"agreement_no":"{{agreementNo}}"}""");
        Assert.Equal((HttpStatusCode.OK, "{}"), (unsigned, unsignBody.ToJsonString()));
        var ended = await receiver.NextAsync();
        Assert.True(alipay.Verifies(ended.Form));
        Assert.Equal(("dut_user_unsign", "UNSIGN", agreementNo), (ended.Form["notify_type"], ended.Form["status"], ended.Form["agreement_no"]));

        // Ended: the v3 query reports it UNSIGN; a second unsign and an unknown agreement are 404 USER_AGREEMENT_NOT_EXIST in the v3 error shape.
        var (after, afterBody) = await V3Async(sandbox, "/v3/alipay/user/agreement/query?agreement_no=" + agreementNo, null);
        Assert.Equal((HttpStatusCode.OK, "UNSIGN"), (after, afterBody["status"]!.GetValue<string>()));
        var (again, againBody) = await V3Async(sandbox, "/v3/alipay/user/agreement/unsign", $$"""{"agreement_no":"{{agreementNo}}"}""");
        Assert.Equal((HttpStatusCode.NotFound, "USER_AGREEMENT_NOT_EXIST"), (again, againBody["code"]!.GetValue<string>()));
        Assert.NotNull(againBody["message"]);
        var (gone, goneBody) = await V3Async(sandbox, "/v3/alipay/user/agreement/query?agreement_no=20260000000000000404", null);
        Assert.Equal((HttpStatusCode.NotFound, "USER_AGREEMENT_NOT_EXIST"), (gone, goneBody["code"]!.GetValue<string>()));
        Assert.Single(receiver.All.Skip(1));
    }

    [Fact]
    public async Task Transfer_on_v3_moves_a_general_withholding_agreement_and_refuses_in_the_v3_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var general = await SignAsync(await SignPageAsync(alipay, new { personal_product_code = "GENERAL_WITHHOLDING_P", access_params = new { channel = "ALIPAYAPP" } }));
        const string rule = """{"period_type":"MONTH","period":1,"execute_time":"2026-11-25","single_amount":"12.00","total_payments":6}""";

        var (status, moved) = await V3Async(sandbox, "/v3/alipay/user/agreement/transfer", $$"""{"agreement_no":"{{general}}","target_product_code":"CYCLE_PAY_AUTH_P","period_rule_params":{{rule}}}""");

        Assert.True(status == HttpStatusCode.OK, moved.ToJsonString());
        Assert.Equal(("2026-11-25", "MONTH", "12.00", "6"),
            (moved["execute_time"]!.GetValue<string>(), moved["period_type"]!.GetValue<string>(), moved["amount"]!.GetValue<string>(), moved["total_payments"]!.GetValue<string>()));
        Assert.Equal("CYCLE_PAY_AUTH_P", (await alipay.CallAsync("alipay.user.agreement.query", new { agreement_no = general })).Field("personal_product_code"));

        // Already 周期扣款: 400 INVALID_PARAMETER; no such agreement: 404; a deduct_time before today: 400.
        var (again, againBody) = await V3Async(sandbox, "/v3/alipay/user/agreement/transfer", $$"""{"agreement_no":"{{general}}","target_product_code":"CYCLE_PAY_AUTH_P","period_rule_params":{{rule}}}""");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_PARAMETER"), (again, againBody["code"]!.GetValue<string>()));
        var (unknown, unknownBody) = await V3Async(sandbox, "/v3/alipay/user/agreement/transfer", $$"""{"agreement_no":"20260000000000000404","target_product_code":"CYCLE_PAY_AUTH_P","period_rule_params":{{rule}}}""");
        Assert.Equal((HttpStatusCode.NotFound, "USER_AGREEMENT_NOT_EXIST"), (unknown, unknownBody["code"]!.GetValue<string>()));
        var (early, earlyBody) = await V3Async(sandbox, "/v3/alipay/user/agreement/executionplan/modify", $$"""{"agreement_no":"{{general}}","deduct_time":"2026-11-01"}""");
        Assert.Equal(HttpStatusCode.BadRequest, early);
        Assert.NotNull(earlyBody["code"]);
        var (noAgreement, _) = await V3Async(sandbox, "/v3/alipay/user/agreement/query", null);
        Assert.Equal(HttpStatusCode.BadRequest, noAgreement);
    }

    [Fact]
    public async Task A_v3_agreement_call_with_a_signature_of_another_key_is_401()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var other = System.Security.Cryptography.RSA.Create(2048);
        using var http = new HttpClient();
        const string path = "/v3/alipay/user/agreement/query?agreement_no=20260000000000000001";
        using var request = new HttpRequestMessage(HttpMethod.Get, sandbox.BaseUrl("alipay") + path);
        request.Headers.TryAddWithoutValidation("authorization", Harness.Conformance.Steps.Providers.ProviderSignatures.AlipayV3Authorization("2021000000000001", other.ExportPkcs8PrivateKeyPem(), "GET", path, ""));
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"code\":\"invalid-signature\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
