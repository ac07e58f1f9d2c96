using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;
using Harness.Conformance.Steps.Providers;

namespace Harness.Conformance.Steps.NewApi;

/// <summary>
/// New-API end to end on the provider sandbox (profile <c>newApiSandbox</c>): the buyer opens where the target sent
/// them — Epay's <c>submit.php</c> with the signed form, or the Stripe or Creem checkout — and pays on the sandbox's
/// hosted page; the sandbox then signs and delivers its own callback to the target. Nothing here is forged: what reaches
/// the target is exactly what the provider would send.
/// </summary>
[Steps]
public sealed class SandboxPaySteps(ScenarioContext context)
{
    private readonly NewApiWorld _world = context.Get<NewApiWorld>();
    private readonly SandboxWorld _sandbox = context.Get<SandboxWorld>();

    [When("the buyer pays the user's order on the sandbox's page")]
    [Needs(Need.NewApiSandbox)]
    public async Task PayOrder()
    {
        var order = _world.Order("user");
        var page = order.Provider == "epay" ? await SubmitToGatewayAsync(order) : order.PayUrl ?? throw new AssertionException($"the {order.Provider} order has no checkout URL");
        await PayOnPageAsync(_sandbox, page);
    }

    /// <summary>Pays the sandbox page at the link (a checkout URL the target answered); the sandbox's callbacks have been sent when it returns.</summary>
    public static async Task PayOnPageAsync(SandboxWorld sandbox, string link)
    {
        var page = new Uri(link, UriKind.Absolute);
        Check.That(page.AbsolutePath.Contains("/pay/", StringComparison.Ordinal), $"the target sent the buyer to {link}, not to a page of the sandbox at {sandbox.ControlUrl}: is the target's New-API paying through the sandbox (newApiSandbox)?");
        sandbox.PaymentId = Uri.UnescapeDataString(page.AbsolutePath.Split('/')[^1]);
        var answer = await sandbox.ClickAsync("pay");
        Check.That((int)answer.Status is >= 200 and < 400, $"the sandbox's pay page answered the buyer HTTP {(int)answer.Status}: {answer.Body}");
    }

    [When("the sandbox resends its callbacks about the order")]
    [Needs(Need.NewApiSandbox)]
    public async Task Resend()
    {
        foreach (var delivery in await DeliveriesAsync())
        {
            await _sandbox.ControlAsync(HttpMethod.Post, $"/control/deliveries/{Uri.EscapeDataString(ApiReply.Text(ApiReply.Field(delivery, "id")))}/resend");
        }

        await _sandbox.RunDueAsync();
    }

    [Then("the target acknowledged every callback the sandbox sent about the order")]
    [Needs(Need.NewApiSandbox)]
    public async Task Acknowledged()
    {
        foreach (var delivery in await DeliveriesAsync())
        {
            var attempts = SandboxWorld.Attempts(delivery);
            Check.That(attempts.Count > 0, $"the sandbox made no attempt to deliver {ApiReply.Text(ApiReply.Field(delivery, "id"))}");
            foreach (var attempt in attempts)
            {
                Check.Equal("true", ApiReply.Text(ApiReply.Field(attempt, "acknowledged")),
                    $"the sandbox's view of the target's answer (HTTP {ApiReply.Text(ApiReply.Field(attempt, "response_status"))}: {ApiReply.Text(ApiReply.Field(attempt, "response_body"))}) acknowledged");
            }
        }
    }

    private async Task<IReadOnlyList<JsonElement>> DeliveriesAsync()
    {
        var id = _sandbox.PaymentId ?? throw new AssertionException("the buyer has paid nothing on the sandbox in this scenario");
        var deliveries = await _sandbox.DeliveriesAsync(id);
        Check.That(deliveries.Count > 0, $"the sandbox delivered no callback about its payment {id}: is its webhook URL the target's?");
        return deliveries;
    }

    /// <summary>The buyer's browser posts the signed form to the gateway, which answers with its pay page (a redirect).</summary>
    private async Task<string> SubmitToGatewayAsync(NewApiTopUpOrder order)
    {
        var submit = order.PayUrl ?? throw new AssertionException("the Epay order has no gateway URL (url in the answer of POST /api/user/pay)");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(submit, UriKind.Absolute))
        {
            Content = new FormUrlEncodedContent(order.PayForm ?? throw new AssertionException("the Epay order has no form")),
        };
        using var response = await context.Http.SendAsync(request, context.CancellationToken);
        var page = response.Headers.Location is { } location ? new Uri(new Uri(submit), location) : response.RequestMessage?.RequestUri;
        Check.That(page is not null && (int)response.StatusCode < 400, $"the gateway at {submit} answered the form HTTP {(int)response.StatusCode}");
        return page!.ToString();
    }
}
