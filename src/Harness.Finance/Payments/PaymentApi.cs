using Harness.Finance.Auth;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Recharge;
using Harness.Http;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Finance.Payments;

public sealed record CreatePaymentRequest(string? BizType, string? BizOrderNo, string? Channel, long? Amount, string? Description) : IValidatable
{
    /// <summary>¥1,000,000 in fen.</summary>
    public const long MaxAmount = 100_000_000;

    public void Validate(Validator validator) => validator
        .Check(BizType switch
        {
            null or "" => "bizType is required",
            RechargeOrders.BizType => "bizType RECHARGE is reserved: create recharges with POST /api/finance/recharge/create",
            { Length: > 32 } => "bizType must be at most 32 characters",
            _ when !BizType.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_') => "bizType must be upper-case letters, digits and '_'",
            _ => null,
        })
        .Identifier(BizOrderNo, "bizOrderNo")
        .PaymentChannel(Channel)
        .Positive(Amount, "amount", MaxAmount)
        .Text(Description, "description", 127, required: true);
}

/// <summary>A payment order; <c>status</c> is one of WeChat Pay's trade states NOTPAY, SUCCESS, CLOSED (Alipay's mapped).</summary>
public sealed record PaymentView(
    string OutTradeNo,
    string BizType,
    string BizOrderNo,
    string Channel,
    long Amount,
    string Description,
    string Status,
    string? CloseReason,
    string? CodeUrl,
    string? PayUrl,
    string? ChannelTradeNo,
    long? PaidAmount,
    DateTime CreatedAt,
    DateTime ExpireAt,
    DateTime? PaidAt,
    DateTime? ChannelPaidAt,
    DateTime? ClosedAt)
{
    public static PaymentView From(PaymentOrder o) => new(
        o.Id, o.BizType, o.BizOrderNo, o.Channel, o.Amount, o.Description, o.Status, o.CloseReason, o.CodeUrl, o.PayUrl,
        o.ChannelTradeNo, o.PaidAmount, o.CreatedAt, o.ExpireAt, o.PaidAt, o.ChannelPaidAt, o.ClosedAt);
}

public sealed record ResolveReviewRequest(string? Resolution) : IValidatable
{
    public void Validate(Validator validator) => validator.Text(Resolution, "resolution", 500, required: true);
}

/// <summary>
/// The payment API: orders at a channel, their status (asking the channel when no notification came), closing, and
/// the channels' notifications (no user auth: the channel's signature authenticates them). Admins see the
/// notification log and the payments waiting for review.
/// </summary>
public static class PaymentApi
{
    public static void MapPayments(this RouteGroupBuilder api, RouteGroupBuilder admin)
    {
        var payment = api.MapGroup("/payment").WithTags("Payment");
        var user = payment.MapGroup("").RequireUser();
        user.MapPost("/create", CreateAsync).WithSummary("Create a payment order at a channel (same bizType and bizOrderNo → the same order)");
        user.MapGet("/status/{outTradeNo}", StatusAsync).WithSummary("A payment's status; an unpaid one asks its channel first");
        user.MapPost("/close/{outTradeNo}", CloseAsync).WithSummary("Close an unpaid order here and at its channel; a paid order cannot be closed");
        payment.MapPost("/notify/{channel}", NotifyAsync)
            .WithSummary("A channel's notification: verified by its signature, applied once, answered as the channel expects");

        admin.MapGet("/payment/notifications", (string? outTradeNo, PaymentLog log) => FinanceEnvelope.Ok(log.Notifications(outTradeNo)))
            .WithTags("Admin").WithSummary("Every notification received, newest first, with what it did (admin)");
        admin.MapGet("/payment/reviews", (bool? resolved, PaymentLog log) => FinanceEnvelope.Ok(log.Reviews(resolved)))
            .WithTags("Admin").WithSummary("Payments reported by a channel but not applied: unknown order, wrong amount, paid after close (admin)");
        admin.MapPost("/payment/reviews/{id}/resolve", Resolve).WithTags("Admin").WithSummary("Mark a review handled, with a note (admin)");
    }

