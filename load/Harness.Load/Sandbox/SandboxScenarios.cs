using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Harness.Load.Engine;
using Harness.Load.Target;

namespace Harness.Load.Sandbox;

/// <summary>
/// The load scenarios of the provider sandbox: its do-nothing control endpoint (the baseline of a sandbox
/// run), an order or checkout create at each provider as its SDK sends it (signed where the provider signs),
/// and pay-and-deliver, which creates and pays Stripe checkouts while the runner's own receiver takes their
/// webhooks.
/// </summary>
public sealed partial class SandboxScenarios(SandboxTarget target, PaymentJournal journal, string runId) : IDisposable
{
    public const string Control = "sandbox-control";
    public const string StripeCheckout = "stripe-checkout";
    public const string CreemCheckout = "creem-checkout";
    public const string EpayOrder = "epay-order";
    public const string WeChatPayOrder = "wechatpay-order";
    public const string AlipayPrecreate = "alipay-precreate";
    public const string TapPayPay = "tappay-pay";
    public const string PayAndDeliver = "pay-and-deliver";

    public static IReadOnlyList<string> Names { get; } = [Control, StripeCheckout, CreemCheckout, EpayOrder, WeChatPayOrder, AlipayPrecreate, TapPayPay, PayAndDeliver];

    /// <summary>Where the Epay orders say they would be notified: nothing pays them, so nothing is ever sent there.</summary>
    private const string EpayNotifyUrl = "http://127.0.0.1:9/epay/notify";

    // pay-and-deliver: the session each iteration's create step made, taken by its pay step.
    private readonly ConcurrentDictionary<long, string> _created = new();

