using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Epay;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Alipay;
using Harness.Sandbox.Tests.Creem;
using Harness.Sandbox.Tests.Epay;
using Harness.Sandbox.Tests.Stripe;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.Tests.WeChatPay;
using Harness.Sandbox.WeChatPay;
using Harness.Conformance.Steps.Providers;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Tests.Common;

/// <summary>
/// Hostile input at every route of every listener (issue #23): broken multipart, form limits, deep bracket
/// nesting, control characters, invalid UTF-8 and lone surrogates, duplicate JSON keys, wrong types and
/// content types, empty bodies. Nothing may answer 5xx, and every refusal is in its listener's error shape.
/// </summary>
public sealed partial class HostileInputTests
{
    private const int Seed = 23;
    private const int RandomRequests = 300;

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>Bodies every route gets: (name, content type or null, raw bytes).</summary>
    private static readonly (string Name, string? ContentType, byte[] Body)[] Bodies =
    [
        ("empty", null, []),
        ("empty form", Form, []),
        ("empty json", Json, []),
        ("form key over 2048", Form, Utf8(new string('k', 3000) + "=v")),
        ("form over 1024 fields", Form, Utf8(string.Join('&', Enumerable.Range(0, 1100).Select(i => $"f{i}=v")))),
        ("form nested 200 deep", Form, Utf8("metadata" + string.Concat(Enumerable.Repeat("[a]", 200)) + "=v")),
        ("form nested 40 deep", Form, Utf8("line_items[0]" + string.Concat(Enumerable.Repeat("[x]", 40)) + "=1&mode=payment")),
        ("form control characters", Form, Utf8("mode=pay%00ment&metadata[%01k]=v%00%1F&product_id=%00&money=1%00&action=pay%00&name=%7F&a%00b=1")),
        ("form invalid utf-8", Form, Utf8("mode=%FF%FE&name=%C0%AE&money=%ED%A0%80&metadata[%FF]=1&action=%ED%A0%80")),
        ("form raw invalid utf-8", Form, [.. Utf8("mode="), 0xFF, 0xFE, .. Utf8("&name="), 0xED, 0xA0, 0x80]),
        ("form overflowing amounts", Form, Utf8(
            "mode=payment&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=9223372036854775807"
            + "&line_items[0][price_data][product_data][name]=x&line_items[0][quantity]=2&expires_at=99999999999999"
            + "&money=79228162514264337593543950335&units=9223372036854775807")),
        ("form odd numbers", Form, Utf8(
            "mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1e3&limit=1.5&expires_at=-99999999999999"
            + "&money=1e5&line_items[1][price_data][unit_amount]=-5")),
        ("form shape confusion", Form, Utf8("line_items[][price]=x&line_items[a]=1&expand[0][x]=1&expand[]=line_items&metadata=str&line_items=str&expand=x")),
        ("multipart without boundary", "multipart/form-data", Utf8("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n")),
        ("multipart with another boundary", "multipart/form-data; boundary=abc", Utf8("--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--\r\n")),
        ("multipart boundary over 70", "multipart/form-data; boundary=" + new string('b', 100), Utf8("--" + new string('b', 100) + "\r\n")),
        ("multipart truncated", "multipart/form-data; boundary=x", Utf8("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1")),
        ("multipart garbage headers", "multipart/form-data; boundary=x", Utf8("--x\r\nnot a header\r\n\r\n1\r\n--x--\r\n")),
        ("multipart nul names", "multipart/form-data; boundary=x", Utf8("--x\r\nContent-Disposition: form-data; name=\"mo\0de\"\r\n\r\npay\0ment\r\n--x--\r\n")),
        ("json duplicate keys", Json, Utf8("""{"product_id":"prod_HarnessOneTime","product_id":"x","kind":"x","kind":"y","seconds":1,"seconds":2,"webhook_url":"a","webhook_url":"b","metadata":{"k":"1","k":"2"}}""")),
        ("json raw invalid utf-8", Json, [.. Utf8("{\"product_id\":\""), 0xFF, 0xFE, .. Utf8("\",\"kind\":\""), 0xED, 0xA0, 0x80, .. Utf8("\"}")]),
        ("json lone surrogates", Json, Utf8("""{"product_id":"\ud800","request_id":"x\udc00","metadata":{"\ud800":"v"},"provider":"\ud800","payment_id":"\udfff","webhook_url":"\ud800","seconds":1}""")),
        ("json control characters", Json, Utf8("""{"product_id":"prod\u0000","request_id":"\u0001","success_url":"https://merchant.example/\u0000x","metadata":{"\u0000":"\u001f"},"webhook_url":"http://127.0.0.1:1/\u0000","provider":"\u0000"}""")),
        ("json numbers as strings", Json, Utf8("""{"product_id":"prod_HarnessOneTime","units":"2","custom_price":"100","seconds":"60","count":"1"}""")),
        ("json floats", Json, Utf8("""{"product_id":"prod_HarnessOneTime","units":1.5,"custom_price":1e400,"seconds":1.5,"count":2.0,"status":5e2}""")),
        ("json huge numbers", Json, Utf8("""{"product_id":"prod_HarnessOneTime","units":9223372036854775807,"custom_price":99999999,"seconds":9223372036854775807,"count":2147483648,"status":-1}""")),
        ("json wrong types", Json, Utf8("""{"product_id":["x"],"units":{"a":1},"metadata":"x","customer":[1],"custom_fields":{"a":1},"success_url":5,"kind":5,"seconds":null}""")),
        ("json array", Json, Utf8("[]")),
        ("json null", Json, Utf8("null")),
        ("json string", Json, Utf8("\"x\"")),
        ("json nested 2000 deep", Json, Utf8(new string('[', 2000) + new string(']', 2000))),
        ("json as text/plain", "text/plain", Utf8("""{"product_id":"prod_HarnessOneTime"}""")),
        ("form as json", Json, Utf8("mode=payment&product_id=x")),
        ("json in an unknown media type", "application/x-nonsense; charset=bogus", Utf8("""{"a":1}""")),
    ];

