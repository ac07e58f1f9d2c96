using System.Globalization;
using Harness.Http;
using Harness.Sandbox.Control;
using Harness.Sandbox.PayPages;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Harness.Sandbox.Dashboard;

/// <summary>
/// The sandbox for a person, on the control port: payments (and playing their buyer), the delivery log with every
/// attempt's exact request and answer, resend, faults, the clock and the merchant settings — what the control API
/// offers, in a browser. Plain server-rendered HTML and forms, no script. A change answers with a redirect to the page
/// that shows it (so a reload does not repeat it), or the same page with what is wrong and a 4xx. The sandbox has no
/// login, so a form posted from another site is refused: a page elsewhere must not pay, resend or move the clock.
/// </summary>
public static class DashboardEndpoints
{
    public const string Root = "/dashboard";

    private const int MaxNotice = 400;

    public static void MapDashboard(
        this IEndpointRouteBuilder routes,
        SandboxContext context,
        IReadOnlyDictionary<string, ISandboxProvider> providers,
        Func<string, string> providerBaseUrl,
        SandboxScheduler scheduler)
    {
        var pages = new DashboardPages(context, providers, providerBaseUrl);
        routes.MapGet("/", () => Results.Redirect(Root)).ExcludeFromDescription();
        var dashboard = routes.MapGroup(Root).ExcludeFromDescription();
        dashboard.MapGet("", (string? notice) => pages.Overview(notice));
        dashboard.MapGet("/payments", (string? provider, string? status, string? before) => pages.Payments(Blank(provider), Blank(status), Blank(before)));
        dashboard.MapGet("/payments/{id}", (string id, string? notice) => pages.Payment(id, notice));
        dashboard.MapGet("/deliveries", (string? provider, string? status, string? before) => pages.Deliveries(Blank(provider), Blank(status), Blank(before)));
        dashboard.MapGet("/deliveries/{id}", (string id, string? notice) => pages.Delivery(id, notice));
        dashboard.MapGet("/subscriptions", (string? notice) => pages.Subscriptions(notice));
        dashboard.MapGet("/faults", (string? notice) => pages.Faults(notice));
        dashboard.MapGet("/providers/{name}", (string name, string? notice) => pages.Provider(name, notice));

        var changes = dashboard.MapGroup("").AddEndpointFilter((invocation, next) =>
            FromThisSite(invocation.HttpContext.Request) ? next(invocation)
                : ValueTask.FromResult<object?>(DashboardHtml.Problem(context, StatusCodes.Status403Forbidden, "A form from another site cannot change the sandbox.")));

        changes.MapPost("/payments/{id}", async (string id, HttpRequest request) =>
        {
            if (context.Payments.Get(id) is null)
            {
                return DashboardHtml.Problem(context, StatusCodes.Status404NotFound, $"No payment '{id}'.");
            }

            var action = (await FormOf(request))["action"].ToString();
            if (action is not ("pay" or "fail" or "cancel"))
            {
                return pages.Payment(id, "Choose Pay, Fail or Cancel.", error: true, StatusCodes.Status400BadRequest);
            }

            var outcome = await PayPageEndpoints.ActAsync(context, providers, id, action);
            var notice = outcome.RedirectUrl is { } url ? $"{outcome.Message} The buyer's browser would go on to {url}" : outcome.Message;
            return Back($"{Root}/payments/{Uri.EscapeDataString(id)}", notice);
        });
        changes.MapPost("/deliveries/{id}/resend", async (string id, CancellationToken ct) =>
            await context.Dispatcher.ResendAsync(id, ct) is { } attempt
                ? Back($"{Root}/deliveries/{Uri.EscapeDataString(id)}", Resent(attempt.Number, attempt.ResponseStatus, attempt.Acknowledged, attempt.Error))
                : DashboardHtml.Problem(context, StatusCodes.Status404NotFound, $"No delivery '{id}'."));
        changes.MapPost("/subscriptions/{provider}/{id}/renew", async (string provider, string id, CancellationToken ct) =>
        {
            if (!providers.TryGetValue(provider, out var found) || found.Subscriptions is not { } subscriptions)
            {
                return DashboardHtml.Problem(context, StatusCodes.Status404NotFound, $"No provider '{provider}' with subscriptions.");
            }

            return await subscriptions.RenewAsync(id, scheduler, ct) switch
            {
                (null, _) => DashboardHtml.Problem(context, StatusCodes.Status404NotFound, $"No {found.Title} subscription '{id}'."),
                (_, { } refusal) => pages.Subscriptions($"{id}: {refusal}", error: true, StatusCodes.Status400BadRequest),
                var (row, _) => Back($"{Root}/subscriptions", $"{id}: its renewal ran; it is {row.Status}, its period ends {DashboardHtml.Time(row.PeriodEnd)}."),
            };
        });
        changes.MapPost("/subscriptions/{provider}/{id}/charges", async (string provider, string id, HttpRequest request) =>
        {
            if (!providers.TryGetValue(provider, out var found) || found.Subscriptions is not { } subscriptions)
            {
                return DashboardHtml.Problem(context, StatusCodes.Status404NotFound, $"No provider '{provider}' with subscriptions.");
            }

            var form = await FormOf(request);
            var endState = form["end_state"].ToString() is { Length: > 0 } chosen ? chosen : subscriptions.EndStates[0];
            if (form["fail"].ToString() is not ("true" or "false") || !subscriptions.EndStates.Contains(endState))
            {
                return pages.Subscriptions($"fail must be true or false, end_state one of {string.Join(", ", subscriptions.EndStates)}.", error: true, StatusCodes.Status400BadRequest);
            }

            var failing = form["fail"] == "true";
            return subscriptions.SetFailing(id, failing, endState) is null
                ? DashboardHtml.Problem(context, StatusCodes.Status404NotFound, $"No {found.Title} subscription '{id}'.")
                : Back($"{Root}/subscriptions", failing ? $"{id}: its charges decline from its next renewal on, then it is {endState}." : $"{id}: its charges succeed again.");
        });
        changes.MapPost("/faults", async (HttpRequest request) =>
        {
            var (fault, problem) = FaultFrom(await FormOf(request), providers);
            if (problem is not null)
            {
                return pages.Faults(problem, error: true, StatusCodes.Status400BadRequest);
            }

            var rule = context.Faults.Add(fault!.ToRule());
            return Back($"{Root}/faults", $"Added fault {rule.Id}.");
        });
        changes.MapPost("/faults/{id}/remove", (string id) =>
            Back($"{Root}/faults", context.Faults.Remove(id) ? $"Removed fault {id}." : $"No fault '{id}': nothing removed."));
        changes.MapPost("/faults/clear", () =>
        {
            context.Faults.Clear();
            return Back($"{Root}/faults", "Removed every fault.");
        });
        changes.MapPost("/clock", async (HttpRequest request, CancellationToken ct) =>
        {
            var form = await FormOf(request);
            if (form["run_due"] == "true")
            {
                var made = await scheduler.RunDueAsync(ct);
                return Back(Root, Attempts(made, "made what was due"));
            }

            if (!long.TryParse(form["seconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return pages.Overview("seconds must be a whole number of seconds.", error: true, StatusCodes.Status400BadRequest);
            }

            var (clock, refused) = await ControlActions.AdvanceClockAsync(context, scheduler, seconds, ct);
            return clock is null
                ? pages.Overview(refused!, error: true, StatusCodes.Status400BadRequest)
                : Back(Root, Attempts(clock.AttemptsMade ?? 0, $"moved the clock {DashboardHtml.Duration(seconds)}"));
        });
        changes.MapPost("/providers/{name}", async (string name, HttpRequest request) =>
        {
            if (!providers.TryGetValue(name, out var provider))
            {
                return DashboardHtml.Problem(context, StatusCodes.Status404NotFound, $"No provider '{name}'.");
            }

            var form = await FormOf(request);
            var key = form["name"].ToString().Trim();
            if (key.Length == 0)
            {
                return pages.Provider(name, "Name the setting.", error: true, StatusCodes.Status400BadRequest);
            }

            var value = form["value"].ToString().Trim();
            if (ControlActions.SetSettings(context, provider, new Dictionary<string, string?> { [key] = value }) is { } refused)
            {
                return pages.Provider(name, refused, error: true, StatusCodes.Status400BadRequest);
            }

            var notice = value.Length == 0 ? $"Removed {key}." : $"Set {key}.";
            return Back($"{Root}/providers/{Uri.EscapeDataString(name)}", notice);
        });
    }

    /// <summary>
    /// Whether a form came from the dashboard's own pages: a browser names the site it posts from (Sec-Fetch-Site, and
    /// Origin on every POST); a client that sends neither (curl, a test's HTTP client) is not a page elsewhere.
    /// </summary>
    internal static bool FromThisSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The posted form; a body that is no form at all (JSON, nothing) reads as an empty one, which every form here refuses.</summary>
    private static async Task<IFormCollection> FormOf(HttpRequest request) =>
        request.HasFormContentType ? await RequestForm.ReadAsync(request) : FormCollection.Empty;

    /// <summary>
    /// Back to the page that shows the change, saying what happened. The notice rides in the URL, so it is cut short:
    /// a merchant's long return URL must not make a request line the server refuses.
    /// </summary>
    private static IResult Back(string page, string notice) =>
        Results.Redirect($"{page}?notice={Uri.EscapeDataString(notice.Length <= MaxNotice ? notice : notice[..MaxNotice] + "…")}");

    /// <summary>An empty form field (the filters' "all") is no filter.</summary>
    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Resent(int number, int? status, bool acknowledged, string? error) =>
        status is { } answered
            ? string.Create(CultureInfo.InvariantCulture, $"Resent: attempt {number} answered {answered}{(acknowledged ? ", acknowledged." : ", not acknowledged.")}")
            : string.Create(CultureInfo.InvariantCulture, $"Resent: attempt {number} got no answer ({error}).");

    private static string Attempts(int made, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"The sandbox {what}: {made} callback {(made == 1 ? "attempt" : "attempts")} made.");

    /// <summary>The add-fault form as the control API's request, checked the same way; blank fields are left out.</summary>
    private static (FaultRequest? Fault, string? Problem) FaultFrom(IFormCollection form, IReadOnlyDictionary<string, ISandboxProvider> providers)
    {
        if (!DashboardPages.FaultKinds.TryGetValue(form["kind"].ToString(), out var kind))
        {
            return (null, $"kind must be one of {string.Join(", ", DashboardPages.FaultKinds.Keys)}");
        }

        var numbers = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var field in new[] { "count", "seconds", "status" })
        {
            var text = form[field].ToString().Trim();
            if (text.Length == 0)
            {
                numbers[field] = null;
            }
            else if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                numbers[field] = number;
            }
            else
            {
                return (null, $"{field} must be a whole number");
            }
        }

        var fault = new FaultRequest(kind, Text(form["provider"]), Text(form["payment_id"]), numbers["count"], numbers["seconds"], numbers["status"]);
        return fault.Validate(providers) is { } problem ? (null, problem) : (fault, null);
    }

    private static string? Text(StringValues value) => value.ToString().Trim() is { Length: > 0 } text ? text : null;
}
