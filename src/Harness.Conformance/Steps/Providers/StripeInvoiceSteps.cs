using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe standalone invoices over HTTP, for the customer of <see cref="StripeRecurringSteps"/>: a draft and its lines
/// (invoice items or the line endpoints), finalizing, paying (through the API or on the hosted invoice page), sending, voiding and marking uncollectible.
/// </summary>
[Steps]
public sealed class StripeInvoiceSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _invoice;

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    /// <summary>The scenario's latest invoice (what <see cref="StripeCreditNoteSteps"/> credits).</summary>
    internal string Invoice => _invoice ?? throw new AssertionException("the scenario has no invoice yet");

    [When("the merchant creates a draft invoice for the customer")]
    public Task Create() => CreateAsync([]);

    [When("the merchant creates a draft invoice for the customer due in {int} days")]
    public Task CreateDue(int days) => CreateAsync([new("collection_method", "send_invoice"), new("days_until_due", Text(days))]);

    [When("the merchant creates a draft invoice for the customer with auto_advance")]
    public Task CreateAutoAdvance() => CreateAsync([new("auto_advance", "true")]);

    [When("the merchant adds a line of {int} {string} to the draft invoice")]
    public async Task AddLine(int amount, string currency)
    {
        var item = await Recurring.OkAsync(HttpMethod.Post, "/v1/invoiceitems",
            [new("customer", Recurring.Customer), new("invoice", Invoice), new("amount", Text(amount)), new("currency", currency)]);
        Check.Equal(Invoice, ApiReply.Text(ApiReply.Field(item, "invoice")), "the new invoice item's invoice");
    }

    [When("the merchant adds lines of {int} and {int} {string} to the draft invoice through add_lines")]
    public Task AddLines(int first, int second, string currency) =>
        ActAsync("add_lines", [new("lines[0][amount]", Text(first)), new("lines[0][description]", "First"), new("lines[1][price_data][currency]", currency),
            new("lines[1][price_data][product_data][name]", "Second"), new("lines[1][price_data][unit_amount]", Text(second))]);

    [When("the merchant changes the invoice's line {int} to {int} through update_lines")]
    public async Task UpdateLines(int line, int amount) =>
        await ActAsync("update_lines", [new("lines[0][id]", await LineAsync(line)), new("lines[0][amount]", Text(amount))]);

    [When("the merchant changes the invoice's line {int} to quantity {int} through its line endpoint")]
    public async Task UpdateLine(int line, int quantity) =>
        await Recurring.OkAsync(HttpMethod.Post, $"/v1/invoices/{Invoice}/lines/{await LineAsync(line)}", [new("quantity", Text(quantity))]);

    [When("the merchant removes the invoice's line {int} through remove_lines")]
    public async Task RemoveLines(int line) =>
        await ActAsync("remove_lines", [new("lines[0][id]", await LineAsync(line)), new("lines[0][behavior]", "delete")]);

    [Then("the invoice's lines are {string}")]
    public async Task Lines(string amounts)
    {
        var lines = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, $"/v1/invoices/{Invoice}/lines"), "data").EnumerateArray();
        Check.Equal(amounts, string.Join(", ", lines.Select(l => ApiReply.Field(l, "amount").GetInt64())), "the amounts of GET /v1/invoices/{id}/lines");
    }

    [Then("adding a line to the invoice is refused with {int} {string}")]
    public async Task AddRefused(int status, string code)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, $"/v1/invoices/{Invoice}/add_lines", [new("lines[0][amount]", "100")]);
        Check.Equal((HttpStatusCode)status, reply.Status, $"adding a line ({reply.Body})");
        Check.Equal(code, ApiReply.Text(ApiReply.Path(reply.Json, "error.code")), "the refusal's code");
    }

    [When("the merchant finalizes the invoice")]
    public Task Finalize() => ActAsync("finalize");

    [When("the merchant sends the invoice")]
    public Task Send() => ActAsync("send");

    [When("the merchant pays the invoice")]
    public Task Pay() => ActAsync("pay");

    [When("the merchant pays the invoice with {string}")]
    public Task PayWith(string paymentMethod) => ActAsync("pay", [new("payment_method", paymentMethod)]);

    [When("the merchant marks the invoice uncollectible")]
    public Task MarkUncollectible() => ActAsync("mark_uncollectible");

    [When("the merchant voids the invoice")]
    public Task Void() => ActAsync("void");

    /// <summary>The hosted invoice page is the sandbox pay page of the invoice's PaymentIntent; the buyer pays there with 4242.</summary>
    [When("the customer pays the invoice on its hosted invoice page")]
    public async Task PayOnPage()
    {
        var url = ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/invoices/" + Invoice), "hosted_invoice_url"));
        Check.That(url.Contains("/pay/pi_", StringComparison.Ordinal), $"the hosted_invoice_url {url} is the sandbox pay page of a PaymentIntent");
        _world.PaymentId = url[(url.LastIndexOf('/') + 1)..];
        await _world.ClickAsync("pay");
    }

    [Then("the invoice is {string} with {int} due")]
    public async Task Is(string status, int due)
    {
        var invoice = await Recurring.OkAsync(HttpMethod.Get, "/v1/invoices/" + Invoice);
        Check.Equal(status, ApiReply.Text(ApiReply.Field(invoice, "status")), "the invoice's status");
        Check.Equal(due, ApiReply.Field(invoice, status == "draft" ? "amount_due" : "amount_remaining").GetInt64(), "what is left to pay on the invoice");
    }

    /// <summary>How often the invoice's payment was attempted (retries included), and that no further attempt is scheduled.</summary>
    [Then("the invoice's payment was attempted {int} times with no next attempt scheduled")]
    public async Task AttemptedWithNoNext(int attempts)
    {
        var invoice = await Recurring.OkAsync(HttpMethod.Get, "/v1/invoices/" + Invoice);
        Check.Equal(attempts, ApiReply.Field(invoice, "attempt_count").GetInt64(), "the invoice's attempt_count");
        Check.Equal("Null", ApiReply.Field(invoice, "next_payment_attempt").ValueKind.ToString(), "the invoice's next_payment_attempt");
    }

    [Then("the invoice is {string} with {int} due and numbered after the customer's invoice prefix")]
    public async Task IsNumbered(string status, int due)
    {
        await Is(status, due);
        var prefix = ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/customers/" + Recurring.Customer), "invoice_prefix"));
        Check.Equal(prefix + "-0001", ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/invoices/" + Invoice), "number")), "the invoice's number");
    }

    [Then("paying the invoice with {string} is refused with {int} {string}")]
    public async Task PayRefused(string paymentMethod, int status, string message)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, $"/v1/invoices/{Invoice}/pay", [new("payment_method", paymentMethod)]);
        Check.Equal((HttpStatusCode)status, reply.Status, $"paying the invoice ({reply.Body})");
        Check.Equal(message, ApiReply.Text(ApiReply.Path(reply.Json, "error.message")), "the refusal's message");
    }

    [Then("the receiver gets the invoice's {string} and {string} events")]
    public Task Events2(string first, string second) => EventsAsync(first, second);

    [Then("the receiver gets the invoice's {string}, {string} and {string} events")]
    public Task Events3(string first, string second, string third) => EventsAsync(first, second, third);

    [Then("the receiver gets the invoice's {string}, {string}, {string} and {string} events")]
    public Task Events4(string first, string second, string third, string fourth) => EventsAsync(first, second, third, fourth);

    /// <summary>Each event, verified, about the scenario's latest invoice.</summary>
    private async Task EventsAsync(params string[] types)
    {
        foreach (var type in types)
        {
            var events = await Recurring.VerifiedAsync(type);
            Check.That(events.Any(e => ApiReply.Text(ApiReply.Path(e, "data.object.id")) == Invoice), $"a verifiable {type} event for {Invoice}");
        }
    }

    private async Task CreateAsync(List<KeyValuePair<string, string>> form)
    {
        form.Add(new("customer", Recurring.Customer));
        var draft = await Recurring.OkAsync(HttpMethod.Post, "/v1/invoices", form);
        Check.Equal("draft", ApiReply.Text(ApiReply.Field(draft, "status")), "a new invoice's status");
        _invoice = ApiReply.Text(ApiReply.Field(draft, "id"));
    }

    private async Task ActAsync(string action, List<KeyValuePair<string, string>>? form = null) =>
        await Recurring.OkAsync(HttpMethod.Post, $"/v1/invoices/{Invoice}/{action}", form);

    /// <summary>The id of the invoice's line at 1-based <paramref name="position"/>.</summary>
    private async Task<string> LineAsync(int position) =>
        ApiReply.Text(ApiReply.Field(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, $"/v1/invoices/{Invoice}/lines"), "data")[position - 1], "id"));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
