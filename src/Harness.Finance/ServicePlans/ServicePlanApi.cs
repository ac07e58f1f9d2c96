using Harness.Finance.Consumption;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Finance.ServicePlans;

public sealed record ServicePlanView(
    string Id,
    string ServiceCode,
    string Name,
    string Tier,
    string ConsumeType,
    long Rate,
    bool Enabled,
    bool AllowCustomAmount,
    string? Description,
    int Sort)
{
    public static ServicePlanView From(ServicePlanDocument p) =>
        new(p.Id, p.ServiceCode, p.Name, p.Tier, p.ConsumeType, p.Rate, p.Enabled, p.AllowCustomAmount, p.Description, p.Sort);
}

/// <summary>An admin's create-or-replace of a plan.</summary>
public sealed record SaveServicePlanRequest(
    string? Id,
    string? ServiceCode,
    string? Name,
    string? Tier,
    string? ConsumeType,
    long? Rate,
    bool? Enabled,
    bool? AllowCustomAmount,
    string? Description,
    int? Sort);

public static class ServicePlanApi
{
    public static void MapServicePlans(this RouteGroupBuilder finance, RouteGroupBuilder admin)
    {
        finance.MapGet("/servicePlan/list", List)
            .WithSummary("List service plans, optionally of one service (?serviceCode=)");
        admin.MapPost("/finance/servicePlans", Save)
            .WithSummary("Create or replace a service plan (admin)");
    }

    private static IResult List(string? serviceCode, ServicePlanCatalog catalog)
    {
        if (serviceCode is { Length: 0 })
        {
            serviceCode = null;
        }

        return FinanceEnvelope.Ok(catalog.List(serviceCode).Select(ServicePlanView.From).ToList());
    }

    private static IResult Save(SaveServicePlanRequest request, ServicePlanCatalog catalog)
    {
        var error = FieldRules.Identifier(request.Id, "id")
            ?? FieldRules.Identifier(request.ServiceCode, "serviceCode")
            ?? FieldRules.Text(request.Name, "name", 100, required: true)
            ?? FieldRules.Text(request.Tier, "tier", 50, required: false)
            ?? FieldRules.Text(request.Description, "description", 500, required: false)
            ?? ConsumeTypes.Validate(request.ConsumeType)
            ?? (request.Rate is null or < 0 or > FieldRules.MaxCoins ? $"rate is required and must be between 0 and {FieldRules.MaxCoins}" : null)
            ?? (request.AllowCustomAmount == true && request.ConsumeType != ConsumeTypes.Fixed ? "allowCustomAmount applies to FIXED plans only" : null);
        if (error is not null)
        {
            return FinanceEnvelope.Fail(ApiErrorKind.Validation, error);
        }

        var plan = new ServicePlanDocument
        {
            Id = request.Id!,
            ServiceCode = request.ServiceCode!,
            Name = request.Name!,
            Tier = request.Tier ?? "",
            ConsumeType = request.ConsumeType!,
            Rate = request.Rate!.Value,
            Enabled = request.Enabled ?? true,
            AllowCustomAmount = request.AllowCustomAmount ?? false,
            Description = request.Description,
            Sort = request.Sort ?? 0,
        };
        catalog.Save(plan);
        return FinanceEnvelope.Ok(ServicePlanView.From(plan));
    }
}
