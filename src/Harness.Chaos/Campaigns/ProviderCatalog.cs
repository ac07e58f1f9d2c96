using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// The provider APIs the sandbox simulates, from their documented parameters: each operation with a
/// well-formed request to spoil, the provider's credentials and its error shape. The sandbox publishes
/// its providers' base URLs and credentials at <c>/control/providers</c>.
/// </summary>
public sealed record ProviderApi(string Name, Uri BaseUrl, IReadOnlyList<Operation> Operations, Func<HttpResponseMessage, string, string?> Shape, Action<HttpRequestMessage, Operation> Credentials, Func<Operation, int, int, FuzzCase> Generate);

public static partial class ProviderCatalog
{
    public static async Task<IReadOnlyList<ProviderApi>> ReadAsync(HttpClient control, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await control.GetStringAsync(new Uri("/control/providers", UriKind.Relative), cancellationToken));
        var apis = new List<ProviderApi>();
        foreach (var provider in document.RootElement.EnumerateArray())
        {
            var baseUrl = new Uri(provider.GetProperty("base_url").GetString()!);
            var credentials = provider.GetProperty("credentials");
            string Credential(string name) => credentials.GetProperty(name).GetString()!;
            switch (provider.GetProperty("name").GetString())
            {
                case "stripe":
                    apis.Add(Stripe(baseUrl, Credential("secret_key"), Credential("one_time_price")));
                    break;
                case "creem":
                    apis.Add(Creem(baseUrl, Credential("api_key"), Credential("one_time_product")));
                    break;
                case "epay":
                    apis.Add(Epay(baseUrl, Credential("pid"), Credential("key"), Credential("merchant_private_key")));
                    break;
                case "alipay":
                    apis.Add(Alipay(baseUrl, Credential("gateway_path"), Credential("app_id"), Credential("app_private_key"), (Credential("app_cert_sn"), Credential("alipay_root_cert_sn"))));
                    apis.Add(AlipayV3(baseUrl, Credential("app_id"), Credential("app_private_key"), (Credential("app_cert_sn"), Credential("alipay_root_cert_sn"))));
                    break;
                case "tappay":
                    apis.Add(TapPay(baseUrl, Credential("partner_key"), Credential("merchant_id"), Credential("app_id"), Credential("app_key")));
                    break;
                case "wechatpay":
                    apis.Add(WeChatPay(baseUrl, Credential("mchid"), Credential("appid"), Credential("merchant_serial_no"), Credential("merchant_private_key")));
                    break;
            }
        }

