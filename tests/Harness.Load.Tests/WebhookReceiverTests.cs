using System.Net;
using System.Security.Cryptography;
using System.Text;
using Harness.Load.Sandbox;

namespace Harness.Load.Tests;

/// <summary>The runner's webhook receiver: what it records from a Stripe event and how each mode answers.</summary>
public sealed class WebhookReceiverTests
{
    private const string Completed = """
        {
          "id": "evt_1",
          "object": "event",
          "data": { "object": { "id": "cs_test_1", "object": "checkout.session", "payment_intent": "pi_1" } },
          "type": "checkout.session.completed"
        }
        """;

    [Fact]
    public async Task A_healthy_receiver_answers_200_and_records_the_event()
    {
        await using var receiver = WebhookReceiver.Start(ReceiverMode.Healthy);
        using var http = new HttpClient();

        using var response = await http.PostAsync(receiver.Url, new StringContent(Completed, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var arrival = Assert.Single(receiver.Arrivals);
        Assert.Equal(("evt_1", "checkout.session.completed", "cs_test_1", "pi_1"), (arrival.EventId, arrival.Type, arrival.ObjectId, arrival.PaymentIntent));
    }

    [Fact]
    public async Task Given_the_webhook_secret_the_receiver_checks_each_stripe_signature()
    {
        const string secret = "whsec_test";
        await using var receiver = WebhookReceiver.Start(ReceiverMode.Healthy, secret);
        using var http = new HttpClient();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("1700000000." + Completed)));

        foreach (var header in new[] { $"t=1700000000,v1={signature}", $"t=1700000001,v1={signature}", "v1=zz" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = new StringContent(Completed, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Stripe-Signature", header);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        }

        Assert.Equal([true, false, false], receiver.Arrivals.Select(a => a.SignatureValid));
        Assert.Equal(["bad signature", "bad signature"], DeliveryAuditor.Audit([], receiver.Arrivals, ReceiverMode.Healthy).Findings.Select(f => f.Kind).Where(k => k == "bad signature"));
    }

    [Fact]
    public async Task A_receiver_that_is_down_records_the_request_and_never_answers()
    {
        await using var receiver = WebhookReceiver.Start(new ReceiverMode(ReceiverBehaviour.Down, TimeSpan.Zero));
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };

        await Assert.ThrowsAsync<TaskCanceledException>(() => http.PostAsync(receiver.Url, new StringContent(Completed), TestContext.Current.CancellationToken));

        Assert.Equal("evt_1", Assert.Single(receiver.Arrivals).EventId);
    }
}
