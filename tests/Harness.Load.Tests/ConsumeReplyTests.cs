using System.Net;
using System.Text;
using Harness.Load.Target;

namespace Harness.Load.Tests;

/// <summary>How the runner reads a consume's answer: only a documented success is an acknowledgement the audit can check.</summary>
public sealed class ConsumeReplyTests
{
    [Theory]
    [InlineData("""{"code":0,"message":"success","data":{"recordId":"1042","coins":3,"replayed":false}}""", "1042", 3, false)]
    [InlineData("""{"data":{"extra":{"nested":[1,{"coins":99}]},"recordId":77,"replayed":true,"coins":5},"code":0}""", "77", 5, true)]
    public void A_documented_success_is_an_acknowledgement(string body, string recordId, long coins, bool replayed)
    {
        var reply = Read(HttpStatusCode.OK, body);

        Assert.True(reply.Ok);
        Assert.Equal((recordId, coins, replayed), (reply.RecordId, reply.Coins, reply.Replayed));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, """{"code":0,"data":{"recordId":"1","replayed":false}}""", 0)] // no coins
    [InlineData(HttpStatusCode.OK, """{"code":0,"data":{"recordId":null,"coins":1}}""", 0)]
    [InlineData(HttpStatusCode.OK, """{"code":0,"data":null}""", 0)]
    [InlineData(HttpStatusCode.OK, """{"code":0,"data":{"coins":"3","recordId":"1"}}""", 0)] // coins as a string
    [InlineData(HttpStatusCode.PaymentRequired, """{"code":40200,"message":"insufficient balance","data":null}""", 40200)]
    [InlineData(HttpStatusCode.OK, """{"code":40900,"data":{"recordId":"1","coins":1}}""", 40900)]
    [InlineData(HttpStatusCode.InternalServerError, "<html>oops</html>", -1)]
    [InlineData(HttpStatusCode.OK, """{"code":0,"data":{"recordId":"1","coins":1""", -1)] // cut short
    [InlineData(HttpStatusCode.OK, "[0]", -1)]
    [InlineData(HttpStatusCode.OK, "", -1)]
    public void Anything_else_is_not(HttpStatusCode status, string body, int code)
    {
        var reply = Read(status, body);

        Assert.False(reply.Ok);
        Assert.Equal((status, code, null), (reply.Status, reply.Code, reply.RecordId));
    }

    private static ConsumeReply Read(HttpStatusCode status, string body) => ConsumeReply.Of(new LoadAnswer(status, EnvelopeFields.Parse(Encoding.UTF8.GetBytes(body))));
}
