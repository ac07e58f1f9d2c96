using System.Net;
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
    public async Task A_receiver_that_is_down_records_the_request_and_never_answers()
    {
        await using var receiver = WebhookReceiver.Start(new ReceiverMode(ReceiverBehaviour.Down, TimeSpan.Zero));
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };

        await Assert.ThrowsAsync<TaskCanceledException>(() => http.PostAsync(receiver.Url, new StringContent(Completed), TestContext.Current.CancellationToken));

        Assert.Equal("evt_1", Assert.Single(receiver.Arrivals).EventId);
    }
}
