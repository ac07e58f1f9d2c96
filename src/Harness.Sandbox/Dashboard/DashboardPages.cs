using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Sandbox.Control;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Faults;
using Harness.Sandbox.Payments;
using Harness.Sandbox.PayPages;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.Http;
using static Harness.Sandbox.Dashboard.DashboardHtml;

namespace Harness.Sandbox.Dashboard;

/// <summary>
/// The dashboard's pages, newest first: what a load test left behind is hundreds of thousands of payments, so a list
/// reads one page from the store's ordered index and links to the next.
/// </summary>
internal sealed class DashboardPages(SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers, Func<string, string> baseUrl)
{
    public const int PageSize = 50;

    /// <summary>How many items a filtered page reads at most before it offers the next page instead.</summary>
    public const int ScanLimit = 1_000;

    private const int Latest = 10;

    private const string ShortPage = "None among the 1,000 newest read from here; older ones follow.";

    /// <summary>The fault kinds by the names the control API takes.</summary>
    public static readonly IReadOnlyDictionary<string, FaultKind> FaultKinds =
        Enum.GetValues<FaultKind>().ToDictionary(k => JsonSerializer.Serialize(k).Trim('"'), StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] PaymentStatuses = [.. Enum.GetValues<PaymentStatus>().Select(s => s.ToString().ToLowerInvariant())];

    private static readonly string[] DeliveryStatuses = [.. Enum.GetValues<CallbackStatus>().Select(s => s.ToString().ToLowerInvariant())];

    private static readonly (long Seconds, string Label)[] ClockSteps =
        [(60, "+1 minute"), (3_600, "+1 hour"), (86_400, "+1 day"), (7 * 86_400, "+7 days"), (30 * 86_400, "+30 days")];

    public IResult Overview(string? notice, bool error = false, int status = StatusCodes.Status200OK)
    {
        var html = new StringBuilder();
        html.Append("<h2>Clock</h2><p>Moving the sandbox clock expires payments and makes every callback attempt that falls due, as if the time had passed.</p>");
        foreach (var (seconds, label) in ClockSteps)
        {
            html.Append(Button(DashboardEndpoints.Root + "/clock", label, "seconds", seconds.ToString(CultureInfo.InvariantCulture)));
        }

        html.Append(CultureInfo.InvariantCulture, $"<form class=\"inline\" method=\"post\" action=\"{DashboardEndpoints.Root}/clock\">");
        html.Append("<input name=\"seconds\" id=\"advance-seconds\" inputmode=\"numeric\" placeholder=\"seconds\" size=\"9\"> <button type=\"submit\">Advance</button></form> ");
        html.Append(Button(DashboardEndpoints.Root + "/clock", "Run what is due now", "run_due", "true"));

        html.Append("<h2>Providers</h2>");
        html.Append(Table("providers", ["Provider", "API base URL", "Webhook URL", "Settings"], providers.Values.Select(p => (IReadOnlyList<string>)
        [
            Link($"{DashboardEndpoints.Root}/providers/{Uri.EscapeDataString(p.Name)}", p.Title),
            $"<code>{E(baseUrl(p.Name))}</code>",
            context.Settings.Get(p.Name, ProviderSettings.WebhookUrl) is { } url ? $"<code>{E(url)}</code>" : "— (callbacks go to each payment's own URL)",
            E(string.Join(", ", context.Settings.All(p.Name).Where(s => s.Key != ProviderSettings.WebhookUrl).Select(s => $"{s.Key}={Short(s.Value)}"))),
        ]), "No providers."));

        html.Append(CultureInfo.InvariantCulture, $"<h2>Latest payments</h2>{PaymentTable(context.Payments.Newest(providers.Keys, null, Latest))}");
        html.Append(Link(DashboardEndpoints.Root + "/payments", "All payments"));
        html.Append(CultureInfo.InvariantCulture, $"<h2>Latest deliveries</h2>{DeliveryTable(context.Dispatcher.Newest(null, Latest))}");
        html.Append(Link(DashboardEndpoints.Root + "/deliveries", "All deliveries"));
        var live = context.Faults.List().Count(f => f.Remaining is not 0);
        html.Append(CultureInfo.InvariantCulture, $"<h2>Faults</h2><p id=\"live-faults\">{live} live {(live == 1 ? "fault" : "faults")}. ");
        html.Append(Link(DashboardEndpoints.Root + "/faults", "Manage faults")).Append("</p>");
        return Page(context, "Overview", html.ToString(), notice, error, status);
    }

