using System.Globalization;
using System.Text.Json.Serialization;
using Harness.NewApi.Auth;
using Harness.NewApi.TopUp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Harness.NewApi.Subscriptions;

/// <summary>The subscription routes of seed 001 for users and admins (new-api.md §6.3–6.4); Epay orders are in <see cref="SubscriptionEpayApi"/>.</summary>
public static class SubscriptionApi
{
    public const string ParameterError = "参数错误";
    public const string InvalidId = "无效的ID";
    public const string InvalidUserId = "无效的用户ID";
    public const string InvalidSubscriptionId = "无效的订阅ID";

    public static readonly IReadOnlyList<string> Preferences = ["subscription_first", "wallet_first", "subscription_only", "wallet_only"];

    public static void MapSubscriptions(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/subscription").WithTags("Subscriptions");
        group.MapGet("/plans", Plans).RequireUser().WithSummary("Enabled plans, sort_order desc then id desc; data = [{plan}].");
        group.MapGet("/self", Self).RequireUser()
            .WithSummary("The billing preference, the active subscriptions and all of them, end_time desc; each as {subscription}.");
        group.MapPut("/self/preference", Preference).RequireUser()
            .WithSummary("Sets the billing preference; anything but the four known values becomes subscription_first.");

        var admin = group.MapGroup("/admin").RequireAdmin();
        admin.MapGet("/plans", AllPlans).WithSummary("Every plan, enabled or not, in the users' order.");
        admin.MapPost("/plans", CreatePlan).WithSummary("Creates a plan from {plan: {…}}; data is the plan. Currency is always USD.");
        admin.MapPut("/plans/{id}", UpdatePlan).WithSummary("Writes every field of {plan: {…}}, enabled included: leaving it out disables the plan.");
        admin.MapPatch("/plans/{id}", PatchPlan).WithSummary("Sets only enabled ({enabled: bool}).");
        admin.MapPost("/bind", Bind).WithSummary("Grants {user_id, plan_id} a subscription (source admin; the purchase limit applies).");
        admin.MapGet("/users/{id}/subscriptions", SubscriptionsOfUser).WithSummary("Every subscription of the user, end_time desc.");
        admin.MapPost("/users/{id}/subscriptions", GrantToUser).WithSummary("Grants the user {plan_id} a subscription (source admin).");
        admin.MapPost("/user_subscriptions/{id}/invalidate", Invalidate).WithSummary("Cancels a subscription now and reverts the user's group.");
        admin.MapDelete("/user_subscriptions/{id}", Delete).WithSummary("Deletes a subscription and reverts the user's group.");
    }

    public static string Normalise(string? preference) =>
        preference?.Trim() is { } value && Preferences.Contains(value) ? value : "subscription_first";

    private static Ok<NewApiResponse<IReadOnlyList<PlanItem>>> Plans(SubscriptionStore store) =>
        NewApiEnvelope.Ok<IReadOnlyList<PlanItem>>([.. store.Plans(enabledOnly: true).Select(p => new PlanItem(p))]);

    private static Ok<NewApiResponse<IReadOnlyList<PlanItem>>> AllPlans(SubscriptionStore store) =>
        NewApiEnvelope.Ok<IReadOnlyList<PlanItem>>([.. store.Plans(enabledOnly: false).Select(p => new PlanItem(p))]);

    private static async Task<Ok<NewApiResponse<SelfView>>> Self(SubscriptionStore store, UserSubscriptions subscriptions, HttpContext http, CancellationToken ct)
    {
        await subscriptions.ExpireDueAsync(ct);
        var user = http.CurrentUser();
        var all = store.SubscriptionsOf(user.NumericId);
        var now = subscriptions.Now;
        return NewApiEnvelope.Ok(new SelfView(
            Normalise(user.BillingPreference),
            [.. all.Where(s => UserSubscriptions.IsActive(s, now)).Select(s => new SubscriptionItem(s))],
            [.. all.Select(s => new SubscriptionItem(s))]));
    }

    private static Ok<NewApiResponse<object>> Preference(PreferenceRequest request, NewApiUsers users, HttpContext http)
    {
        if (request is null)
        {
            return NewApiEnvelope.Fail(ParameterError);
        }

        var user = http.CurrentUser();
        user.BillingPreference = Normalise(request.BillingPreference);
        users.Save(user);
        return TypedResults.Ok(new NewApiResponse<object>(true, "", new Dictionary<string, string> { ["billing_preference"] = user.BillingPreference }));
    }

    private static Ok<NewApiResponse<object>> CreatePlan(PlanRequest request, SubscriptionStore store, UserSubscriptions subscriptions, IOptions<TopUpSettings> settings)
    {
        var input = request?.Plan ?? PlanInput.Empty;
        if (PlanRules.Check(input, settings.Value) is { } refusal)
        {
            return NewApiEnvelope.Fail(refusal);
        }

        var now = subscriptions.Now;
        var plan = new SubscriptionPlan { CreatedAt = now };
        PlanRules.Apply(plan, input, now);

        // GORM writes a false enabled as the column's default (true) on create, as it does every zero value with a default.
        plan.Enabled = true;
        return TypedResults.Ok(new NewApiResponse<object>(true, "", store.AddPlan(plan)));
    }

