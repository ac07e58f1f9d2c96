using System.Net;
using System.Text;
using Harness.Tests.Support;

namespace Harness.Tests.Finance;

/// <summary>
/// Seeded random bodies built from the real field names and hostile values: every answer is a 200
/// or a 4xx in the Finance envelope. A 5xx or a non-envelope body fails with the body that caused it.
/// </summary>
public sealed class RandomInputTests(SignedInBackend backend) : IClassFixture<SignedInBackend>
{
    private static readonly string[] Fields =
    [
        "idempotencyKey", "serviceCode", "consumeType", "tokens", "durationSeconds", "amount", "planId", "bizId",
        "description", "metadata", "userId", "page", "pageSize", "startTime", "endTime", "phone", "code", "name",
        "allUsers", "allowedUserIds", "rate", "enabled", "sort", "id",
    ];

    private static readonly string[] Values =
    [
        "null", "true", "0", "-1", "1", "1.5", "-0", "1e3", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "1e400", "\"\"", "\"TOKEN\"", "\"DURATION\"", "\"FIXED\"", "\"agent-chat\"",
        "\"task-view\"", "\"report-export\"", "\"agent-chat-pro\"", "\"2026-11-23T00:00:00Z\"", "\"not a date\"",
        "\"\\u0000\"", "\"ключ 🔑\"", "[]", "[1,\"a\",null]", "{}", "{\"a\":\"b\"}", "{\"a\":{\"b\":1}}",
        "\"" + new string('x', 600) + "\"", "\"u_demo_user\"", "\"13800000000\"",
    ];

    public static TheoryData<string, string> Routes => new()
    {
        { "POST", "/api/finance/consume" },
        { "POST", "/api/finance/preCheck" },
        { "POST", "/api/finance/records" },
        { "POST", "/api/consumption/summary" },
        { "POST", "/api/consumption/records" },
        { "POST", "/openapi/coin/consume" },
        { "POST", "/openapi/coin/preCheck" },
        { "POST", "/api/admin/finance/credit" },
        { "POST", "/api/admin/apiKeys" },
        { "POST", "/api/admin/finance/servicePlans" },
        { "POST", "/api/auth/sms/sendCode" },
        { "POST", "/api/auth/login" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Random_bodies_never_cause_a_server_error(string method, string path)
    {
        // A seed that is the same in every run (string.GetHashCode is not), so a failure repeats.
        var random = new Random(path.Aggregate(20261123, (seed, c) => unchecked((seed * 31) + c)));
        for (var i = 0; i < 150; i++)
        {
            var body = RandomBody(random);
            var reply = await backend.Client.Send(
                new HttpMethod(method),
                path,
                token: path.StartsWith("/api/admin", StringComparison.Ordinal) ? backend.AdminToken : backend.UserToken,
                apiKey: path.StartsWith("/openapi", StringComparison.Ordinal) ? "hk_demo_LocalDemoKeyForTheHarnessOnly" : null,
                rawBody: body);

            Assert.True((int)reply.Status < 500, $"{(int)reply.Status} for {body}: {reply.Body}");
            Assert.True(reply.Status == HttpStatusCode.OK ? reply.Code == 0 : reply.Code == (int)reply.Status * 100, $"{body} → {reply.Body}");
        }
    }

    private static string RandomBody(Random random)
    {
        var body = new StringBuilder("{");
        var count = random.Next(0, 8);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                body.Append(',');
            }

            body.Append('"').Append(Fields[random.Next(Fields.Length)]).Append("\":").Append(Values[random.Next(Values.Length)]);
        }

        return body.Append('}').ToString();
    }
}