    /// <summary>Query strings every route gets (each under Kestrel's 8 KB request line).</summary>
    private static readonly string[] Queries =
    [
        "",
        "checkout_id=%00&product_id=%FF&payment_id=%ED%A0%80&provider=%00&status=%01",
        "limit=99999999999999999999&expires_at=1e3&expand[0][x]=1&expand[]=line_items&starting_after=%00",
        "a" + string.Concat(Enumerable.Repeat("[b]", 500)) + "=1",
        string.Join('&', Enumerable.Range(0, 1000).Select(_ => "q=1")),
        $"act=order&pid={EpayProvider.Pid}&key={EpayProvider.Key}&trade_no=%00&out_trade_no=%FF",
        $"act=refund&pid={EpayProvider.Pid}&key={EpayProvider.Key}&trade_no=1&money=79228162514264337593543950335",
        "act=%00&money=-1&expand=line_items&limit=0",
        $"act=order&pid={EpayProvider.Pid}&key={EpayProvider.Key}&out_trade_no={new string('o', 2000)}&checkout_id={new string('c', 2000)}",
    ];

    /// <summary>Header values (sent as UTF-8): Stripe echoes its version header into the answer's headers.</summary>
    private static readonly string[] HeaderValues = ["2026-10-28.endive", "2020-08-27", "", "é", "\u0001x", "2026-10-28.endive\u007f", new string('k', 300)];

    /// <summary>Keys and values the seeded requests are made of.</summary>
    private static readonly string[] Keys =
    [
        "mode", "line_items[0][price]", "line_items[0][quantity]", "line_items[0][price_data][unit_amount]", "line_items[0][price_data][currency]",
        "line_items[0][price_data][product_data][name]", "expires_at", "metadata[k]", "expand[]", "limit", "success_url", "product_id", "units",
        "custom_price", "money", "act", "pid", "key", "trade_no", "out_trade_no", "type", "notify_url", "name", "sign", "action", "seconds", "count",
        "provider", "payment_id", "webhook_url", "a[b][c][d][e][f][g][h][i][j][k][l]", "\0", "[", "]]", "x[0][", "", "0", "1", "[]", "[0]",
        "customer", "card[token]", "payment_method", "invoice_settings[default_payment_method]", "billing_details[address][country]", "setup_future_usage",
    ];