    public IResult Payments(string? provider, string? status, string? before)
    {
        if (Refusal(provider, status, PaymentStatuses) is { } refused)
        {
            return refused;
        }

        var start = before is null ? null : context.Payments.Get(before);
        if (before is not null && start is null)
        {
            return Problem(context, StatusCodes.Status404NotFound, $"No payment '{before}' to page on from.");
        }

        var (page, resumeAfter) = ControlLists.Read(
            (after, count) => context.Payments.Newest(provider is null ? providers.Keys : [provider], after, count),
            start,
            status is null ? null : p => p.Status.ToString().Equals(status, StringComparison.OrdinalIgnoreCase),
            PageSize,
            ScanLimit);
        var html = new StringBuilder(Filters("payments", provider, status, PaymentStatuses));
        html.Append(PaymentTable(page, resumeAfter is null ? "No payments." : ShortPage));
        html.Append(Older("payments", resumeAfter?.Id, provider, status));
        return Page(context, "Payments", html.ToString());
    }

    public IResult Payment(string id, string? notice, bool error = false, int status = StatusCodes.Status200OK)
    {
        if (context.Payments.Get(id) is not { } payment)
        {
            return Problem(context, StatusCodes.Status404NotFound, $"No payment '{id}'.");
        }

        var path = $"{DashboardEndpoints.Root}/payments/{Uri.EscapeDataString(id)}";
        var html = new StringBuilder();
        html.Append(Fields(
            ("Id", $"<code id=\"payment-id\">{E(payment.Id)}</code>"),
            ("Provider", E(providers[payment.Provider].Title)),
            ("Status", Status(payment.Status.ToString().ToLowerInvariant())),
            ("Amount", E(PayPageEndpoints.FormatAmount(payment.Amount, payment.Currency))),
            ("Description", E(payment.Description)),
            ("Merchant reference", payment.MerchantReference is { } reference ? $"<code>{E(reference)}</code>" : "—"),
            ("Created", E(Time(payment.CreatedAt))),
            ("Expires", E(Time(payment.ExpiresAt))),
            ("Declines", payment.Declines.ToString(CultureInfo.InvariantCulture)),
            ("Card", payment.CardLast4 is { } last4 ? E($"{payment.CardBrand} •••• {last4}") : "—"),
            ("Pay page", Link($"/pay/{Uri.EscapeDataString(payment.Id)}", $"/pay/{payment.Id}"))));
        if (payment.Status == PaymentStatus.Open)
        {
            html.Append("<p>Play the buyer: ").Append(Button(path, "Pay", "action", "pay")).Append(Button(path, "Fail", "action", "fail"))
                .Append(Button(path, "Cancel", "action", "cancel")).Append("</p>");
        }

        html.Append("<h2>Callbacks</h2>").Append(DeliveryTable(context.Dispatcher.List(payment.Id)));
        if (providers[payment.Provider].ObjectOf(payment) is { } shown)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>As {E(providers[payment.Provider].Title)} answers for it</h2><pre id=\"provider-object\">{E(shown.ToJsonString(Readable))}</pre>");
        }
        return Page(context, $"Payment {payment.Id}", html.ToString(), notice, error, status);
    }

    public IResult Deliveries(string? provider, string? status, string? before)
    {
        if (Refusal(provider, status, DeliveryStatuses) is { } refused)
        {
            return refused;
        }

        var start = before is null ? null : context.Dispatcher.Get(before);
        if (before is not null && start is null)
        {
            return Problem(context, StatusCodes.Status404NotFound, $"No delivery '{before}' to page on from.");
        }

        var (page, resumeAfter) = ControlLists.Read(
            context.Dispatcher.Newest,
            start,
            provider is null && status is null ? null
                : d => (provider is null || d.Source == provider) && (status is null || d.Status.ToString().Equals(status, StringComparison.OrdinalIgnoreCase)),
            PageSize,
            ScanLimit);
        var html = new StringBuilder(Filters("deliveries", provider, status, DeliveryStatuses));
        html.Append(DeliveryTable(page, resumeAfter is null ? "No callbacks." : ShortPage));
        html.Append(Older("deliveries", resumeAfter?.Id, provider, status));
        return Page(context, "Deliveries", html.ToString());
    }

    public IResult Delivery(string id, string? notice, bool error = false)
    {
        if (context.Dispatcher.Get(id) is not { } delivery)
        {
            return Problem(context, StatusCodes.Status404NotFound, $"No delivery '{id}'.");
        }

        var provider = providers.GetValueOrDefault(delivery.Source);
        var html = new StringBuilder();
        html.Append(Fields(
            ("Id", $"<code id=\"delivery-id\">{E(delivery.Id)}</code>"),
            ("Provider", E(provider?.Title ?? delivery.Source)),
            ("Payment", PaymentLink(delivery.Subject)),
            ("Event", E(delivery.EventType)),
            ("Request", $"<code>{E(delivery.Method)} {E(delivery.Url)}</code>"),
            ("Status", Status(delivery.Status.ToString().ToLowerInvariant())),
            ("Created", E(Time(delivery.CreatedAt))),
            ("Next attempt", E(Time(delivery.NextAttemptAt))),
            ("Retry schedule", E(delivery.RetryDelaysSeconds.Count == 0 ? "none" : string.Join(", ", delivery.RetryDelaysSeconds.Select(Duration))))));
        html.Append("<p>").Append(Button($"{DashboardEndpoints.Root}/deliveries/{Uri.EscapeDataString(id)}/resend", "Resend now"))
            .Append(" sends the same body once more, outside the schedule (re-signed where the scheme has a timestamp).</p>");
        html.Append(CultureInfo.InvariantCulture, $"<h2>Body</h2><pre id=\"body\">{E(CallbackDispatcher.BodyText(delivery.Body))}</pre>");
        if (provider?.Readable(delivery) is { } readable)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Decrypted</h2><pre id=\"readable\">{E(Indented(readable))}</pre>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<h2>Attempts ({delivery.Attempts.Count})</h2>");
        if (delivery.Attempts.Count == 0)
        {
            html.Append("<p id=\"no-attempts\">None yet.</p>");
        }

        foreach (var attempt in delivery.Attempts)
        {
            html.Append(Attempt(attempt));
        }

        return Page(context, $"Delivery {delivery.Id}", html.ToString(), notice, error);
    }

    public IResult Faults(string? notice, bool error = false, int status = StatusCodes.Status200OK)
    {
        var html = new StringBuilder("<p>A provider-API fault (latency, server_error) shapes the provider's answers; a callback fault shapes the callbacks a payment makes next. A count limits how often it fires.</p>");
        html.Append(Table("faults", ["Id", "Kind", "Provider", "Payment", "Left", "Fired", "Seconds", "Status", ""], context.Faults.List().Select(f => (IReadOnlyList<string>)
        [
            $"<code>{E(f.Id)}</code>",
            E(JsonSerializer.Serialize(f.Kind).Trim('"')),
            E(f.Provider ?? "any"),
            f.PaymentId is { } payment ? PaymentLink(payment) : "any",
            E(f.Remaining?.ToString(CultureInfo.InvariantCulture) ?? "always"),
            f.Fired.ToString(CultureInfo.InvariantCulture),
            E(f.Seconds?.ToString(CultureInfo.InvariantCulture) ?? ""),
            E(f.Status?.ToString(CultureInfo.InvariantCulture) ?? ""),
            Button($"{DashboardEndpoints.Root}/faults/{Uri.EscapeDataString(f.Id)}/remove", "Remove"),
        ]), "No faults."));
        html.Append(Button(DashboardEndpoints.Root + "/faults/clear", "Remove every fault"));
        html.Append(CultureInfo.InvariantCulture, $"<h2>Add a fault</h2><form method=\"post\" action=\"{DashboardEndpoints.Root}/faults\" id=\"add-fault\">");
        html.Append("<p><label>Kind ").Append(Select("kind", "choose…", FaultKinds.Keys, null)).Append("</label> ");
        html.Append("<label>Provider ").Append(Select("provider", "any", providers.Keys, null)).Append("</label></p>");
        html.Append("<p><label>Payment id <input name=\"payment_id\" id=\"payment_id\" placeholder=\"any\"></label> ");
        html.Append("<label>Count <input name=\"count\" id=\"count\" inputmode=\"numeric\" size=\"5\" placeholder=\"always\"></label> ");
        html.Append("<label>Seconds <input name=\"seconds\" id=\"seconds\" inputmode=\"numeric\" size=\"6\"></label> ");
        html.Append("<label>Status ").Append(Select("status", "500", ["503"], null)).Append("</label></p>");
        html.Append("<button type=\"submit\">Add fault</button></form>");
        return Page(context, "Faults", html.ToString(), notice, error, status);
    }

    public IResult Subscriptions(string? notice, bool error = false, int status = StatusCodes.Status200OK)
    {
        var html = new StringBuilder("<p>The providers' own recurring billing: renew a subscription now, or make its charges decline from its next renewal on (and choose what it becomes once every retry failed).</p>");
        foreach (var provider in providers.Values)
        {
            if (provider.Subscriptions is not { } subscriptions)
            {
                continue;
            }

            html.Append(CultureInfo.InvariantCulture, $"<h2>{E(provider.Title)}</h2><p>{E(subscriptions.RenewMeaning)}</p>");
            html.Append(Table($"subscriptions-{provider.Name}", ["Subscription", "Customer", "Status", "Period ends", "Charges", ""], subscriptions.Newest(PageSize).Select(s => (IReadOnlyList<string>)
            [
                $"<code>{E(s.Id)}</code>",
                $"<code>{E(s.Customer)}</code>",
                Status(s.Status),
                E(Time(s.PeriodEnd)),
                E(s.Failing ? $"decline, then {s.EndState}" : "succeed"),
                SubscriptionActions(provider.Name, s, subscriptions.EndStates),
            ]), "No subscriptions yet."));
        }

        return Page(context, "Subscriptions", html.ToString(), notice, error, status);
    }

    private static string SubscriptionActions(string provider, SubscriptionRow subscription, IReadOnlyList<string> endStates)
    {
        var path = $"{DashboardEndpoints.Root}/subscriptions/{Uri.EscapeDataString(provider)}/{Uri.EscapeDataString(subscription.Id)}";
        var html = new StringBuilder(Button(path + "/renew", "Renew now"));
        if (subscription.Failing)
        {
            return html.Append(Button(path + "/charges", "Let its charges succeed", "fail", "false")).ToString();
        }

        html.Append(CultureInfo.InvariantCulture, $"<form class=\"inline\" method=\"post\" action=\"{E(path)}/charges\"><input type=\"hidden\" name=\"fail\" value=\"true\">");
        html.Append("<select name=\"end_state\" aria-label=\"End state\">");
        foreach (var state in endStates)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option>{E(state)}</option>");
        }

        return html.Append("</select> <button type=\"submit\">Decline its charges</button></form>").ToString();
    }

    public IResult Provider(string name, string? notice, bool error = false, int status = StatusCodes.Status200OK)
    {
        if (!providers.TryGetValue(name, out var provider))
        {
            return Problem(context, StatusCodes.Status404NotFound, $"No provider '{name}'.");
        }

        var path = $"{DashboardEndpoints.Root}/providers/{Uri.EscapeDataString(name)}";
        var settings = context.Settings.All(name);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p>API base URL <code id=\"base-url\">{E(baseUrl(name))}</code>. ");
        html.Append(Link($"{DashboardEndpoints.Root}/payments?provider={Uri.EscapeDataString(name)}", "Its payments")).Append(", ");
        html.Append(Link($"{DashboardEndpoints.Root}/deliveries?provider={Uri.EscapeDataString(name)}", "its deliveries")).Append(".</p>");
        html.Append("<h2>Credentials</h2>").Append(Table("credentials", ["Name", "Value"],
            provider.Credentials.Select(c => (IReadOnlyList<string>)[E(c.Key), $"<pre>{E(c.Value)}</pre>"]), "None."));
        html.Append("<h2>Settings</h2>").Append(Table("settings", ["Name", "Value", ""],
            settings.Select(s => (IReadOnlyList<string>)[E(s.Key), $"<code>{E(s.Value)}</code>", RemoveSetting(path, s.Key)]), "None set."));
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{E(path)}\" id=\"set-setting\"><p>");
        html.Append("<label>Name <input name=\"name\" id=\"setting-name\" list=\"setting-names\" required></label> ");
        html.Append("<label>Value <input name=\"value\" id=\"setting-value\" size=\"50\"></label> <button type=\"submit\">Set</button></p>");
        html.Append("<datalist id=\"setting-names\">");
        foreach (var known in provider.SettingNames.Prepend(ProviderSettings.WebhookUrl))
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(known)}\">");
        }

        html.Append("</datalist><p>An empty value removes the setting.</p></form>");
        return Page(context, provider.Title, html.ToString(), notice, error, status);
    }

    private static string RemoveSetting(string path, string key) =>
        $"<form class=\"inline\" method=\"post\" action=\"{E(path)}\"><input type=\"hidden\" name=\"name\" value=\"{E(key)}\">"
        + "<input type=\"hidden\" name=\"value\" value=\"\"><button type=\"submit\">Remove</button></form>";

    private IResult? Refusal(string? provider, string? status, string[] statuses) =>
        provider is not null && !providers.ContainsKey(provider) ? Problem(context, StatusCodes.Status404NotFound, $"No provider '{provider}'.")
        : status is not null && !statuses.Contains(status) ? Problem(context, StatusCodes.Status400BadRequest, $"status must be one of {string.Join(", ", statuses)}.")
        : null;

    private string Filters(string list, string? provider, string? status, IEnumerable<string> statuses) =>
        $"<form method=\"get\" action=\"{DashboardEndpoints.Root}/{list}\" id=\"filters\"><label>Provider {Select("provider", "all", providers.Keys, provider)}</label> "
        + $"<label>Status {Select("status", "all", statuses, status)}</label> <button type=\"submit\">Show</button></form>";

    private static string Older(string list, string? lastShown, string? provider, string? status) =>
        lastShown is null ? ""
        : $"<p><a id=\"older\" href=\"{DashboardEndpoints.Root}/{list}?before={Q(lastShown)}"
            + (provider is null ? "" : $"&amp;provider={Q(provider)}") + (status is null ? "" : $"&amp;status={Q(status)}") + "\">Older →</a></p>";

    private string PaymentTable(IEnumerable<SandboxPayment> payments, string empty = "No payments yet.") =>
        Table("payments", ["Created", "Payment", "Provider", "Description", "Amount", "Status"], payments.Select(p => (IReadOnlyList<string>)
        [
            E(Time(p.CreatedAt)),
            PaymentLink(p.Id),
            E(providers.TryGetValue(p.Provider, out var provider) ? provider.Title : p.Provider),
            E(p.Description),
            E(PayPageEndpoints.FormatAmount(p.Amount, p.Currency)),
            Status(p.Status.ToString().ToLowerInvariant()),
        ]), empty);

    private static string DeliveryTable(IEnumerable<CallbackDelivery> deliveries, string empty = "No callbacks yet.") =>
        Table("deliveries", ["Created", "Delivery", "Event", "To", "Status", "Attempts", "Last answer"], deliveries.Select(d => (IReadOnlyList<string>)
        [
            E(Time(d.CreatedAt)),
            Link($"{DashboardEndpoints.Root}/deliveries/{Uri.EscapeDataString(d.Id)}", d.Id),
            E(d.EventType),
            $"<code>{E(d.Url)}</code>",
            Status(d.Status.ToString().ToLowerInvariant()),
            d.Attempts.Count.ToString(CultureInfo.InvariantCulture),
            d.Attempts.Count == 0 ? "—" : E(Answer(d.Attempts[^1])),
        ]), empty);

    private static string PaymentLink(string id) => Link($"{DashboardEndpoints.Root}/payments/{Uri.EscapeDataString(id)}", id);

    private static string Answer(CallbackAttempt attempt) =>
        attempt.ResponseStatus is { } status
            ? string.Create(CultureInfo.InvariantCulture, $"{status}{(attempt.Acknowledged ? " (acknowledged)" : " (not acknowledged)")} in {attempt.LatencyMs} ms")
            : $"no answer: {attempt.Error}";

    private static string Attempt(CallbackAttempt attempt)
    {
        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<section class=\"attempt\" id=\"attempt-{attempt.Number}\">");
        html.Append(CultureInfo.InvariantCulture, $"<h3>Attempt {attempt.Number} · {E(attempt.Trigger)} · {E(Time(attempt.At))}</h3>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"answer\">{E(Answer(attempt))}</p>");
        html.Append(CultureInfo.InvariantCulture, $"<p><code>{E(attempt.Method)} {E(attempt.Url)}</code></p>");
        html.Append(Table($"headers-{attempt.Number}", ["Header", "Value"],
            attempt.RequestHeaders.Select(h => (IReadOnlyList<string>)[E(h.Key), $"<code>{E(h.Value)}</code>"]), "No headers."));
        html.Append(CultureInfo.InvariantCulture, $"<p>Request body</p><pre>{E(CallbackDispatcher.BodyText(attempt.RequestBody))}</pre>");
        html.Append(CultureInfo.InvariantCulture, $"<p>Response body</p><pre class=\"response\">{E(attempt.ResponseBody)}</pre>");
        return html.Append("</section>").ToString();
    }

    /// <summary>JSON laid out for reading, characters as they are (the page encodes them); anything else as it came.</summary>
    private static string Indented(string text)
    {
        try
        {
            return JsonNode.Parse(text)?.ToJsonString(Readable) ?? text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    private static string Short(string value) => value.Length <= 40 ? value : value[..37] + "…";
}
