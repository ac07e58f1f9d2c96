using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The Coupons and Promotion Codes routes, and the hosted page's promotion-code field (<see cref="CheckoutSessions.ApplyPromotionCode"/>).</summary>
public sealed partial class StripeProvider
{
    private StripeCoupons _coupons = null!;
    private StripePromotionCodes _codes = null!;

    public bool OffersPromotionCodes(SandboxPayment payment) => _sessions.OffersPromotionCodes(payment.Id);

    public string? ApplyPromotionCode(SandboxPayment payment, string code) => _sessions.ApplyPromotionCode(payment.Id, code);

    /// <summary>The discounts engine the checkout and billing code share, made with the coupon and code stores it reads.</summary>
    private StripeDiscounts CreateDiscounts(SandboxContext context)
    {
        _coupons = new StripeCoupons(_objects, context.Clock, _webhooks);
        _codes = new StripePromotionCodes(_objects, context.Clock, _webhooks, _coupons);
        return new StripeDiscounts(_objects, context.Clock, _coupons, _codes);
    }

    private void MapDiscounts(WebApplication app)
    {
        const string coupons = StripeCoupons.Path;
        app.MapPost(coupons, (HttpRequest request) => PostAsync(request.HttpContext, coupons, _coupons.Create));
        app.MapGet(coupons, async (HttpRequest request) => Answer(request.HttpContext, _coupons.List(await StripeForm.ReadAsync(request))));
        app.MapGet(coupons + "/{id}", (string id, HttpContext http) => Answer(http, _coupons.Retrieve(id)));
        app.MapPost(coupons + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{coupons}/{id}", p => _coupons.Update(id, p)));
        app.MapDelete(coupons + "/{id}", (string id, HttpContext http) => Answer(http, _coupons.Delete(id)));

        const string codes = StripePromotionCodes.Path;
        app.MapPost(codes, (HttpRequest request) => PostAsync(request.HttpContext, codes, _codes.Create));
        app.MapGet(codes, async (HttpRequest request) => Answer(request.HttpContext, _codes.List(await StripeForm.ReadAsync(request))));
        app.MapGet(codes + "/{id}", (string id, HttpContext http) => Answer(http, _codes.Retrieve(id)));
        app.MapPost(codes + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{codes}/{id}", p => _codes.Update(id, p)));
    }
}