    private static readonly string[] Values =
    [
        "", "0", "1", "-1", "2", "1.5", "1e3", "9223372036854775807", "-9223372036854775808", "99999999", "100000000", "999999", "1000000",
        "79228162514264337593543950335", "0.001", "12.50", "1000000.01", "usd", "payment", "subscription", "setup", "pay", "fail", "cancel",
        "price_HarnessCredits", "prod_HarnessOneTime", "https://merchant.example/é", "http://127.0.0.1:1/", "\0", "\u0001\u001f\u007f",
        "\ud800", "\udc00x", "line_items", "true", "null", "[]", "{}", new string('v', 2000),
    ];

    private const string Form = "application/x-www-form-urlencoded";
    private const string Json = "application/json";

    [Fact]
    public async Task Every_route_answers_hostile_input_in_its_listeners_error_shape_and_never_with_a_5xx()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wechat = await WeChatPayTests.WireAsync(sandbox);
        await WeChatPayTests.PlaceAsync(sandbox, wechat, WeChatPayTests.Order(wechat, "hostile_wx_1", "https://merchant.example/notify"));
        string[] ids = [.. await PaymentsToAimAtAsync(sandbox), "hostile_wx_1", await CreemSubscriptionAsync(sandbox)];
        var random = new Random(Seed);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        var targets = sandbox.Server.Routes
            .SelectMany(l => l.Routes.SelectMany(route => Methods(route).Select(method => (l.Listener, l.BaseUrl, Route: route, Method: method))))
            .ToList();
        Assert.Contains(targets, t => t.Listener == "stripe");
        Assert.Contains(targets, t => t.Listener == "creem");
        Assert.Contains(targets, t => t.Listener == "epay");
        Assert.Contains(targets, t => t.Listener == "wechatpay");
        Assert.Contains(targets, t => t.Listener == "alipay");
        Assert.Contains(targets, t => t.Listener == "tappay");
        Assert.Contains(targets, t => t.Route.RoutePattern.RawText == "/pay/{id}");

