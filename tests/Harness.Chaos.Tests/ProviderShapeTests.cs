using System.Net;
using System.Text;
using Harness.Chaos.Campaigns;

namespace Harness.Chaos.Tests;

/// <summary>The providers' answer shapes refuse what the real providers would never send.</summary>
public sealed class ProviderShapeTests
{
    [Fact]
    public void A_stripe_answer_needs_a_request_id_and_an_error_object()
    {
        using var fine = Answer(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","message":"m"}}""", requestId: true);
        using var noId = Answer(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","message":"m"}}""", requestId: false);
        using var flat = Answer(HttpStatusCode.BadRequest, """{"error":"m"}""", requestId: true);

        Assert.Null(AnswerShapes.Stripe(fine, """{"error":{"type":"invalid_request_error","message":"m"}}"""));
        Assert.Equal("no Request-Id header", AnswerShapes.Stripe(noId, "{}"));
        Assert.NotNull(AnswerShapes.Stripe(flat, """{"error":"m"}"""));
    }

    [Fact]
    public void A_creem_error_repeats_its_status()
    {
        using var response = Answer(HttpStatusCode.NotFound, "", requestId: false);

        Assert.Null(AnswerShapes.Creem(response, """{"statusCode":404,"message":"gone","error":"Not Found"}"""));
        Assert.NotNull(AnswerShapes.Creem(response, """{"statusCode":400,"message":"gone","error":"Bad Request"}"""));
    }

    [Fact]
    public void Epays_json_apis_answer_code_and_msg()
    {
        using var response = Answer(HttpStatusCode.OK, "", requestId: false);
        response.RequestMessage = new HttpRequestMessage(HttpMethod.Post, "http://epay.test/mapi.php");

        Assert.Null(AnswerShapes.Epay(response, """{"code":-1,"msg":"签名校验失败"}"""));
        Assert.NotNull(AnswerShapes.Epay(response, "<html></html>"));
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, bool requestId)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (requestId)
        {
            response.Headers.Add("Request-Id", "req_1");
        }

        return response;
    }
}
