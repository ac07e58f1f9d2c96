using System.Net;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Coupons and promotion codes through Stripe.net 53.1.0: create, retrieve, update, delete and list, their refusals,
/// their events, codes unique among active ones whatever their case, and both surviving a restart.
/// </summary>
public sealed class StripeCouponTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<StripeException> RefusedAsync(Task task) => await Assert.ThrowsAsync<StripeException>(() => task);

    [Fact]
    public async Task A_coupon_is_created_retrieved_renamed_listed_and_deleted_with_its_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var coupon = await stripe.V1.Coupons.CreateAsync(new CouponCreateOptions
        {
            Id = "SPRING25", PercentOff = 25.5m, Duration = "repeating", DurationInMonths = 3, MaxRedemptions = 10, Name = "Spring",
            Metadata = new Dictionary<string, string> { ["campaign"] = "spring" },
            AppliesTo = new CouponAppliesToOptions { Products = ["prod_HarnessPro"] },
        }, cancellationToken: Ct);
        Assert.Equal(("SPRING25", "coupon", 25.5m, "repeating", 3L, 10L, 0L, true), (coupon.Id, coupon.Object, coupon.PercentOff, coupon.Duration, coupon.DurationInMonths, coupon.MaxRedemptions, coupon.TimesRedeemed, coupon.Valid));

        var amountOff = await stripe.V1.Coupons.CreateAsync(new CouponCreateOptions { AmountOff = 500, Currency = "USD" }, cancellationToken: Ct);
        Assert.Matches("^[A-Z0-9]{8}$", amountOff.Id);
        Assert.Equal((500L, "usd", "once", (decimal?)null), (amountOff.AmountOff, amountOff.Currency, amountOff.Duration, amountOff.PercentOff));

        var noProduct = await RefusedAsync(stripe.V1.Coupons.CreateAsync(new CouponCreateOptions { PercentOff = 5, AppliesTo = new CouponAppliesToOptions { Products = ["prod_Nope"] } }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "applies_to[products]"), (noProduct.HttpStatusCode, noProduct.StripeError.Param));

        var renamed = await stripe.V1.Coupons.UpdateAsync("SPRING25", new CouponUpdateOptions { Name = "Spring sale" }, cancellationToken: Ct);
        Assert.Equal(("Spring sale", "spring"), (renamed.Name, renamed.Metadata["campaign"]));
        Assert.Equal(new[] { "SPRING25", amountOff.Id }.Order(StringComparer.Ordinal), (await stripe.V1.Coupons.ListAsync(cancellationToken: Ct)).Data.Select(c => c.Id).Order(StringComparer.Ordinal));

        var deleted = await stripe.V1.Coupons.DeleteAsync("SPRING25", cancellationToken: Ct);
        Assert.True(deleted.Deleted);
        var gone = await RefusedAsync(stripe.V1.Coupons.GetAsync("SPRING25", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing", "No such coupon: 'SPRING25'"), (gone.HttpStatusCode, gone.StripeError.Code, gone.StripeError.Message));
        Assert.Equal([amountOff.Id], (await stripe.V1.Coupons.ListAsync(cancellationToken: Ct)).Data.Select(c => c.Id));

        var types = (await stripe.V1.Events.ListAsync(new EventListOptions { Limit = 100 }, cancellationToken: Ct)).Data.Select(e => e.Type).ToList();
        Assert.Equal(2, types.Count(t => t == "coupon.created"));
        Assert.Contains("coupon.updated", types);
        Assert.Contains("coupon.deleted", types);
    }

    [Theory]
    [InlineData("percent_off=0&duration=once", "percent_off")]
    [InlineData("percent_off=100.5&duration=once", "percent_off")]
    [InlineData("percent_off=12.345&duration=once", "percent_off")]
    [InlineData("percent_off=10&amount_off=100&currency=usd", "amount_off")]
    [InlineData("duration=once", "percent_off")]
    [InlineData("amount_off=100", "currency")]
    [InlineData("percent_off=10&duration=repeating", "duration_in_months")]
    [InlineData("percent_off=10&duration=forever&duration_in_months=3", "duration_in_months")]
    [InlineData("percent_off=10&duration=sometimes", "duration")]
    [InlineData("percent_off=10&redeem_by=1", "redeem_by")]
    [InlineData("percent_off=10&max_redemptions=0", "max_redemptions")]
    [InlineData("percent_off=10&currency_options[eur][amount_off]=5", "currency_options")]
    [InlineData("percent_off=10&id=price_HarnessCredits", "id")]
    public async Task Bad_coupons_are_refused_naming_the_param(string form, string param)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = StripeErrorTests.Http(sandbox);
        using var response = await http.PostAsync("/v1/coupons", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"param\":\"{param}\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_coupon_id_is_taken_once()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await stripe.V1.Coupons.CreateAsync(new CouponCreateOptions { Id = "ONCE", PercentOff = 10 }, cancellationToken: Ct);
        var again = await RefusedAsync(stripe.V1.Coupons.CreateAsync(new CouponCreateOptions { Id = "ONCE", PercentOff = 20 }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "resource_already_exists", "Coupon already exists."), (again.HttpStatusCode, again.StripeError.Code, again.StripeError.Message));
    }

    [Fact]
    public async Task Promotion_codes_are_unique_among_active_ones_whatever_their_case_and_listed_by_code_coupon_and_state()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await stripe.V1.Coupons.CreateAsync(new CouponCreateOptions { Id = "TENOFF", PercentOff = 10 }, cancellationToken: Ct);
        var promotion = new PromotionCodePromotionOptions { Type = "coupon", Coupon = "TENOFF" };
        var code = await stripe.V1.PromotionCodes.CreateAsync(new PromotionCodeCreateOptions
        {
            Promotion = promotion, Code = "Summer", MaxRedemptions = 5,
            Restrictions = new PromotionCodeRestrictionsOptions { FirstTimeTransaction = true, MinimumAmount = 1000, MinimumAmountCurrency = "usd" },
        }, cancellationToken: Ct);
        Assert.Equal(("Summer", true, "TENOFF", "coupon", 5L, 0L), (code.Code, code.Active, code.Promotion.CouponId, code.Promotion.Type, code.MaxRedemptions, code.TimesRedeemed));
        Assert.Equal((true, 1000L, "usd"), (code.Restrictions.FirstTimeTransaction, code.Restrictions.MinimumAmount, code.Restrictions.MinimumAmountCurrency));

        var generated = await stripe.V1.PromotionCodes.CreateAsync(new PromotionCodeCreateOptions { Promotion = promotion }, cancellationToken: Ct);
        Assert.Matches("^[A-Z0-9]{8}$", generated.Code);

        var taken = await RefusedAsync(stripe.V1.PromotionCodes.CreateAsync(new PromotionCodeCreateOptions { Promotion = promotion, Code = "SUMMER" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "resource_already_exists", "code"), (taken.HttpStatusCode, taken.StripeError.Code, taken.StripeError.Param));

        var off = await stripe.V1.PromotionCodes.UpdateAsync(code.Id, new PromotionCodeUpdateOptions { Active = false }, cancellationToken: Ct);
        Assert.False(off.Active);
        var reused = await stripe.V1.PromotionCodes.CreateAsync(new PromotionCodeCreateOptions { Promotion = promotion, Code = "SUMMER" }, cancellationToken: Ct);
        var backOn = await RefusedAsync(stripe.V1.PromotionCodes.UpdateAsync(code.Id, new PromotionCodeUpdateOptions { Active = true }, cancellationToken: Ct));
        Assert.Equal("resource_already_exists", backOn.StripeError.Code);

        var byCode = await stripe.V1.PromotionCodes.ListAsync(new PromotionCodeListOptions { Code = "summer" }, cancellationToken: Ct);
        Assert.Equal([reused.Id, code.Id], byCode.Data.Select(c => c.Id));
        var active = await stripe.V1.PromotionCodes.ListAsync(new PromotionCodeListOptions { Coupon = "TENOFF", Active = true }, cancellationToken: Ct);
        Assert.Equal([reused.Id, generated.Id], active.Data.Select(c => c.Id));
        Assert.Equal(code.Id, (await stripe.V1.PromotionCodes.GetAsync(code.Id, cancellationToken: Ct)).Id);

        var noCoupon = await RefusedAsync(stripe.V1.PromotionCodes.CreateAsync(new PromotionCodeCreateOptions { Promotion = new PromotionCodePromotionOptions { Type = "coupon", Coupon = "NOPE" } }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "No such coupon: 'NOPE'"), (noCoupon.HttpStatusCode, noCoupon.StripeError.Message));

        var types = (await stripe.V1.Events.ListAsync(new EventListOptions { Limit = 100 }, cancellationToken: Ct)).Data.Select(e => e.Type).ToList();
        Assert.Equal(3, types.Count(t => t == "promotion_code.created"));
        Assert.Contains("promotion_code.updated", types);
    }

    [Fact]
    public async Task Coupons_and_promotion_codes_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-coupons-" + Guid.NewGuid().ToString("N"));
        string promo;
        await using (var before = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var stripe = Client(before);
            await stripe.V1.Coupons.CreateAsync(new CouponCreateOptions { Id = "KEEP", AmountOff = 300, Currency = "usd", Duration = "forever" }, cancellationToken: Ct);
            promo = (await stripe.V1.PromotionCodes.CreateAsync(new PromotionCodeCreateOptions
            {
                Promotion = new PromotionCodePromotionOptions { Type = "coupon", Coupon = "KEEP" }, Code = "KEEPME",
            }, cancellationToken: Ct)).Id;
        }

        await using (var after = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var stripe = Client(after);
            var coupon = await stripe.V1.Coupons.GetAsync("KEEP", cancellationToken: Ct);
            Assert.Equal((300L, "forever"), (coupon.AmountOff, coupon.Duration));
            var code = await stripe.V1.PromotionCodes.GetAsync(promo, cancellationToken: Ct);
            Assert.Equal(("KEEPME", "KEEP"), (code.Code, code.Promotion.CouponId));
        }

        Directory.Delete(data, recursive: true);
    }
}
