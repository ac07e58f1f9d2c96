using System.Net;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// A webhook endpoint the backend registers through the Webhook Endpoints API. It points at the scenario's receiver with
/// a query of its own, so its deliveries are told apart from the dashboard endpoint's; it is deleted when the scenario ends.
/// </summary>
public sealed partial class StripeSteps
{
    private const string EndpointQuery = "endpoint=api";

    private string? _endpointId;
    private string? _endpointSecret;

    [Given("the merchant registers a webhook endpoint for {string} through the API")]
    public async Task RegisterEndpoint(string eventType)
    {
        var reply = await StripeAsync(HttpMethod.Post, "/v1/webhook_endpoints",
            [new("url", _world.Receiver.Url + "?" + EndpointQuery), new("enabled_events[0]", eventType), new("description", context.Unique("endpoint"))]);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"creating a webhook endpoint ({reply.Body})");
        _endpointId = ApiReply.Text(ApiReply.Field(reply.Json, "id"));
        _endpointSecret = ApiReply.Text(ApiReply.Field(reply.Json, "secret"));
        context.Masker.Add(_endpointSecret);
        _world.UndoAtEnd(HttpMethod.Delete, await _world.BaseUrlAsync("stripe") + "/v1/webhook_endpoints/" + _endpointId, _ownKey ?? await _world.CredentialAsync("stripe", "secret_key"));
        Check.Equal(HttpStatusCode.OK, (await StripeAsync(HttpMethod.Get, "/v1/webhook_endpoints/" + _endpointId)).Status, "retrieving the endpoint");
        Check.That(!_world.Last.Body.Contains(_endpointSecret, StringComparison.Ordinal), "retrieving the endpoint shows its secret again");
    }

    [When("the merchant disables the endpoint")]
    public async Task DisableEndpoint() =>
        Check.Equal(HttpStatusCode.OK, (await StripeAsync(HttpMethod.Post, "/v1/webhook_endpoints/" + _endpointId, [new("disabled", "true")])).Status, $"disabling the endpoint ({_world.Last.Body})");

    [Then("the endpoint gets only {string}, signed with the secret its creation returned")]
    public async Task EndpointGetsOnly(string eventType)
    {
        var received = await ToEndpointAsync();
        Check.Equal(eventType, string.Join(", ", received.Select(SandboxWorld.EventType)), "the events the endpoint got");
        await VerifyAsync(received[0].Header("Stripe-Signature"), received[0].Body, DateTimeOffset.UtcNow, _endpointSecret);
    }

    [Then("the dashboard endpoint gets every event, signed with the published webhook secret")]
    public async Task DashboardGetsEverything()
    {
        var received = (await _world.ReceivedAsync()).Where(r => !r.Query.Contains(EndpointQuery, StringComparison.Ordinal)).ToList();
        Check.That(received.Count > 1, $"the dashboard endpoint got {received.Count} events");
        foreach (var request in received)
        {
            await VerifyAsync(request.Header("Stripe-Signature"), request.Body, DateTimeOffset.UtcNow);
        }
    }

    [Then("the endpoint has got nothing more")]
    public async Task EndpointGotNothingMore() => Check.Equal(1, (await ToEndpointAsync()).Count, "deliveries to the endpoint");

    private async Task<List<ReceivedRequest>> ToEndpointAsync() =>
        [.. (await _world.ReceivedAsync()).Where(r => r.Query.Contains(EndpointQuery, StringComparison.Ordinal))];
}
