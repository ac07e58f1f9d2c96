using Harness.Portaly.DiscountCodes;
using Harness.Storage;

namespace Harness.Portaly.Orders;

public static class OrderStatus
{
    public const string Pending = "pending";
    public const string AwaitingAtm = "awaiting_atm";
    public const string Paid = "paid";
    public const string Liquid = "liquid";
    public const string Refund = "refund";
    public const string Failed = "failed";
    public const string Tracked = "tracked";
    public static readonly string[] All = [Pending, AwaitingAtm, Paid, Liquid, Refund, Failed, Tracked];
}

/// <summary>
/// One successful charge of a subscription (the checkout's or a renewal's), written with the charge, so
/// <c>createdAt</c> equals <c>paidAt</c>. Kept per mode. Fees are the reference's choice: none (<c>netTotal</c> =
/// <c>amount</c>), documented in docs/portaly.md.
/// </summary>
public sealed record Order(
    string Id,
    string ProfileId,
    string Mode,
    string PaymentId,
    string? PaymentReference,
    int ChargeNumber,
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
    string? RefundReason,
    string? RefundReasonNote,
    string? RefundReference,
    DateTimeOffset CreatedAt,
    DateTimeOffset PaidAt) : IDocument
{
    /// <summary>Orders are numbered by subscription and charge: a charge recorded twice is one order.</summary>
    public static string IdOf(string subscriptionId, int chargeNumber) => $"creatorSubscription_{subscriptionId}_{chargeNumber}";
}

/// <summary>
/// The invoice side of a charge attempt (<c>GET /invoices</c>): one per attempt, <c>SUCCESS</c> or <c>FAILED</c>. The
/// reference issues no e-invoices: <c>invoiceStatus</c> is <c>not_applicable</c>.
/// </summary>
public sealed record InvoiceRecord(
    string Id,
    string ProfileId,
    string Mode,
    string CreatorSubscriptionId,
    string CheckoutSessionId,
    string PlanId,
    string PlanName,
    long Amount,
    string Currency,
    string Status,
    string? CustomerName,
    string? CustomerEmail,
    InvoiceCarrier? Invoice,
    string InvoiceStatus,
    string? InvoiceTaskId,
    string? InvoiceLastError,
    DateTimeOffset? InvoiceIssuedAt,
    long Timestamp,
    Dictionary<string, string>? EcpayInvoice,
    InvoiceDiscount? AppliedDiscount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt) : IDocument;

/// <summary>The carrier the buyer asked for (Taiwan e-invoice); the hosted checkout of the reference asks for none.</summary>
public sealed record InvoiceCarrier(string? Type, string? CarrierType, string? CarrierNumber, string? Company, string? CompanyId);

public sealed record InvoiceDiscount(string CodeId, string Code, DiscountRule Rule, string Source);