    private static async Task<Results<Ok<FinanceResponse<PaymentView>>, Refusal<Refused.Conflict>, Refusal<Refused.Unavailable>>> CreateAsync(
        CreatePaymentRequest request, HttpContext context, PaymentOrders orders, PaymentService payments, KeyedLock locks, TimeProvider clock)
    {
        var userId = context.CurrentUser().Id;

        // Held until the channel has answered: a second request for the business order gets the first's order with its
        // code, never an order of its own nor one still being placed.
        using var placing = await locks.AcquireAsync($"payment-biz:{userId}|{request.BizType}|{request.BizOrderNo}", context.RequestAborted);
        if (orders.OfBizOrder(userId, request.BizType!, request.BizOrderNo!) is { } existing)
        {
            return existing.Channel == request.Channel && existing.Amount == request.Amount
                ? FinanceEnvelope.Ok(PaymentView.From(existing))
                : new Refusal<Refused.Conflict>($"bizOrderNo '{request.BizOrderNo}' already has a payment order ({existing.Id}) with another channel or amount");
        }

        var now = clock.GetUtcNow();
        try
        {
            var order = await payments.PlaceAsync(
                new PaymentOrder
                {
                    Id = PaymentOrders.NewNumber("PAY", now),
                    UserId = userId,
                    BizType = request.BizType!,
                    BizOrderNo = request.BizOrderNo!,
                    Channel = request.Channel!,
                    Amount = request.Amount!.Value,
                    Description = request.Description!,
                    CreatedAt = now.UtcDateTime,
                    ExpireAt = (now + payments.OrderLifetime).UtcDateTime,
                },
                context.RequestAborted);
            return FinanceEnvelope.Ok(PaymentView.From(order));
        }
        catch (ChannelException refused)
        {
            return new Refusal<Refused.Unavailable>($"the {request.Channel} channel did not take the order: {refused.Message}");
        }
    }

    private static async Task<Results<Ok<FinanceResponse<PaymentView>>, Refusal<Refused.NotFound>>> StatusAsync(string outTradeNo, HttpContext context, PaymentOrders orders, PaymentService payments) =>
        orders.Get(outTradeNo) is { } order && order.UserId == context.CurrentUser().Id
            ? FinanceEnvelope.Ok(PaymentView.From(await payments.RefreshAsync(order, context.RequestAborted)))
            : new Refusal<Refused.NotFound>($"payment order '{outTradeNo}' not found");

    private static async Task<Results<Ok<FinanceResponse<PaymentView>>, Refusal<Refused.NotFound>, Refusal<Refused.Conflict>, Refusal<Refused.Unavailable>>> CloseAsync(
        string outTradeNo, HttpContext context, PaymentOrders orders, PaymentService payments)
    {
        if (orders.Get(outTradeNo) is not { } order || order.UserId != context.CurrentUser().Id)
        {
            return new Refusal<Refused.NotFound>($"payment order '{outTradeNo}' not found");
        }

        var (outcome, closed, problem) = await payments.CloseAsync(outTradeNo, context.RequestAborted);
        return outcome switch
        {
            CloseOutcome.Closed => FinanceEnvelope.Ok(PaymentView.From(closed)),
            CloseOutcome.AlreadyPaid => new Refusal<Refused.Conflict>($"payment order '{outTradeNo}' is paid and cannot be closed"),
            _ => new Refusal<Refused.Unavailable>($"the {closed.Channel} channel could not close the order: {problem}"),
        };
    }

    private static async Task<IResult> NotifyAsync(string channel, HttpRequest request, PaymentService payments) =>
        payments.Channel(channel) is { } known
            ? await payments.HandleNotificationAsync(known, request, request.HttpContext.RequestAborted)
            : new Refusal<Refused.NotFound>($"unknown payment channel '{channel}': use one of {string.Join(", ", payments.ChannelNames)}");

    private static Results<Ok<FinanceResponse<PaymentReview>>, Refusal<Refused.NotFound>> Resolve(string id, ResolveReviewRequest request, HttpContext context, PaymentLog log, TimeProvider clock)
    {
        if (log.Review(id) is not { } review)
        {
            return new Refusal<Refused.NotFound>($"review '{id}' not found");
        }

        review.ResolvedAt ??= clock.GetUtcNow().UtcDateTime;
        review.ResolvedBy = context.CurrentUser().Id;
        review.Resolution = request.Resolution;
        log.Save(review);
        return FinanceEnvelope.Ok(review);
    }
}
