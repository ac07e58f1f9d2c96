using Harness.Finance.Consumption;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
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
    int? Sort) : IValidatable
{
    public void Validate(Validator validator) => validator
        .Identifier(Id, "id")
        .Identifier(ServiceCode, "serviceCode")
        .Text(Name, "name", 100, required: true)
        .Text(Tier, "tier", 50, required: false)
        .Text(Description, "description", 500, required: false)
        .ConsumeType(ConsumeType)
        .Require(Rate is >= 0 and <= FieldRules.MaxCoins, $"rate is required and must be between 0 and {FieldRules.MaxCoins}")
        .Require(AllowCustomAmount != true || ConsumeType == ConsumeTypes.Fixed, "allowCustomAmount applies to FIXED plans only");
}

public static class ServicePlanApi
{
    public static void MapServicePlans(this RouteGroupBuilder finance, RouteGroupBuilder admin)
    {
        finance.MapGet("/servicePlan/list", List)
            .WithSummary("List service plans, optionally of one service (?serviceCode=)");
        admin.MapPost("/finance/servicePlans", Save)
            .WithSummary("Create or replace a service plan (admin)");
    }

    private static Ok<FinanceResponse<List<ServicePlanView>>> List(string? serviceCode, ServicePlanCatalog catalog) =>
        FinanceEnvelope.Ok(catalog.List(string.IsNullOrEmpty(serviceCode) ? null : serviceCode).Select(ServicePlanView.From).ToList());

    private static Ok<FinanceResponse<ServicePlanView>> Save(SaveServicePlanRequest request, ServicePlanCatalog catalog)
    {
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
