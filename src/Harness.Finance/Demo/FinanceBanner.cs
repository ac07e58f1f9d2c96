namespace Harness.Finance.Demo;

/// <summary>The Finance surface's part of the start banner: where it is and how to try it in one paste.</summary>
public static class FinanceBanner
{
    public static IEnumerable<string> Describe(string baseUrl, string dataDirectory, DemoCredentials? demo, bool testClock = false)
    {
        yield return $"Finance          {baseUrl}";
        yield return $"  API docs       {baseUrl}/scalar   (OpenAPI JSON: {baseUrl}/openapi/v1.json)";
        yield return $"  Health         {baseUrl}/api/health";
        yield return $"  Data           {Path.GetFullPath(dataDirectory)}";
        if (testClock)
        {
            yield return $"  Test clock     {baseUrl}/api/test/clock/advance   (POST {{\"seconds\":N}}; anyone may move this backend's time: conformance runs only)";
        }

        if (demo is null)
        {
            yield break;
        }

        string[] lines =
        [
            "",
            "Demo credentials (fresh tokens each start; a new sign-in ends the previous token):",
            $"  Admin   userId {demo.Admin.Id}  phone {demo.Admin.Phone}",
            $"          token  {demo.AdminToken}",
            $"  User    userId {demo.User.Id}  phone {demo.User.Phone}",
            $"          token  {demo.UserToken}",
            $"  OpenAPI key (all users)  {demo.ApiKey}",
            "  Sign in as anyone: POST /api/auth/sms/sendCode {phone}, read GET /api/auth/sms/sandbox/code?phone=, POST /api/auth/login {phone, code}",
            "",
            "Consume coins (run it twice: the second call is a replay and charges nothing):",
            $"  curl -s {baseUrl}/api/finance/consume -H 'Authorization: Bearer {demo.UserToken}' -H 'Content-Type: application/json' \\",
            "    -d '{\"idempotencyKey\":\"demo-1\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":1500}'",
            "",
            "Same through the OpenAPI key:",
            $"  curl -s {baseUrl}/openapi/coin/consume -H 'X-API-Key: {demo.ApiKey}' -H 'Content-Type: application/json' \\",
            $"    -d '{{\"userId\":\"{demo.User.Id}\",\"idempotencyKey\":\"demo-2\",\"serviceCode\":\"report-export\",\"consumeType\":\"FIXED\"}}'",
            "",
            "Recharge 660 coins through the WeChat Pay sandbox (\"alipay\" works the same):",
            $"  curl -s {baseUrl}/api/finance/recharge/create -H 'Authorization: Bearer {demo.UserToken}' -H 'Content-Type: application/json' \\",
            "    -d '{\"planId\":\"coins-600\",\"channel\":\"wechat\"}'",
            "  then open the sandbox's dashboard (below), click the payment and press Pay (or POST /control/payments/{id}/pay);",
            $"  the signed notification credits the coins once: GET {baseUrl}/api/finance/recharge/status/<orderNo>",
        ];
        foreach (var line in lines)
        {
            yield return line;
        }
    }
}