    public Scenario Create(string name) => name switch
    {
        Control => new(name, "GET /control/health: no store, no provider; the sandbox host's ceiling", [new Step("health", HealthAsync)]),
        StripeCheckout => new(name, "POST /v1/checkout/sessions (form, Bearer key, an Idempotency-Key per iteration)", [new Step("create", ctx => StripeCreateAsync(name, ctx, keep: false))]),
        CreemCheckout => new(name, "POST /v1/checkouts (JSON, x-api-key)", [new Step("create", ctx => CreemCreateAsync(name, ctx))]),
        EpayOrder => new(name, "POST /mapi.php (form, MD5-signed)", [new Step("create", ctx => EpayCreateAsync(name, ctx))]),
        WeChatPayOrder => new(name, "POST /v3/pay/transactions/native (JSON, RSA-signed Authorization; the answer signed too)", [new Step("create", ctx => WeChatPayCreateAsync(name, ctx))]),
        AlipayPrecreate => new(name, "POST /gateway.do alipay.trade.precreate (form, RSA2-signed; the answer signed too)", [new Step("create", ctx => AlipayCreateAsync(name, ctx))]),
        TapPayPay => new(name, "POST /tpc/payment/pay-by-prime with the published test prime (JSON, x-api-key): a charge", [new Step("pay", ctx => TapPayChargeAsync(name, ctx))]),
        PayAndDeliver => new(name, "create a Stripe checkout, pay it (POST /control/payments/{id}/pay); the runner's receiver takes the webhooks", [
            new Step("create", ctx => StripeCreateAsync(name, ctx, keep: true)),
            new Step("pay", PayAsync),
        ]) { MainStep = 1 },
        _ => throw new ArgumentException($"unknown sandbox scenario '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>Whether every scenario named is a sandbox scenario.</summary>
    public static bool AllSandbox(IEnumerable<string> scenarios) => scenarios.All(s => Names.Contains(s, StringComparer.Ordinal));

    private string KeyOf(string scenario, long iteration) => string.Create(CultureInfo.InvariantCulture, $"{runId}-{scenario}-{iteration}");

    private async Task<StepOutcome> HealthAsync(StepContext ctx)
    {
        var answer = await target.Control.SendAsync(new LoadCall("GET", "/control/health", null), ctx.Cancellation);
        return answer.Status == HttpStatusCode.OK ? StepOutcome.Success : Http(answer);
    }

    private async Task<StepOutcome> StripeCreateAsync(string scenario, StepContext ctx, bool keep)
    {
        var key = KeyOf(scenario, ctx.Iteration);
        var body = "mode=payment&line_items[0][price]=" + Form(target.Stripe.Credential("one_time_price"))
            + "&line_items[0][quantity]=1&success_url=" + Form("https://example.com/ok") + "&client_reference_id=" + Form(key);
        var answer = await target.StripeApi.SendAsync(
            new LoadCall("POST", "/v1/checkout/sessions", Encoding.ASCII.GetBytes(body), "Bearer " + target.Stripe.Credential("secret_key"))
            {
                ContentType = LoadCall.FormContentType,
                Headers = [new("Idempotency-Key", key)],
                KeepBody = true,
            },
            ctx.Cancellation);
        if (answer.Status != HttpStatusCode.OK || StringField(answer.Body, "id") is not { } id || !id.StartsWith("cs_test", StringComparison.Ordinal))
        {
            return Http(answer);
        }

        if (keep)
        {
            _created[ctx.Iteration] = id;
        }

        return StepOutcome.Success;
    }

    private async Task<StepOutcome> CreemCreateAsync(string scenario, StepContext ctx)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["product_id"] = target.Creem.Credential("one_time_product"),
            ["request_id"] = KeyOf(scenario, ctx.Iteration),
            ["success_url"] = "https://example.com/ok",
        });
        var answer = await target.CreemApi.SendAsync(
            new LoadCall("POST", "/v1/checkouts", body) { Headers = [new("x-api-key", target.Creem.Credential("api_key"))], KeepBody = true },
            ctx.Cancellation);
        return answer.Status == HttpStatusCode.OK && StringField(answer.Body, "id") is { } id && id.StartsWith("ch_", StringComparison.Ordinal)
            ? StepOutcome.Success
            : Http(answer);
    }

    private async Task<StepOutcome> EpayCreateAsync(string scenario, StepContext ctx)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pid"] = target.Epay.Credential("pid"),
            ["type"] = "alipay",
            ["out_trade_no"] = KeyOf(scenario, ctx.Iteration),
            ["notify_url"] = EpayNotifyUrl,
            ["name"] = "Harness load",
            ["money"] = "1.00",
            ["device"] = "pc", // go-epay sends it, and it is signed like any other parameter
        };
        parameters["sign"] = EpaySign.Of(parameters, target.Epay.Credential("key"));
        parameters["sign_type"] = "MD5";
        var body = string.Join('&', parameters.Select(p => p.Key + "=" + Form(p.Value)));
        var answer = await target.EpayApi.SendAsync(
            new LoadCall("POST", "/mapi.php", Encoding.ASCII.GetBytes(body)) { ContentType = LoadCall.FormContentType, KeepBody = true },
            ctx.Cancellation);
        // Epay answers errors with HTTP 200 too: success is code 1 with the order's trade_no.
        return answer.Status == HttpStatusCode.OK && answer.Fields.Code == 1 && StringField(answer.Body, "trade_no") is { Length: > 0 }
            ? StepOutcome.Success
            : StepOutcome.Failure(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)answer.Status} code {answer.Fields.Code}"));
    }

    private async Task<StepOutcome> PayAsync(StepContext ctx)
    {
        if (!_created.TryRemove(ctx.Iteration, out var id))
        {
            throw new InvalidOperationException($"iteration {ctx.Iteration} reached its pay step without a session");
        }

        var (startTicks, startUnixMs) = (Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        LoadAnswer answer;
        try
        {
            answer = await target.Control.SendAsync(new LoadCall("POST", $"/control/payments/{id}/pay", null) { KeepBody = true }, ctx.Cancellation);
        }
        catch
        {
            journal.Record(new PayAttempt(id, startTicks, startUnixMs, PayOutcome.Uncertain));
            throw;
        }

        var paid = answer.Status == HttpStatusCode.OK && PaymentStatus(answer.Body) == "paid";
        journal.Record(new PayAttempt(id, startTicks, startUnixMs, paid ? PayOutcome.Paid : (int)answer.Status >= 500 ? PayOutcome.Uncertain : PayOutcome.Refused));
        return paid ? StepOutcome.Success : Http(answer);
    }

    private static StepOutcome Http(LoadAnswer answer) => StepOutcome.Failure(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)answer.Status}"));

    /// <summary>Form values the runner sends are plain ASCII; escaped all the same, as a form encoder would.</summary>
    private static string Form(string value) => Uri.EscapeDataString(value);

    /// <summary>A top-level string field of a JSON answer, or null.</summary>
    internal static string? StringField(byte[]? body, string name) => ReadAnswer(body, root => Text(root, name), null);

    /// <summary>The <c>payment.status</c> of a control pay answer.</summary>
    private static string? PaymentStatus(byte[]? body) =>
        ReadAnswer(body, root => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("payment", out var payment) ? Text(payment, "status") : null, null);

    /// <summary>What <paramref name="read"/> finds in a JSON answer; <paramref name="none"/> for no body or one that is not JSON.</summary>
    private static T ReadAnswer<T>(byte[]? body, Func<JsonElement, T> read, T none)
    {
        if (body is null)
        {
            return none;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return read(document.RootElement);
        }
        catch (JsonException)
        {
            return none;
        }
    }

    /// <summary>A string member of a JSON object, or null (not an object, no such member, not a string).</summary>
    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