        var failures = new List<string>();
        async Task SendAsync((string Listener, string BaseUrl, RouteEndpoint Route, string Method) target, string query, string? contentType, byte[] body, string name)
        {
            var path = target.BaseUrl + FillRoute(target.Route.RoutePattern.RawText!, ids, random);
            // Kestrel refuses a request line over 8 KB with a bare 414 before any handler could shape it: stay under it.
            var url = path + (query.Length > 0 && path.Length + query.Length < 8000 ? "?" + query : "");
            using var request = new HttpRequestMessage(new HttpMethod(target.Method), url);
            if (contentType is not null || body.Length > 0)
            {
                request.Content = new ByteArrayContent(body);
                if (contentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
            }

            await AuthenticateAsync(request, target.Listener, wechat);
            request.Headers.TryAddWithoutValidation("Stripe-Version", HeaderValues[random.Next(HeaderValues.Length)]);
            request.Headers.TryAddWithoutValidation("Idempotency-Key", HeaderValues[random.Next(HeaderValues.Length)]);
            using var response = await http.SendAsync(request, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            if (Problem(target.Listener, request, response, text) is { } problem)
            {
                failures.Add($"{target.Method} {url[..Math.Min(url.Length, 160)]} [{name}] → {(int)response.StatusCode}: {problem}; {text[..Math.Min(text.Length, 300)]}");
            }
        }

        foreach (var target in targets)
        {
            foreach (var (name, contentType, body) in Bodies)
            {
                await SendAsync(target, Queries[random.Next(Queries.Length)], contentType, body, name);
            }

            foreach (var query in Queries)
            {
                await SendAsync(target, query, null, [], "query only");
            }
        }

        for (var i = 0; i < RandomRequests; i++)
        {
            var pairs = Enumerable.Range(0, random.Next(1, 8)).Select(_ => (Keys[random.Next(Keys.Length)], Values[random.Next(Values.Length)])).ToList();
            var (contentType, body) = random.Next(3) switch
            {
                0 => (Json, Utf8("{" + string.Join(',', pairs.Select(p => JsonString(p.Item1) + ":" + JsonString(p.Item2))) + "}")),
                1 => ((string?)Form, Utf8(string.Join('&', pairs.Select(p => Percent(p.Item1) + "=" + Percent(p.Item2))))),
                _ => ((string?)null, Array.Empty<byte>()),
            };
            var query = string.Join('&', pairs.Take(random.Next(4)).Select(p => Percent(p.Item1) + "=" + Percent(p.Item2)));
            await SendAsync(targets[random.Next(targets.Count)], query, contentType, body, $"seeded #{i}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} bad answer(s):{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    [Fact]
    public async Task Bodies_over_a_megabyte_are_refused_as_too_large_in_the_listeners_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var form = Utf8("mode=payment&metadata[k]=" + new string('m', 2_000_000));

        // 17 MB of Creem metadata would pass every check but the store's (16 MB per document).
        // Stripe words every client mistake as a 400. (Not Epay's mapi.php: it answers errors with a 200, after which a
        // client that asked to continue sends the body anyway, into a connection the server has closed.)
        (string Listener, string Path, string ContentType, byte[] Body, HttpStatusCode Status)[] requests =
        [
            ("stripe", "/v1/checkout/sessions", Form, form, HttpStatusCode.BadRequest),
            ("creem", "/v1/checkouts", Json, Utf8("{\"product_id\":\"prod_HarnessOneTime\",\"metadata\":{\"k\":\"" + new string('m', 17_000_000) + "\"}}"), HttpStatusCode.RequestEntityTooLarge),
            ("epay", "/submit.php", Form, form, HttpStatusCode.RequestEntityTooLarge),
            ("control", "/pay/nothing", Form, form, HttpStatusCode.RequestEntityTooLarge),
            ("wechatpay", "/v3/pay/transactions/native", Json, Utf8("{\"description\":\"" + new string('m', 2_000_000) + "\"}"), HttpStatusCode.RequestEntityTooLarge),
            ("tappay", "/tpc/payment/pay-by-prime", Json, Utf8("{\"details\":\"" + new string('m', 2_000_000) + "\"}"), HttpStatusCode.RequestEntityTooLarge),
        ];
        using var http = new HttpClient();
        using var wechat = await WeChatPayTests.WireAsync(sandbox);
        foreach (var (listener, path, contentType, body, status) in requests)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, (listener == "control" ? sandbox.Server.ControlBaseUrl : sandbox.BaseUrl(listener)) + path)
            {
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

            // Sent only once the server asks for it: refused at once, the body would otherwise hit a closed connection.
            request.Headers.ExpectContinue = true;
            await AuthenticateAsync(request, listener, wechat);
            using var response = await http.SendAsync(request, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);

            Assert.True(status == response.StatusCode, $"{listener} {path}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
            Assert.Contains("request body is too large", text, StringComparison.Ordinal);
            Assert.Null(Problem(listener, request, response, text));
        }
    }

    [Fact]
    public async Task Paying_redirects_to_merchant_urls_with_non_ascii_characters_percent_encoded()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };
        foreach (var id in await PaymentsToAimAtAsync(sandbox))
        {
            using var paid = await browser.PostAsync($"/pay/{id}", SandboxWorld.PayPageForm("pay"), Ct);
            var text = await paid.Content.ReadAsStringAsync(Ct);

            Assert.True(paid.StatusCode == HttpStatusCode.Redirect, $"{id}: {(int)paid.StatusCode} {text}");
            Assert.StartsWith("https://merchant.example/%C3%A9", paid.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
    }

    private const string LongBoundary = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private const string DeepMetadata = "mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&metadata"
        + "[a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a]"
        + "[a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a][a]=v";

    /// <summary>An active Creem subscription, so the subscription routes meet hostile input on a real one.</summary>
    internal static async Task<string> CreemSubscriptionAsync(TestSandbox sandbox)
    {
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.MonthlyProduct });
        await sandbox.ActAsync(checkout["id"]!.GetValue<string>(), "pay");
        return (await sandbox.GetArrayAsync("/control/creem/subscriptions"))[0]!["id"]!.GetValue<string>();
    }

    /// <summary>
    /// An open payment of Stripe, Creem, Epay and Alipay each, in that order, some with merchant URLs a redirect cannot
    /// carry as they are.
    /// </summary>
    internal static async Task<string[]> PaymentsToAimAtAsync(TestSandbox sandbox)
    {
        using var stripe = StripeErrorTests.Http(sandbox);
        using var created = await stripe.PostAsync("/v1/checkout/sessions", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["mode"] = "payment",
            ["line_items[0][price]"] = StripeCatalog.CreditsPrice,
            ["line_items[0][quantity]"] = "1",
            ["success_url"] = "https://merchant.example/é?id={CHECKOUT_SESSION_ID}",
            ["cancel_url"] = "https://merchant.example/ü",
        }), Ct);
        var session = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>();
        var checkout = (await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.OneTimeProduct, success_url = "https://merchant.example/é" }))["id"]!.GetValue<string>();
        var order = EpayTests.Order("https://merchant.example/notify", "HOSTILE1");
        order["return_url"] = "https://merchant.example/é";
        var tradeNo = await EpayTests.SubmitAsync(sandbox, EpayTests.Sign(order));
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        using var cashier = await alipay.BrowseAsync("alipay.trade.page.pay", AlipayTests.Order("HOSTILE_1"), new Dictionary<string, string> { ["return_url"] = "https://merchant.example/é" });
        var cashierUrl = cashier.Headers.Location!.ToString();
        var alipayTrade = cashierUrl[(cashierUrl.LastIndexOf('/') + 1)..];
        return [session, checkout, tradeNo, alipayTrade];
    }

    private static IEnumerable<string> Methods(RouteEndpoint route) =>
        route.Metadata.OfType<HttpMethodMetadata>().SelectMany(m => m.HttpMethods).DefaultIfEmpty("GET").Distinct();

    /// <summary>
    /// Route values: a real payment id, a provider or action name, or something hostile (percent-encoded). Not
    /// <c>%00</c>: Kestrel refuses a NUL in the path with an empty 400 before any of the sandbox's code runs.
    /// </summary>
    private static string FillRoute(string pattern, string[] ids, Random random) =>
        RouteParameter().Replace(pattern, _ =>
        {
            string[] choices = [.. ids, "stripe", "epay", "pay", "fail", "cancel", "customers", "prices", "x", "%01%7F", "%FF", "%ED%A0%80", "%C3%A9", new string('z', 300), new string('z', 3000)];
            return choices[random.Next(choices.Length)];
        });

    /// <summary>Each provider's credentials, so hostile input gets past authentication to the code behind it.</summary>
    private static async Task AuthenticateAsync(HttpRequestMessage request, string listener, WeChatPayWire wechat)
    {
        if (listener == "stripe")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StripeProvider.SecretKey);
        }
        else if (listener == "creem")
        {
            request.Headers.Add("x-api-key", CreemProvider.ApiKey);
        }
        else if (listener == "tappay")
        {
            request.Headers.Add("x-api-key", TapPayProvider.PartnerKey);
        }
        else if (listener == "wechatpay")
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(Ct);
            request.Headers.TryAddWithoutValidation("Authorization", wechat.Authorization(request.Method.Method, request.RequestUri!.PathAndQuery, body));
        }
    }

    /// <summary>What is wrong with an answer, or null: a 5xx, or a refusal outside the listener's error shape.</summary>
    private static string? Problem(string listener, HttpRequestMessage request, HttpResponseMessage response, string text)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return "server error";
        }

        if (listener == "stripe" && !response.Headers.Contains("Request-Id"))
        {
            return "no Request-Id";
        }

        if (listener == "wechatpay" && !response.Headers.Contains("Wechatpay-Signature"))
        {
            return "not signed with the platform key";
        }

        var html = response.Content.Headers.ContentType?.MediaType == "text/html";
        if (status is >= 300 and < 400 || (status < 300 && listener is "control" or "stripe" or "creem" or "wechatpay"))
        {
            return null;
        }

        if (html)
        {
            // Browser pages answer in HTML: Epay's submit.php (and V2's /api/pay/submit) error page, the pay page (missing, expired, or a message), TapPay's card form,
            // the dashboard's pages (a refusal with its reason), Creem's customer portal (a link that is not valid), Stripe's customer portal
            // (an unknown or expired session) and its payment links' page (an unknown or inactive link, a quantity out of range),
            // Alipay's agreement sign page, WeChat Pay's 委托代扣 signing page.
            var path = request.RequestUri!.AbsolutePath;
            return (listener is "epay" or "alipay" && path is "/submit.php" or "/api/pay/submit" or "/gateway.do" && status >= 400 && text.Contains("id=\"error\"", StringComparison.Ordinal))
                || (listener == "control" && path.StartsWith("/pay/", StringComparison.Ordinal))
                || (listener == "creem" && path.StartsWith("/portal/", StringComparison.Ordinal))
                || (listener == "control" && path.StartsWith("/billing_portal/", StringComparison.Ordinal))
                || (listener == "control" && path.StartsWith("/buy/", StringComparison.Ordinal))
                || (listener == "control" && path.StartsWith("/dashboard", StringComparison.Ordinal) && status >= 400 && text.Contains("id=\"notice\"", StringComparison.Ordinal))
                || (listener == "tappay" && path == "/sandbox/card-form")
                || (listener == "alipay" && path.StartsWith("/sandbox/agreement-sign/", StringComparison.Ordinal))
                || (listener == "wechatpay" && path == WeChatPayProvider.PapaySignPagePath)
                ? null
                : "HTML where the listener answers JSON";
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return "not JSON";
        }

        return listener switch
        {
            "stripe" => body?["error"] is JsonObject { } e && IsString(e["type"]) && IsString(e["message"]) ? null : "not Stripe's {error:{type,message}}",
            "creem" => body?["statusCode"] is JsonValue code && code.GetValue<int>() == status && IsString(body["error"])
                && (IsString(body["message"]) || body["message"] is JsonArray { Count: > 0 } list && list.All(IsString))
                ? null
                : "not Creem's {statusCode,message,error}",
            "alipay" => AlipayShape(body, status),
            "tappay" => TapPayShape(body),
            "epay" => body?["code"] is JsonValue c && c.GetValueKind() == JsonValueKind.Number && IsString(body["msg"]) ? null : "not Epay's {code,msg}",
            "wechatpay" => IsString(body?["code"]) && IsString(body!["message"]) ? null : "not WeChat Pay's {code,message}",
            _ => IsString(body?["error"]) ? null : "not the control API's {error}",
        };
    }

    /// <summary>TapPay's <c>{status (int), msg}</c>, at every HTTP status: its API answers refusals with a 200 (§7.1).</summary>
    private static string? TapPayShape(JsonNode? body) =>
        body?["status"] is JsonValue s && s.GetValueKind() == JsonValueKind.Number && s.TryGetValue<int>(out _) && IsString(body["msg"])
            ? null
            : "not TapPay's {status,msg}";

    /// <summary>The v2 gateway's <c>{"…_response":{code,msg,…},"sign":…}</c>, the v3 routes' <c>{code,message}</c> with HTTP ≥ 400, or the app's <c>{resultStatus,memo,…}</c>.</summary>
    private static string? AlipayShape(JsonNode? body, int status)
    {
        if (body is JsonObject v3 && status >= 400 && IsString(v3["code"]) && IsString(v3["message"]))
        {
            return null;
        }

        // The Alipay app's refusal of an order string (/sandbox/app-pay): what its SDK hands the merchant's app.
        if (body is JsonObject app && status == 400 && IsString(app["resultStatus"]) && IsString(app["memo"]) && IsString(app["sub_code"]))
        {
            return null;
        }

        return body is JsonObject { Count: 2 } v2 && IsString(v2["sign"])
            && v2.FirstOrDefault(p => p.Key.EndsWith("_response", StringComparison.Ordinal)).Value is JsonObject inner
            && IsString(inner["code"]) && IsString(inner["msg"])
            ? null
            : "not Alipay's {\"…_response\":{code,msg},\"sign\"} or {code,message}";
    }

    private static bool IsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A JSON string literal that keeps lone surrogates and control characters as escapes (serializers refuse them).</summary>
    private static string JsonString(string text) =>
        "\"" + string.Concat(text.Select(c => c is < ' ' or '"' or '\\' || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString())) + "\"";

    /// <summary>Percent-encodes every byte but ASCII letters and digits (a lone surrogate becomes U+FFFD's bytes).</summary>
    private static string Percent(string text) =>
        string.Concat(Encoding.UTF8.GetBytes(text).Select(b => char.IsAsciiLetterOrDigit((char)b) ? ((char)b).ToString() : $"%{b:X2}"));

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