        return apis;
    }

    private static ProviderApi Stripe(Uri baseUrl, string secretKey, string price)
    {
        var session = Form(("mode", "payment"), ("success_url", "https://merchant.test/ok"), ("cancel_url", "https://merchant.test/no"),
            ("line_items[0][price]", price), ("line_items[0][quantity]", "1"), ("client_reference_id", "chaos"), ("metadata[order]", "o-1"));
        var inline = Form(("mode", "payment"), ("success_url", "https://merchant.test/ok"), ("line_items[0][quantity]", "2"),
            ("line_items[0][price_data][currency]", "usd"), ("line_items[0][price_data][unit_amount]", "1500"),
            ("line_items[0][price_data][product_data][name]", "Credits"));
        Operation[] operations =
        [
            new("POST", "/v1/checkout/sessions", [], session, Answers),
            new("POST", "/v1/checkout/sessions", [], inline, Answers),
            new("GET", "/v1/checkout/sessions", [new("limit", "query", "integer"), new("payment_intent", "query", "string")], null, Answers),
            new("GET", "/v1/checkout/sessions/{id}", [Id, new("expand[]", "query", "string")], null, Answers),
            new("GET", "/v1/checkout/sessions/{id}/line_items", [Id], null, Answers),
            new("POST", "/v1/checkout/sessions/{id}/expire", [Id], null, Answers),
            new("POST", "/v1/coupons", [], Form(("percent_off", "12.5"), ("duration", "repeating"), ("duration_in_months", "3"), ("name", "Chaos"), ("applies_to[products][0]", "prod_HarnessPro")), Answers),
            new("GET", "/v1/coupons", [new("limit", "query", "integer")], null, Answers),
            new("GET", "/v1/coupons/{id}", [Id], null, Answers),
            new("POST", "/v1/coupons/{id}", [Id], Form(("name", "Chaos"), ("metadata[label]", "chaos")), Answers),
            new("DELETE", "/v1/coupons/{id}", [Id], null, Answers),
            new("POST", "/v1/promotion_codes", [], Form(("promotion[type]", "coupon"), ("promotion[coupon]", "CHAOS"), ("code", "CHAOS10"), ("max_redemptions", "5"),
                ("restrictions[minimum_amount]", "1000"), ("restrictions[minimum_amount_currency]", "usd")), Answers),
            new("GET", "/v1/promotion_codes", [new("code", "query", "string"), new("active", "query", "boolean"), new("limit", "query", "integer")], null, Answers),
            new("GET", "/v1/promotion_codes/{id}", [Id], null, Answers),
            new("POST", "/v1/promotion_codes/{id}", [Id], Form(("active", "false"), ("metadata[label]", "chaos")), Answers),
            new("POST", "/v1/payment_intents", [], Form(("amount", "1000"), ("currency", "usd"), ("payment_method", "pm_card_visa"), ("confirm", "true")), Answers),
            new("GET", "/v1/payment_intents", [new("limit", "query", "integer"), new("customer", "query", "string")], null, Answers),
            new("GET", "/v1/payment_intents/{id}", [Id, new("expand[]", "query", "string")], null, Answers),
            new("POST", "/v1/payment_intents/{id}/confirm", [Id], Form(("payment_method", "pm_card_visa")), Answers),
            new("POST", "/v1/payment_intents/{id}/capture", [Id], Form(("amount_to_capture", "500")), Answers),
            new("POST", "/v1/payment_intents/{id}/cancel", [Id], Form(("cancellation_reason", "abandoned")), Answers),
            new("POST", "/v1/refunds", [], Form(("payment_intent", "pi_chaos"), ("amount", "100"), ("reason", "requested_by_customer")), Answers),
            new("GET", "/v1/refunds", [new("charge", "query", "string"), new("payment_intent", "query", "string"), new("limit", "query", "integer")], null, Answers),
            new("POST", "/v1/refunds/{id}", [Id], Form(("metadata[label]", "chaos")), Answers),
            new("POST", "/v1/refunds/{id}/cancel", [Id], null, Answers),
            new("POST", "/v1/payment_methods", [], Form(("type", "card"), ("card[token]", "tok_visa"), ("billing_details[name]", "Chaos")), Answers),
            new("GET", "/v1/payment_methods", [new("customer", "query", "string"), new("type", "query", "string"), new("limit", "query", "integer")], null, Answers),
            new("GET", "/v1/payment_methods/{id}", [Id], null, Answers),
            new("POST", "/v1/payment_methods/{id}", [Id], Form(("metadata[label]", "chaos"), ("billing_details[email]", "chaos@example.test")), Answers),
            new("POST", "/v1/payment_methods/{id}/attach", [Id], Form(("customer", "cus_chaos")), Answers),
            new("POST", "/v1/payment_methods/{id}/detach", [Id], null, Answers),
            new("POST", "/v1/customers/{id}", [Id], Form(("invoice_settings[default_payment_method]", "pm_chaos"), ("name", "Chaos")), Answers),
            new("GET", "/v1/customers/{id}/payment_methods", [Id, new("type", "query", "string")], null, Answers),
            new("POST", "/v1/products", [], Form(("name", "Chaos plan"), ("metadata[k]", "v"), ("default_price_data[currency]", "usd"), ("default_price_data[unit_amount]", "1500")), Answers),
            new("GET", "/v1/products", [new("active", "query", "boolean"), new("limit", "query", "integer"), new("ending_before", "query", "string")], null, Answers),
            new("GET", "/v1/products/{id}", [Id, new("expand[]", "query", "string")], null, Answers),
            new("POST", "/v1/products/{id}", [Id], Form(("name", "Chaos plan v2"), ("default_price", price), ("metadata[k]", "")), Answers),
            new("DELETE", "/v1/products/{id}", [Id], null, Answers),
            new("POST", "/v1/prices", [], Form(("currency", "usd"), ("unit_amount", "700"), ("product_data[name]", "Chaos"), ("recurring[interval]", "month"), ("recurring[interval_count]", "3"), ("lookup_key", "chaos")), Answers),
            new("GET", "/v1/prices", [new("lookup_keys[]", "query", "string"), new("type", "query", "string"), new("limit", "query", "integer")], null, Answers),
            new("GET", "/v1/products/search", [new("query", "query", "string"), new("limit", "query", "integer"), new("page", "query", "string")], null, Answers),
            new("GET", "/v1/prices/search", [new("query", "query", "string"), new("limit", "query", "integer")], null, Answers),
            new("GET", "/v1/prices/{id}", [Id, new("expand[]", "query", "string")], null, Answers),
            new("POST", "/v1/prices/{id}", [Id], Form(("active", "false"), ("lookup_key", "chaos"), ("transfer_lookup_key", "true")), Answers),
            .. StripeMeterOperations(),
            .. StripeTierOperations(),
            .. StripeWebhookEndpointOperations(),
            .. StripePortalOperations(),
            .. StripeTaxOperations(),
            .. StripeBalanceOperations(),
            .. StripeCreditNoteOperations(),
            .. StripeScheduleOperations(),
            .. StripeInlinePriceOperations(),
            .. StripePaymentLinkOperations(),
            .. StripeSetupIntentOperations(),
            .. StripeQuoteOperations(),
            .. StripeBankDebitOperations(),
            new("POST", "/v1/subscriptions/{id}", [Id], Form(("items[0][id]", "si_chaos"), ("items[0][price]", price), ("items[0][quantity]", "2"), ("proration_behavior", "always_invoice")), Answers),
            new("POST", "/v1/subscription_items", [], Form(("subscription", "sub_chaos"), ("price", price), ("quantity", "2"), ("proration_behavior", "always_invoice"), ("metadata[k]", "v")), Answers),
            new("GET", "/v1/subscription_items", [new("subscription", "query", "string"), new("limit", "query", "integer"), new("starting_after", "query", "string")], null, Answers),
            new("GET", "/v1/subscription_items/{id}", [Id], null, Answers),
            new("POST", "/v1/subscription_items/{id}", [Id], Form(("price", price), ("quantity", "3"), ("proration_behavior", "none"), ("payment_behavior", "error_if_incomplete")), Answers),
            new("DELETE", "/v1/subscription_items/{id}", [Id, new("proration_behavior", "query", "string"), new("clear_usage", "query", "boolean")], null, Answers),
            new("POST", "/v1/subscriptions/{id}/resume", [Id], Form(("billing_cycle_anchor", "unchanged"), ("proration_behavior", "always_invoice"), ("proration_date", "1767225600")), Answers),
            new("POST", "/v1/invoices/{id}/pay", [Id], Form(("payment_method", "pm_card_visa")), Answers),
            new("POST", "/v1/invoices/create_preview", [], Form(("subscription", "sub_chaos"), ("subscription_details[items][0][id]", "si_chaos"), ("subscription_details[items][0][price]", price)), Answers),
            new("POST", "/v1/invoiceitems", [], Form(("customer", "cus_chaos"), ("amount", "500"), ("currency", "usd"), ("description", "Chaos fee")), Answers),
            new("GET", "/v1/invoiceitems", [new("customer", "query", "string"), new("pending", "query", "boolean"), new("limit", "query", "integer")], null, Answers),
            new("GET", "/v1/invoiceitems/{id}", [Id], null, Answers),
            new("POST", "/v1/invoiceitems/{id}", [Id], Form(("amount", "700"), ("metadata[label]", "chaos")), Answers),
            new("DELETE", "/v1/invoiceitems/{id}", [Id], null, Answers),
            new("POST", "/v1/invoices", [], Form(("customer", "cus_chaos"), ("collection_method", "send_invoice"), ("days_until_due", "30"), ("pending_invoice_items_behavior", "include"), ("metadata[k]", "v")), Answers),
            new("GET", "/v1/invoices", [new("customer", "query", "string"), new("status", "query", "string"), new("collection_method", "query", "string"), new("limit", "query", "integer")], null, Answers),
            new("GET", "/v1/invoices/{id}", [Id], null, Answers),
            new("POST", "/v1/invoices/{id}", [Id], Form(("description", "Chaos"), ("days_until_due", "14"), ("auto_advance", "true")), Answers),
            new("DELETE", "/v1/invoices/{id}", [Id], null, Answers),
            new("POST", "/v1/invoices/{id}/finalize", [Id], Form(("auto_advance", "false")), Answers),
            new("POST", "/v1/invoices/{id}/void", [Id], null, Answers),
            new("POST", "/v1/invoices/{id}/mark_uncollectible", [Id], null, Answers),
            new("POST", "/v1/invoices/{id}/send", [Id], null, Answers),
            new("GET", "/v1/invoices/{id}/lines", [Id, new("limit", "query", "integer"), new("starting_after", "query", "string"), new("ending_before", "query", "string")], null, Answers),
            new("POST", "/v1/invoices/{id}/add_lines", [Id], Form(("lines[0][amount]", "500"), ("lines[0][description]", "Chaos"), ("lines[1][invoice_item]", "ii_chaos"), ("invoice_metadata[k]", "v")), Answers),
            new("POST", "/v1/invoices/{id}/update_lines", [Id], Form(("lines[0][id]", "il_chaos"), ("lines[0][amount]", "700"), ("lines[0][period][start]", "1767225600"), ("lines[0][period][end]", "1769904000")), Answers),
            new("POST", "/v1/invoices/{id}/remove_lines", [Id], Form(("lines[0][id]", "il_chaos"), ("lines[0][behavior]", "unassign")), Answers),
            new("POST", "/v1/invoices/{id}/lines/{line_item_id}", [Id, new("line_item_id", "path", "string")], Form(("quantity", "2"), ("metadata[k]", "v")), Answers),
            new("GET", "/v1/disputes", [new("charge", "query", "string"), new("payment_intent", "query", "string"), new("created[gte]", "query", "integer"), new("limit", "query", "integer")], null, Answers),
            new("GET", "/v1/disputes/{id}", [Id], null, Answers),
            new("POST", "/v1/disputes/{id}", [Id], Form(("evidence[uncategorized_text]", "winning_evidence"), ("evidence[shipping_tracking_number]", "1Z999"), ("metadata[case]", "chaos"), ("submit", "false")), Answers),
            new("POST", "/v1/disputes/{id}/close", [Id], null, Answers),
            new("GET", "/v1/radar/early_fraud_warnings", [new("charge", "query", "string"), new("payment_intent", "query", "string"), new("created[gte]", "query", "integer"), new("limit", "query", "integer")], null, Answers),
            new("GET", "/v1/radar/early_fraud_warnings/{id}", [Id], null, Answers),
        ];
        return new ProviderApi("Stripe", baseUrl, operations, AnswerShapes.Stripe,
            (request, _) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secretKey), FormInputs.Case);
    }

    private static ProviderApi Creem(Uri baseUrl, string apiKey, string product)
    {
        var checkout = new JsonObject
        {
            ["product_id"] = product, ["request_id"] = "chaos-1", ["units"] = 1, ["success_url"] = "https://merchant.test/ok",
            ["metadata"] = new JsonObject { ["order"] = "o-1" }, ["customer"] = new JsonObject { ["email"] = "buyer@example.test" },
        };
        var productBody = new JsonObject
        {
            ["name"] = "Chaos plan", ["description"] = "Fuzzed", ["price"] = 1000, ["currency"] = "USD", ["billing_type"] = "recurring", ["billing_period"] = "every-month",
            ["trial_period_days"] = 7,
            ["features"] = new JsonArray(new JsonObject { ["type"] = "customerCredits", ["description"] = "Credits", ["customer_credits"] = new JsonObject { ["amount"] = "10" } }),
        };
        var discountBody = new JsonObject
        {
            ["name"] = "Chaos", ["code"] = "CHAOS", ["type"] = "percentage", ["percentage"] = 10, ["duration"] = "repeating", ["duration_in_months"] = 2,
            ["applies_to_products"] = new JsonArray(product), ["max_redemptions"] = 5, ["expiry_date"] = "2099-01-01T00:00:00Z",
        };
        Operation[] operations =
        [
            new("POST", "/v1/checkouts", [], checkout, Answers),
            new("GET", "/v1/checkouts", [new("checkout_id", "query", "string")], null, Answers),
            new("GET", "/v1/products", [new("product_id", "query", "string")], null, Answers),
            new("GET", "/v1/subscriptions", [new("subscription_id", "query", "string")], null, Answers),
            new("GET", "/v1/subscriptions/search", [new("page_number", "query", "integer"), new("page_size", "query", "integer")], null, Answers),
            new("POST", "/v1/subscriptions/{id}/cancel", [Id], new JsonObject { ["mode"] = "scheduled", ["on_execute"] = "cancel" }, Answers),
            new("POST", "/v1/subscriptions/{id}/pause", [Id], null, Answers),
            new("POST", "/v1/subscriptions/{id}/resume", [Id], null, Answers),
            new("POST", "/v1/subscriptions/{id}/upgrade", [Id], new JsonObject { ["product_id"] = product, ["update_behavior"] = "proration-none" }, Answers),
            new("POST", "/v1/subscriptions/{id}", [Id], new JsonObject
            {
                // An item's new units by its id, and an item added by its product (no id).
                ["items"] = new JsonArray(new JsonObject { ["id"] = "sitem_chaos", ["units"] = 3 }, new JsonObject { ["product_id"] = product, ["units"] = 2 }),
                ["update_behavior"] = "proration-charge",
            }, Answers),
            new("GET", "/v1/transactions", [new("transaction_id", "query", "string")], null, Answers),
            new("GET", "/v1/transactions/search", [new("customer_id", "query", "string"), new("page_number", "query", "integer")], null, Answers),
            new("POST", "/v1/refunds", [], new JsonObject { ["transaction_id"] = "tran_chaos" }, Answers),
            new("POST", "/v1/products", [], productBody, Answers),
            new("GET", "/v1/products/{id}", [Id], null, Answers),
            new("GET", "/v1/products/search", [new("page_number", "query", "integer"), new("status", "query", "string")], null, Answers),
            new("PATCH", "/v1/products/{id}", [Id], new JsonObject { ["price"] = 1500, ["name"] = "Chaos plan v2" }, Answers),
            new("DELETE", "/v1/products/{id}", [Id], null, Answers),
            new("POST", "/v1/customers", [], new JsonObject { ["email"] = "chaos@example.test", ["name"] = "Chaos", ["metadata"] = new JsonObject { ["k"] = "v" } }, Answers),
            new("GET", "/v1/customers", [new("customer_id", "query", "string"), new("email", "query", "string")], null, Answers),
            new("GET", "/v1/customers/list", [new("page_number", "query", "integer"), new("page_size", "query", "integer")], null, Answers),
            new("PATCH", "/v1/customers", [], new JsonObject { ["customer_id"] = "cust_chaos", ["name"] = "Chaos" }, Answers),
            new("GET", "/v1/customers/{id}/subscriptions", [Id, new("page_size", "query", "integer")], null, Answers),
            new("GET", "/v1/customers/{id}/orders", [Id, new("page_size", "query", "integer")], null, Answers),
            new("GET", "/v1/customers/{id}/licenses", [Id, new("page_size", "query", "integer")], null, Answers),
            new("POST", "/v1/customers/billing", [], new JsonObject { ["customer_id"] = "cust_chaos" }, Answers),
            new("POST", "/v1/discounts", [], discountBody, Answers),
            new("GET", "/v1/discounts", [new("discount_id", "query", "string"), new("discount_code", "query", "string")], null, Answers),
            new("GET", "/v1/discounts/search", [new("product_id", "query", "string"), new("status", "query", "string"), new("created_after", "query", "string")], null, Answers),
            new("DELETE", "/v1/discounts/{id}/delete", [Id], null, Answers),
            new("POST", "/v1/licenses/activate", [], new JsonObject { ["key"] = "AAAAA-BBBBB-CCCCC-DDDDD", ["instance_name"] = "chaos" }, Answers),
            new("POST", "/v1/licenses/validate", [], new JsonObject { ["key"] = "AAAAA-BBBBB-CCCCC-DDDDD", ["instance_id"] = "lki_chaos" }, Answers),
            new("POST", "/v1/licenses/deactivate", [], new JsonObject { ["key"] = "AAAAA-BBBBB-CCCCC-DDDDD", ["instance_id"] = "lki_chaos" }, Answers),
            new("GET", "/v1/licenses/{id}/instances", [Id, new("page_number", "query", "integer")], null, Answers),
        ];
        return new ProviderApi("Creem", baseUrl, operations, AnswerShapes.Creem, (request, _) => request.Headers.Add("x-api-key", apiKey), MalformedInputs.Case);
    }

    /// <summary>Epay's V1 routes (MD5 with the key) and its V2 routes (<c>/api/pay|merchant|transfer/*</c>, RSA with the published merchant key).</summary>
    private static ProviderApi Epay(Uri baseUrl, string pid, string key, string merchantPrivateKey)
    {
        var order = Form(("pid", pid), ("type", "alipay"), ("out_trade_no", "chaos-1"), ("notify_url", "https://merchant.test/notify"),
            ("return_url", "https://merchant.test/return"), ("name", "Credits"), ("money", "1.00"));
        var api = Form(("act", "order"), ("pid", pid), ("key", key), ("out_trade_no", "chaos-1"));
        var v2Order = Form(("pid", pid), ("type", "alipay"), ("out_trade_no", "chaos-v2-1"), ("notify_url", "https://merchant.test/notify"),
            ("return_url", "https://merchant.test/return"), ("name", "Credits"), ("money", "1.00"));
        Operation[] operations =
        [
            new("POST", "/submit.php", [], order, Answers),
            new("POST", "/mapi.php", [], Form([.. order, new("clientip", "127.0.0.1")]), Answers),
            new("POST", "/api.php", [], api, Answers),
            new("POST", "/api/pay/submit", [], v2Order, Answers),
            new("POST", "/api/pay/create", [], Form([.. v2Order, new("method", "web"), new("device", "pc"), new("clientip", "127.0.0.1")]), Answers),
            new("POST", "/api/pay/query", [], Form(("pid", pid), ("out_trade_no", "chaos-v2-1")), Answers),
            new("POST", "/api/pay/refund", [], Form(("pid", pid), ("out_trade_no", "chaos-v2-1"), ("money", "0.50"), ("out_refund_no", "chaos-r1")), Answers),
            new("POST", "/api/pay/refundquery", [], Form(("pid", pid), ("out_refund_no", "chaos-r1")), Answers),
            new("POST", "/api/merchant/info", [], Form(("pid", pid)), Answers),
            new("POST", "/api/merchant/orders", [], Form(("pid", pid), ("offset", "0"), ("limit", "50"), ("status", "1")), Answers),
            new("POST", "/api/transfer/submit", [], Form(("pid", pid), ("type", "alipay"), ("account", "payee@merchant.test"), ("name", "张三"),
                ("money", "0.50"), ("out_biz_no", "chaos-t1"), ("remark", "chaos")), Answers),
            new("POST", "/api/transfer/query", [], Form(("pid", pid), ("out_biz_no", "chaos-t1")), Answers),
            new("POST", "/api/transfer/balance", [], Form(("pid", pid)), Answers),
        ];
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(merchantPrivateKey), out _);

        // Orders are signed after the spoiling, as a merchant would sign whatever it sends, so the
        // values reach the checks behind the signature; an unsigned case is spoiled as it is.
        return new ProviderApi("Epay", baseUrl, operations, AnswerShapes.Epay, (_, _) => { }, (operation, seed, index) =>
            FormInputs.Case(operation, seed, index) is { ContentType: FormInputs.FormType, Body: { } body } fuzz && operation.Path != "/api.php"
                ? fuzz with
                {
                    Body = Encoding.UTF8.GetBytes(operation.Path.StartsWith("/api/", StringComparison.Ordinal)
                        ? SignedEpayRsa(Encoding.UTF8.GetString(body), rsa)
                        : SignedMd5(Encoding.UTF8.GetString(body), key)),
                }
                : FormInputs.Case(operation, seed, index));
    }

    private static ProviderApi Alipay(Uri baseUrl, string gatewayPath, string appId, string privateKeyPem, (string App, string Root) certSns)
    {
        JsonObject Call(string method, string bizContent) => Form(
            ("app_id", appId), ("method", method), ("charset", "utf-8"), ("sign_type", "RSA2"),
            ("timestamp", "2026-12-04 12:00:00"), ("version", "1.0"), ("notify_url", "https://merchant.test/notify"), ("biz_content", bizContent));
        // Transfers and the balance answer certificate-mode apps only.
        JsonObject Certified(string method, string bizContent)
        {
            var form = Call(method, bizContent);
            form["app_cert_sn"] = certSns.App;
            form["alipay_root_cert_sn"] = certSns.Root;
            return form;
        }

        JsonObject Encrypted(string method, string cipherText)
        {
            var form = Call(method, cipherText);
            form["encrypt_type"] = "AES";
            return form;
        }

        Operation[] operations =
        [
            new("POST", gatewayPath, [], Call("alipay.trade.precreate", """{"out_trade_no":"chaos_0001","total_amount":"1.00","subject":"Credits"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.query", """{"out_trade_no":"chaos_0001"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.close", """{"out_trade_no":"chaos_0001"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.cancel", """{"out_trade_no":"chaos_0001"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.pay", """{"out_trade_no":"chaos_0002","total_amount":"1.00","subject":"Credits","scene":"bar_code","auth_code":"28763443825664394"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.create", """{"out_trade_no":"chaos_0003","total_amount":"1.00","subject":"Credits","product_code":"JSAPI_PAY","buyer_id":"2088102177003412"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.refund", """{"out_trade_no":"chaos_0001","refund_amount":"0.50","out_request_no":"r1"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.fastpay.refund.query", """{"out_trade_no":"chaos_0001","out_request_no":"r1"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.open.app.alipaycert.download", """{"alipay_cert_sn":"0123456789abcdef0123456789abcdef"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.data.dataservice.bill.downloadurl.query", """{"bill_type":"trade","bill_date":"2026-12-03"}"""), Answers),
            new("POST", gatewayPath, [], Certified("alipay.fund.trans.uni.transfer", """{"out_biz_no":"chaos_t1","trans_amount":"1.00","product_code":"TRANS_ACCOUNT_NO_PWD","biz_scene":"DIRECT_TRANSFER","payee_info":{"identity":"2088102177009999","identity_type":"ALIPAY_USER_ID"}}"""), Answers),
            new("POST", gatewayPath, [], Certified("alipay.fund.trans.common.query", """{"out_biz_no":"chaos_t1","product_code":"TRANS_ACCOUNT_NO_PWD","biz_scene":"DIRECT_TRANSFER"}"""), Answers),
            new("POST", gatewayPath, [], Certified("alipay.fund.account.query", """{"alipay_user_id":"2088102177000001","account_type":"ACCTRANS_ACCOUNT"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.user.agreement.query", """{"agreement_no":"20260000000000000001"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.user.agreement.unsign", """{"external_agreement_no":"chaos_a1","personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|DIGITAL_MEDIA"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.user.agreement.executionplan.modify", """{"agreement_no":"20260000000000000001","deduct_time":"2026-12-20"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.user.agreement.transfer", """{"agreement_no":"20260000000000000001","target_product_code":"CYCLE_PAY_AUTH_P","period_rule_params":{"period_type":"MONTH","period":1,"execute_time":"2026-12-20","single_amount":"10.00"}}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.pay", """{"out_trade_no":"chaos_0004","total_amount":"1.00","subject":"Credits","product_code":"GENERAL_WITHHOLDING","agreement_params":{"agreement_no":"20260000000000000001"}}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.royalty.relation.bind", """{"out_request_no":"chaos_b1","receiver_list":[{"type":"userId","account":"2088102177100001","memo":"chaos"}]}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.royalty.relation.unbind", """{"out_request_no":"chaos_b2","receiver_list":[{"type":"userId","account":"2088102177100002"}]}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.royalty.relation.batchquery", """{"out_request_no":"chaos_b3","page_num":1,"page_size":20}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.royalty.rate.query", """{"out_request_no":"chaos_b4"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.order.settle", """{"out_request_no":"chaos_s1","trade_no":"2026120422001234567890123456","royalty_parameters":[{"royalty_type":"transfer","trans_in_type":"userId","trans_in":"2088102177100001","amount":"0.10"}],"extend_params":{"royalty_finish":"true"}}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.order.settle.query", """{"out_request_no":"chaos_s1","trade_no":"2026120422001234567890123456"}"""), Answers),
            new("POST", gatewayPath, [], Call("alipay.trade.order.onsettle.query", """{"out_request_no":"chaos_s2","trade_no":"2026120422001234567890123456"}"""), Answers),

            // AES content the fuzzer spoils: the gateway must refuse what it cannot decrypt in its own shape.
            new("POST", gatewayPath, [], Encrypted("alipay.trade.query", "q0XyW3ZmDNvJ1Lb2cX0u6g=="), Answers),
        ];
        var key = RSA.Create();
        key.ImportFromPem(privateKeyPem);

        // Signed after the spoiling (RSA2 over every parameter but sign, sorted), as a merchant signs what it sends.
        return new ProviderApi("Alipay", baseUrl, operations, AnswerShapes.Alipay, (_, _) => { }, (operation, seed, index) =>
            FormInputs.Case(operation, seed, index) is { ContentType: FormInputs.FormType, Body: { } body } fuzz
                ? fuzz with { Body = Encoding.UTF8.GetBytes(SignedRsa2(Encoding.UTF8.GetString(body), key)) }
                : FormInputs.Case(operation, seed, index));
    }

    private static ProviderApi TapPay(Uri baseUrl, string partnerKey, string merchantId, string appId, string appKey)
    {
        JsonObject Payment(params (string Key, JsonNode Value)[] fields)
        {
            var body = new JsonObject
            {
                ["partner_key"] = partnerKey, ["merchant_id"] = merchantId, ["amount"] = 100, ["currency"] = "TWD", ["details"] = "Credits",
                ["order_number"] = "chaos-1",
            };
            foreach (var (key, value) in fields)
            {
                body[key] = value;
            }

            return body;
        }

        var cardholder = new JsonObject { ["phone_number"] = "+886923456789", ["name"] = "Chaos", ["email"] = "buyer@example.test" };
        var resultUrl = new JsonObject { ["frontend_redirect_url"] = "https://merchant.test/done", ["backend_notify_url"] = "https://merchant.test/notify" };
        Operation[] operations =
        [
            new("POST", "/tpc/payment/pay-by-prime", [], Payment(("prime", "test_3a2fb2b7e892b914a03c95dd4dd5dc7970c908df67a49527c0a648b2bc9"), ("cardholder", cardholder), ("remember", true), ("instalment", 3)), Answers),
            new("POST", "/tpc/payment/pay-by-prime", [], Payment(("prime", "test_3a2fb2b7e892b914a03c95dd4dd5dc7970c908df67a49527c0a648b2bc9"), ("cardholder", cardholder.DeepClone()), ("three_domain_secure", true), ("result_url", resultUrl)), Answers),
            new("POST", "/tpc/payment/pay-by-token", [], Payment(("card_key", "chaos-key"), ("card_token", "chaos-token"), ("merchant_group_id", "GlobalTesting_Group")), Answers),
            new("POST", "/tpc/transaction/query", [], new JsonObject
            {
                ["partner_key"] = partnerKey, ["records_per_page"] = 10, ["page"] = 0,
                ["filters"] = new JsonObject { ["order_number"] = "chaos-1", ["amount"] = new JsonObject { ["lower_limit"] = 1, ["upper_limit"] = 1000 } },
                ["order_by"] = new JsonObject { ["attribute"] = "time", ["is_descending"] = true },
            }, Answers),
            new("POST", "/tpc/transaction/trade-history", [], new JsonObject { ["partner_key"] = partnerKey, ["rec_trade_id"] = "D20261204CHAOS000000" }, Answers),
            new("POST", "/tpc/transaction/refund", [], new JsonObject { ["partner_key"] = partnerKey, ["rec_trade_id"] = "D20261204CHAOS000000", ["amount"] = 50 }, Answers),
            new("POST", "/tpc/transaction/cap", [], new JsonObject { ["partner_key"] = partnerKey, ["rec_trade_id"] = "D20261204CHAOS000000" }, Answers),
            new("POST", "/tpc/transaction/refund/cancel", [], new JsonObject { ["partner_key"] = partnerKey, ["rec_trade_id"] = "D20261204CHAOS000000", ["refund_id"] = "R20261204CHAOS00000" }, Answers),
            new("POST", "/tpc/transaction/cap/cancel", [], new JsonObject { ["partner_key"] = partnerKey, ["rec_trade_id"] = "D20261204CHAOS000000" }, Answers),
            new("POST", "/tpc/card/metadata", [], new JsonObject { ["partner_key"] = partnerKey, ["card_key"] = "chaos-key", ["card_token"] = "chaos-token" }, Answers),
            new("POST", "/tpc/card/bind", [], new JsonObject
            {
                ["partner_key"] = partnerKey, ["merchant_id"] = merchantId, ["currency"] = "TWD",
                ["prime"] = "test_3a2fb2b7e892b914a03c95dd4dd5dc7970c908df67a49527c0a648b2bc9", ["cardholder"] = cardholder.DeepClone(),
            }, Answers),
            new("POST", "/tpc/card/remove", [], new JsonObject { ["partner_key"] = partnerKey, ["card_key"] = "chaos-key", ["card_token"] = "chaos-token" }, Answers),
            new("POST", "/sandbox/get-prime", [], new JsonObject { ["app_id"] = appId, ["card_number"] = "4242424242424242", ["card_expiry"] = "12/39", ["card_ccv"] = "123" }, Answers),
        ];

        // x-api-key is the partner key, as tappay-nodejs sends it; the simulated front end's getPrime takes the app key.
        return new ProviderApi("TapPay", baseUrl, operations, AnswerShapes.TapPay,
            (request, operation) => request.Headers.Add("x-api-key", operation.Path == "/sandbox/get-prime" ? appKey : partnerKey), MalformedInputs.Case);
    }

    private static readonly OperationParameter Id = new("id", "path", "string");

    private static readonly IReadOnlySet<string> Answers = new HashSet<string>();

    private static JsonObject Form(params (string Key, string Value)[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value)));

    private static JsonObject Form(KeyValuePair<string, JsonNode?>[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone())));

    /// <summary>Alipay's RSA2: every parameter but sign, sorted by key, <c>k=v&amp;…</c> of the decoded values, RSA-SHA256, base64.</summary>
    private static string SignedRsa2(string form, RSA key)
    {
        var canonical = string.Join('&', FormFields(form).Where(f => f.Key != "sign").OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value));
        var sign = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(canonical), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return form + "&sign=" + Uri.EscapeDataString(sign);
    }

    /// <summary>
    /// Epay V2's signature: a current <c>timestamp</c> unless the case carries one, then SHA256WithRSA over the
    /// non-empty values but sign and sign_type, sorted by key, <c>k=v&amp;…</c>.
    /// </summary>
    private static string SignedEpayRsa(string form, RSA key)
    {
        if (FormFields(form).All(f => f.Key != "timestamp"))
        {
            form += (form.Length > 0 ? "&" : "") + "timestamp=" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var canonical = string.Join('&', FormFields(form).Where(f => f.Value.Length > 0 && f.Key is not "sign" and not "sign_type")
            .OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value));
        var sign = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(canonical), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return form + "&sign=" + Uri.EscapeDataString(sign) + "&sign_type=RSA";
    }

    private static List<(string Key, string Value)> FormFields(string form) =>
        [.. form.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Uri.UnescapeDataString(pair[0].Replace('+', ' ')), pair.Length > 1 ? Uri.UnescapeDataString(pair[1].Replace('+', ' ')) : ""))];

    /// <summary>Epay's signature: non-empty values except sign and sign_type, sorted by key, <c>k=v&amp;…</c> plus the key, MD5.</summary>
    private static string SignedMd5(string form, string key)
    {
        var canonical = string.Join('&', FormFields(form).Where(f => f.Value.Length > 0 && f.Key is not "sign" and not "sign_type")
            .OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value));
#pragma warning disable CA5351 // MD5 is Epay's wire contract, not a choice.
        var sign = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(canonical + key)));
#pragma warning restore CA5351
        return form + "&sign=" + sign + "&sign_type=MD5";
    }
}