    private static Ok<NewApiResponse<object>> UpdatePlan(string id, PlanRequest request, SubscriptionStore store, UserSubscriptions subscriptions, IOptions<TopUpSettings> settings)
    {
        if (Id(id) is not { } number)
        {
            return NewApiEnvelope.Fail(InvalidId);
        }

        var input = request?.Plan ?? PlanInput.Empty;
        if (PlanRules.Check(input, settings.Value) is { } refusal)
        {
            return NewApiEnvelope.Fail(refusal);
        }

        if (store.Plan(number) is { } plan)
        {
            PlanRules.Apply(plan, input, subscriptions.Now);
            plan.Enabled = input.Enabled ?? false;
            store.SavePlan(plan);
        }

        return NewApiEnvelope.OkNull();
    }

    private static Ok<NewApiResponse<object>> PatchPlan(string id, EnabledRequest request, SubscriptionStore store, UserSubscriptions subscriptions)
    {
        if (Id(id) is not { } number)
        {
            return NewApiEnvelope.Fail(InvalidId);
        }

        if (request?.Enabled is not { } enabled)
        {
            return NewApiEnvelope.Fail(ParameterError);
        }

        if (store.Plan(number) is { } plan)
        {
            plan.Enabled = enabled;
            plan.UpdatedAt = subscriptions.Now;
            store.SavePlan(plan);
        }

        return NewApiEnvelope.OkNull();
    }

    private static async Task<Ok<NewApiResponse<object>>> Bind(BindRequest request, SubscriptionStore store, UserSubscriptions subscriptions, NewApiUsers users, CancellationToken ct)
    {
        if (request?.UserId is not > 0 || request.PlanId is not > 0)
        {
            return NewApiEnvelope.Fail(ParameterError);
        }

        return await GrantAsync(request.UserId.Value, request.PlanId.Value, store, subscriptions, users, ct);
    }

    private static async Task<Ok<NewApiResponse<object>>> GrantToUser(string id, PlanIdRequest request, SubscriptionStore store, UserSubscriptions subscriptions, NewApiUsers users, CancellationToken ct)
    {
        if (Id(id) is not { } userId)
        {
            return NewApiEnvelope.Fail(InvalidUserId);
        }

        if (request?.PlanId is not > 0)
        {
            return NewApiEnvelope.Fail(ParameterError);
        }

        return await GrantAsync(userId, request.PlanId.Value, store, subscriptions, users, ct);
    }

    private static async Task<Ok<NewApiResponse<object>>> SubscriptionsOfUser(string id, SubscriptionStore store, UserSubscriptions subscriptions, CancellationToken ct)
    {
        if (Id(id) is not { } userId)
        {
            return NewApiEnvelope.Fail(InvalidUserId);
        }

        await subscriptions.ExpireDueAsync(ct);
        return TypedResults.Ok(new NewApiResponse<object>(true, "", store.SubscriptionsOf(userId).Select(s => new SubscriptionItem(s)).ToList()));
    }

    private static async Task<Ok<NewApiResponse<object>>> Invalidate(string id, UserSubscriptions subscriptions, CancellationToken ct)
    {
        if (Id(id) is not { } number)
        {
            return NewApiEnvelope.Fail(InvalidSubscriptionId);
        }

        await subscriptions.ExpireDueAsync(ct);
        return Answer(await subscriptions.InvalidateAsync(number, ct));
    }

    private static async Task<Ok<NewApiResponse<object>>> Delete(string id, UserSubscriptions subscriptions, CancellationToken ct)
    {
        if (Id(id) is not { } number)
        {
            return NewApiEnvelope.Fail(InvalidSubscriptionId);
        }

        await subscriptions.ExpireDueAsync(ct);
        return Answer(await subscriptions.DeleteAsync(number, ct));
    }

    private static async Task<Ok<NewApiResponse<object>>> GrantAsync(int userId, int planId, SubscriptionStore store, UserSubscriptions subscriptions, NewApiUsers users, CancellationToken ct)
    {
        if (store.Plan(planId) is not { } plan || users.Find(userId) is not { } user)
        {
            return NewApiEnvelope.Fail(UserSubscriptions.NotFound);
        }

        await subscriptions.ExpireDueAsync(ct);
        return Answer(await subscriptions.GrantAsync(user, plan, "admin", "", repair: false, ct));
    }

    /// <summary>Success with <c>data: {"message": "用户分组将…"}</c> when the group changes, else without <c>data</c>.</summary>
    private static Ok<NewApiResponse<object>> Answer(SubscriptionOutcome outcome) =>
        outcome.Error is { } error ? NewApiEnvelope.Fail(error)
        : TypedResults.Ok(new NewApiResponse<object>(true, "", outcome.GroupMessage is { } message ? new Dictionary<string, string> { ["message"] = message } : null));

    /// <summary>A positive integer id, else null (upstream's <c>id &lt;= 0</c> or Atoi error).</summary>
    private static int? Id(string id) =>
        int.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number > 0 ? number : null;
}

public sealed record PlanItem([property: JsonPropertyName("plan")] SubscriptionPlan Plan);

public sealed record SubscriptionItem([property: JsonPropertyName("subscription")] UserSubscription Subscription);

public sealed record SelfView(
    [property: JsonPropertyName("billing_preference")] string BillingPreference,
    [property: JsonPropertyName("subscriptions")] IReadOnlyList<SubscriptionItem> Subscriptions,
    [property: JsonPropertyName("all_subscriptions")] IReadOnlyList<SubscriptionItem> AllSubscriptions);

public sealed record PreferenceRequest([property: JsonPropertyName("billing_preference")] string? BillingPreference);

public sealed record EnabledRequest([property: JsonPropertyName("enabled")] bool? Enabled);

public sealed record BindRequest(
    [property: JsonPropertyName("user_id")] int? UserId,
    [property: JsonPropertyName("plan_id")] int? PlanId);

public sealed record PlanIdRequest([property: JsonPropertyName("plan_id")] int? PlanId);
