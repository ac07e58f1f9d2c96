using Harness.Http;
using Harness.Portaly.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.Orders;

/// <summary>An order as the contract lists it, field for field (the stored order's payment id, mode and refund details stay inside).</summary>
public sealed record OrderView(
    string Id,
    string ProfileId,
    long Amount,
    long NetTotal,
    decimal Fee,
    long FeeAmount,
    decimal TaxFee,
    long TaxFeeAmount,
    string Currency,
    string Status,
    string? Name,
    string? Email,
    string PaymentMethod,
    string? MerchantOrderNumber,
    string CreatorSubscriptionId,
    string CreatorSubscriptionPlanId,
    DateTimeOffset? RefundRequestedAt,
    DateTimeOffset? RefundedAt,
    DateTimeOffset? RefundFailedAt,
    string? RefundFailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset PaidAt)
{
    public static OrderView Of(Order o) => new(
        o.Id, o.ProfileId, o.Amount, o.NetTotal, o.Fee, o.FeeAmount, o.TaxFee, o.TaxFeeAmount, o.Currency, o.Status, o.Name, o.Email,
        o.PaymentMethod, o.MerchantOrderNumber, o.CreatorSubscriptionId, o.CreatorSubscriptionPlanId,
        o.RefundRequestedAt, o.RefundedAt, o.RefundFailedAt, o.RefundFailureReason, o.CreatedAt, o.PaidAt);
}

/// <summary>Orders (cursor paged, filtered), one order, its refund, and the invoice records: the key's profile and mode only.</summary>
public static class OrderApi
{
    public const string NotFound = "Order not found.";

    public static void MapOrders(this RouteGroupBuilder api)
    {
        var orders = api.MapGroup("/orders").RequireApiKey().WithTags("Orders");
        orders.MapGet("", List);
        orders.MapGet("/{orderId}", Get);
        orders.MapPost("/{orderId}/refund", Refund);
        api.MapGet("/invoices", Invoices).RequireApiKey().WithTags("Orders");
    }

    /// <summary>The key's orders, newest first, filtered by status list, Taipei dates and plan.</summary>
    private static Results<Ok<PortalyList<OrderView>>, PortalyFailure> List(
        HttpContext context, OrderStore orders, string? status, string? startDate, string? endDate, string? planId, string? limit, string? startAfter)
    {
        var (query, problem) = OrderQuery.Parse(status, startDate, endDate, planId);
        if (query is null)
        {
            return PortalyFailure.Invalid(problem!);
        }

        var key = context.CurrentKey();
        var (page, failure) = CursorPaging.Page([.. orders.Of(key.ProfileId, key.Mode).Where(query.Matches)], limit, startAfter, OrderView.Of);
        return page is null ? failure! : TypedResults.Ok(page);
    }

    private static Results<Ok<PortalyResponse<OrderView>>, PortalyFailure> Get(string orderId, HttpContext context, OrderStore orders) =>
        orders.Find(context.CurrentKey(), orderId) is { } order ? PortalyEnvelope.Ok(OrderView.Of(order)) : PortalyFailure.NotFound(NotFound);

    /// <summary>
    /// Live full-scope keys only: the scope and the mode are refused before the body or the order is looked at. 202 when
    /// this request started the refund, 200 when one was already under way or done.
    /// </summary>
    private static async Task<Results<Ok<PortalyResponse<OrderView>>, Accepted<PortalyResponse<OrderView>>, PortalyFailure>> Refund(
        string orderId, RefundRequest request, HttpContext context, Refunds refunds)
    {
        var key = context.CurrentKey();
        if (key.Scope == KeyModes.Integration)
        {
            return new PortalyFailure(StatusCodes.Status403Forbidden, "KEY_SCOPE_FORBIDDEN", "An integration-scope API key cannot refund orders.");
        }

        if (key.Mode == KeyModes.Test)
        {
            return new PortalyFailure(StatusCodes.Status409Conflict, "TEST_MODE_REFUND_UNSUPPORTED", "Test-mode orders cannot be refunded.");
        }

        if (RequestValidation.Check(request.Validate) is { } problem)
        {
            return PortalyFailure.Invalid(problem);
        }

        var outcome = await refunds.RequestAsync(key, orderId, request);
        if (outcome.Order is not { } order)
        {
            return outcome.Failure!;
        }

        var view = new PortalyResponse<OrderView>(OrderView.Of(order));
        return outcome.Started ? TypedResults.Accepted($"{PortalyApp.BasePath}/orders/{order.Id}", view) : TypedResults.Ok(view);
    }

    /// <summary>Every invoice record of the key's profile and mode, newest first, unpaginated.</summary>
    private static Ok<PortalyResponse<IReadOnlyList<InvoiceRecord>>> Invoices(HttpContext context, OrderStore orders)
    {
        var key = context.CurrentKey();
        return PortalyEnvelope.Ok(orders.InvoicesOf(key.ProfileId, key.Mode));
    }
}
