using Harness.Finance.Auth;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Records;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Finance.Recharge;

/// <summary>An admin's create-or-replace of a recharge plan.</summary>
public sealed record SaveRechargePlanRequest(string? Id, string? Name, long? Coins, long? BonusCoins, long? Price, bool? Enabled, int? Sort, string? Description) : IValidatable
{
    /// <summary>¥1,000,000: far above any plan, far below where sums of fen could overflow.</summary>
    public const long MaxPrice = 100_000_000;

    public void Validate(Validator validator) => validator
        .Identifier(Id, "id")
        .Text(Name, "name", 100, required: true)
        .Positive(Coins, "coins", FieldRules.MaxCoins)
        .Require(BonusCoins is null or >= 0 and <= FieldRules.MaxCoins, $"bonusCoins must be between 0 and {FieldRules.MaxCoins}")
        .Positive(Price, "price", MaxPrice)
        .Text(Description, "description", 500, required: false);
}

/// <summary>The recharge lifecycle: plans, preview, create, status (asking the channel when pending), summary, records.</summary>
public static class RechargeApi
{
    public static void MapRecharge(this RouteGroupBuilder finance, RouteGroupBuilder admin)
    {
        var recharge = finance.MapGroup("/recharge").WithTags("Recharge");
        recharge.MapGet("/plans", (RechargePlans plans) => FinanceEnvelope.Ok(plans.List(includeDisabled: false).Select(RechargePlanView.From).ToList()))
            .WithSummary("Enabled recharge plans, in display order");
        recharge.MapGet("/preview", Preview).WithSummary("What a plan costs and credits on a channel");
        recharge.MapPost("/create", CreateAsync).WithSummary("Create a recharge order and its payment at the channel (WeChat Native code_url or Alipay qr_code)");
        recharge.MapGet("/status/{orderNo}", StatusAsync).WithSummary("A recharge's status; a pending one asks its channel first (lost-callback recovery)");
        recharge.MapPost("/summary", (RechargeFilter? filter, HttpContext context, RechargeOrders orders) =>
            FinanceEnvelope.Ok(orders.Summary(context.CurrentUser().Id, filter ?? new RechargeFilter())))
            .WithSummary("Totals of the user's recharges in a time range, by status and by channel");
        recharge.MapPost("/records", (RechargeFilter? filter, HttpContext context, RechargeOrders orders) => Page(orders, context.CurrentUser().Id, filter))
            .WithSummary("The user's recharge orders, newest first, paginated");

        var adminRecharge = admin.MapGroup("/recharge").WithTags("Admin");
        adminRecharge.MapGet("/plans", (RechargePlans plans) => FinanceEnvelope.Ok(plans.List(includeDisabled: true).Select(RechargePlanView.From).ToList()))
            .WithSummary("Every recharge plan, disabled ones too (admin)");
        adminRecharge.MapPost("/plans", SavePlan).WithSummary("Create or replace a recharge plan (admin)");
        adminRecharge.MapPost("/orders", (RechargeFilter? filter, RechargeOrders orders) => Page(orders, null, filter))
            .WithSummary("Every user's recharge orders, newest first, paginated; filter by userId, status, channel, time (admin)");
    }

    private static Results<Ok<FinanceResponse<RechargePreview>>, Refusal<Refused.Validation>, Refusal<Refused.NotFound>> Preview(string? planId, string? channel, RechargePlans plans, RechargeOrders orders)
    {
        var problem = RequestValidation.Check(v => v.Identifier(planId, "planId").PaymentChannel(channel));
        if (problem is not null)
        {
            return new Refusal<Refused.Validation>(problem);
        }

        return EnabledPlan(plans, planId!) is { } plan
            ? FinanceEnvelope.Ok(orders.Preview(plan, channel!))
            : new Refusal<Refused.NotFound>($"recharge plan '{planId}' not found or not enabled");
    }

    private static async Task<Results<Ok<FinanceResponse<CreatedRecharge>>, Refusal<Refused.NotFound>, Refusal<Refused.Unavailable>>> CreateAsync(
        CreateRechargeRequest request, HttpContext context, RechargePlans plans, RechargeOrders orders)
    {
        if (EnabledPlan(plans, request.PlanId!) is not { } plan)
        {
            return new Refusal<Refused.NotFound>($"recharge plan '{request.PlanId}' not found or not enabled");
        }

        try
        {
            return FinanceEnvelope.Ok(await orders.CreateAsync(context.CurrentUser().Id, plan, request.Channel!, context.RequestAborted));
        }
        catch (ChannelException refused)
        {
            return new Refusal<Refused.Unavailable>($"the {request.Channel} channel did not take the order: {refused.Message}");
        }
    }

    private static async Task<Results<Ok<FinanceResponse<RechargeOrderView>>, Refusal<Refused.NotFound>>> StatusAsync(string orderNo, HttpContext context, RechargeOrders orders) =>
        orders.Find(context.CurrentUser().Id, orderNo) is { } order
            ? FinanceEnvelope.Ok(await orders.StatusAsync(order, context.RequestAborted))
            : new Refusal<Refused.NotFound>($"recharge order '{orderNo}' not found");

    private static Ok<FinanceResponse<PagedList<RechargeOrderView>>> Page(RechargeOrders orders, string? userId, RechargeFilter? filter)
    {
        filter ??= new RechargeFilter();
        var (page, total) = orders.Records(userId ?? filter.UserId, filter);
        return FinanceEnvelope.Ok(new PagedList<RechargeOrderView>(page, total, filter.PageNumber, filter.Size));
    }

    private static Ok<FinanceResponse<RechargePlanView>> SavePlan(SaveRechargePlanRequest request, RechargePlans plans)
    {
        var plan = new RechargePlanDocument
        {
            Id = request.Id!,
            Name = request.Name!,
            Coins = request.Coins!.Value,
            BonusCoins = request.BonusCoins ?? 0,
            Price = request.Price!.Value,
            Enabled = request.Enabled ?? true,
            Sort = request.Sort ?? 0,
            Description = request.Description,
        };
        plans.Save(plan);
        return FinanceEnvelope.Ok(RechargePlanView.From(plan));
    }

    private static RechargePlanDocument? EnabledPlan(RechargePlans plans, string planId) => plans.Find(planId) is { Enabled: true } plan ? plan : null;
}
