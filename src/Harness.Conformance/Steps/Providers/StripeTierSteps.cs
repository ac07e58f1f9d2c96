using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Tiered prices (<c>billing_scheme=tiered</c>) on the customer and test clock of <see cref="StripeRecurringSteps"/>:
/// a price whose tiers are written <c>"up_to:unit_amount+flat_amount, …"</c> (<c>inf</c> for the last, <c>+flat</c>
/// optional), licensed or metered on the meter of <see cref="StripeMeterSteps"/>; its tiers shown only when expanded;
/// subscribing to it; and Stripe's refusals of bad tiers.
/// </summary>
[Steps]
public sealed class StripeTierSteps(ScenarioContext context)
{
    private string? _price;

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private string Price => _price ?? throw new AssertionException("the scenario has no tiered price yet");

    [Given("a monthly {string} tiered price with tiers {string}")]
    public Task CreateLicensed(string mode, string tiers) => CreateAsync(mode, tiers, []);

    [Given("a monthly {string} tiered price on the meter with tiers {string}")]
    public Task CreateMetered(string mode, string tiers) =>
        CreateAsync(mode, tiers, [new("recurring[usage_type]", "metered"), new("recurring[meter]", context.Get<StripeMeterSteps>().Meter)]);

    [Then("the tiered price shows no tiers unless expanded, and {int} tiers when expanded")]
    public async Task TiersExpanded(int count)
    {
        var plain = await Recurring.OkAsync(HttpMethod.Get, "/v1/prices/" + Price);
        Check.Equal(false, plain.TryGetProperty("tiers", out _), "whether an unexpanded price shows its tiers");
        Check.Equal("tiered", ApiReply.Text(ApiReply.Field(plain, "billing_scheme")), "the price's billing_scheme");
        var expanded = await Recurring.OkAsync(HttpMethod.Get, $"/v1/prices/{Price}?expand[]=tiers");
        Check.Equal(count, ApiReply.Field(expanded, "tiers").GetArrayLength(), "the expanded price's tiers");
    }

    [When("the customer subscribes to {int} of the tiered price through the API")]
    public async Task Subscribe(int quantity)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", Price), new("items[0][quantity]", Text(quantity))]);
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    [When("the customer subscribes to {string} and the tiered price through the API")]
    public async Task SubscribeBeside(string licensed)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", licensed), new("items[1][price]", Price)]);
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    [Then("the upcoming invoice previews {int}")]
    public async Task Preview(int amount)
    {
        var preview = await Recurring.OkAsync(HttpMethod.Post, "/v1/invoices/create_preview", [new("subscription", Recurring.Subscription)]);
        Check.Equal(amount, ApiReply.Field(preview, "amount_due").GetInt64(), "the preview's amount_due");
    }

    [Then("a {string} tiered price with tiers {string} is refused naming {string}")]
    public async Task Refused(string mode, string tiers, string param)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/prices", Form(mode, tiers, []));
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"a tiered price with tiers {tiers} ({reply.Body})");
        Check.Equal("invalid_request_error", ApiReply.Text(ApiReply.Path(reply.Json, "error.type")), "the error's type");
        Check.Equal(param, ApiReply.Text(ApiReply.Path(reply.Json, "error.param")), "the error's param");
    }

    private async Task CreateAsync(string mode, string tiers, List<KeyValuePair<string, string>> recurring)
    {
        var price = await Recurring.OkAsync(HttpMethod.Post, "/v1/prices", Form(mode, tiers, recurring));
        Check.Equal(mode, ApiReply.Text(ApiReply.Field(price, "tiers_mode")), "the price's tiers_mode");
        _price = ApiReply.Text(ApiReply.Field(price, "id"));
    }

    /// <summary>The create form of a monthly tiered price of a new product, its tiers read from <c>"up_to:unit+flat, …"</c>.</summary>
    private static List<KeyValuePair<string, string>> Form(string mode, string tiers, List<KeyValuePair<string, string>> recurring)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("currency", "usd"), new("product_data[name]", "API calls"), new("billing_scheme", "tiered"), new("tiers_mode", mode),
            new("recurring[interval]", "month"),
        };
        form.AddRange(recurring);
        var index = 0;
        foreach (var tier in tiers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (upTo, amounts) = (tier.Split(':')[0], tier.Split(':').ElementAtOrDefault(1) ?? "");
            var (unit, flat) = (amounts.Split('+')[0], amounts.Split('+').ElementAtOrDefault(1));
            form.Add(new($"tiers[{index}][up_to]", upTo));
            if (unit.Length > 0)
            {
                form.Add(new($"tiers[{index}][unit_amount]", unit));
            }

            if (flat is not null)
            {
                form.Add(new($"tiers[{index}][flat_amount]", flat));
            }

            index++;
        }

        return form;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
