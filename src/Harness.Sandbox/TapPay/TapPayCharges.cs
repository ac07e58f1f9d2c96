using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Security;
using Harness.Security.Signing;

namespace Harness.Sandbox.TapPay;

/// <summary>
/// Pay by Prime and Pay by Card Token (providers.md §7.2, §7.3), and the front end's prime: validation in TapPay's
/// order of status codes, the simulated bank's answer for the card, the record it leaves, and 3-D Secure's pending trade.
/// </summary>
internal sealed class TapPayCharges(SandboxContext context, TapPayTrades trades, TapPayCredentials credentials)
{
    /// <summary>A prime expires 90 seconds after getPrime (§7.2), on the sandbox clock.</summary>
    public static readonly TimeSpan PrimeLifetime = TimeSpan.FromSeconds(90);

    /// <summary>How long the buyer has on the hosted page (the 3-D Secure challenge or the wallet's approval) before the trade fails.</summary>
    public static readonly TimeSpan RedirectLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Currencies the sandbox merchant is contracted for; others answer 89.</summary>
    private static readonly HashSet<string> Currencies = ["TWD", "USD", "JPY"];

    /// <summary>Held while a prime is used up or a card removed: each happens once, however many requests race for it.</summary>
    private readonly object _once = new();

    /// <summary>The front end's getPrime, simulated: a Luhn-valid card with a future expiry becomes a single-use prime.</summary>
    public JsonObject GetPrime(JsonObject body)
    {
        var number = body.Text("card_number")?.Replace(" ", "", StringComparison.Ordinal);
        if (number is null || !TestCards.IsCardNumber(number) || ExpiryOf(body.Text("card_expiry")) is not { } expiry || body.Text("card_ccv") is not { Length: 3 or 4 } ccv || !ccv.All(char.IsAsciiDigit))
        {
            return TapPayErrors.Answer(TapPayStatus.WrongCardFormat, "Wrong card format");
        }

        var prime = "prime_" + Secrets.RandomHex(32);
        trades.Objects.Put(new JsonObject
        {
            ["id"] = prime,
            ["object"] = "prime",
            ["card_number"] = number,
            ["expiry_date"] = expiry,
            ["expires_millis"] = (context.Clock.GetUtcNow() + PrimeLifetime).ToUnixTimeMilliseconds(),
            ["used"] = false,
        });
        var info = TapPayTestData.CardInfo(number, expiry);
        return new JsonObject
        {
            ["status"] = TapPayStatus.Success,
            ["msg"] = "Success",
            ["prime"] = prime,
            ["card"] = new JsonObject
            {
                ["bincode"] = info["bin_code"]!.DeepClone(),
                ["lastfour"] = info["last_four"]!.DeepClone(),
                ["issuer"] = info["issuer"]!.DeepClone(),
                ["funding"] = 0,
                ["type"] = info["type"]!.DeepClone(),
                ["level"] = info["level"]!.DeepClone(),
                ["country"] = info["country"]!.DeepClone(),
                ["countrycode"] = info["country_code"]!.DeepClone(),
            },
            ["card_identifier"] = TapPayTestData.CardIdentifier(number),
        };
    }

    public JsonObject PayByPrime(JsonObject body)
    {
        if (body["cardholder"] is not JsonObject cardholder)
        {
            return TapPayErrors.Answer(TapPayStatus.MissingCardholder, "Missing cardholder");
        }

        if (body.Text("prime") is not { } prime)
        {
            return TapPayErrors.Answer(TapPayStatus.MissingPrime, "Missing prime");
        }

        var ePayment = TapPayTestData.EPaymentOf(prime);
        if (Common(body, currencyRequired: false, ePayment) is { } refused)
        {
            return refused;
        }

        if (CardholderRefusal(cardholder) is { } incomplete)
        {
            return incomplete;
        }

        if (prime.StartsWith("ap_test_", StringComparison.Ordinal) && body["amount"]!.GetValue<long>() != TapPayTestData.ApplePayTestAmount)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidAmount, "Invalid amount: the Apple Pay test prime pays 12 only");
        }

        var taken = TakePrime(prime);
        if (taken.Refusal is { } refusal)
        {
            return refusal;
        }

        var (number, expiry) = (taken.Number!, taken.Expiry!);
        var answer = Charge(body, number, expiry, (JsonObject)cardholder.DeepClone(), byToken: false, ePayment);
        if (body.Flag("remember") && TapPayTestData.CanRemember(prime) && answer["status"]!.GetValue<int>() == TapPayStatus.Success)
        {
            answer["card_secret"] = Remember(number, expiry, cardholder);
        }

        return answer;
    }

    /// <summary>
    /// The card behind a prime, the prime used up: a test prime every time (the sandbox's behaviour, as TapPay's), a
    /// prime from getPrime once and within its 90 seconds; otherwise the refusal to answer.
    /// </summary>
    internal (string? Number, string? Expiry, JsonObject? Refusal) TakePrime(string prime)
    {
        lock (_once)
        {
            if (TapPayTestData.CardOfTestPrime(prime) is { } testCard)
            {
                return (testCard, FutureExpiry(), null);
            }

            if (prime.Length > 71 || trades.Objects.Get(prime, "prime") is not { } issued || issued["used"]!.GetValue<bool>())
            {
                return (null, null, TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : prime"));
            }

            if (issued["expires_millis"]!.GetValue<long>() <= context.Clock.GetUtcNow().ToUnixTimeMilliseconds())
            {
                return (null, null, TapPayErrors.Answer(TapPayStatus.ExpiredPrime, "Prime is expired"));
            }

            issued["used"] = true;
            trades.Objects.Put(issued);
            return (issued.Str("card_number")!, issued.Str("expiry_date")!, null);
        }
    }

    /// <summary>The cardholder's required fields, in TapPay's order of codes; null when all are there.</summary>
    internal static JsonObject? CardholderRefusal(JsonObject cardholder)
    {
        foreach (var (field, status, msg) in new[] { ("phone_number", TapPayStatus.MissingPhoneNumber, "Missing phone_number"), ("name", TapPayStatus.MissingName, "Missing name"), ("email", TapPayStatus.MissingEmail, "Missing email") })
        {
            if (cardholder.Text(field) is null)
            {
                return TapPayErrors.Answer(status, msg);
            }
        }

        return null;
    }

    /// <summary>Keeps the card for later charges by token; its <c>card_secret</c>.</summary>
    internal JsonObject Remember(string number, string expiry, JsonObject cardholder)
    {
        var card = new JsonObject
        {
            ["id"] = Secrets.RandomHex(32),
            ["object"] = "card",
            ["card_token"] = Secrets.RandomHex(32),
            ["card_number"] = number,
            ["expiry_date"] = expiry,
            ["cardholder"] = cardholder.DeepClone(),
        };
        trades.Objects.Put(card);
        return new JsonObject { ["card_key"] = card.Str("id"), ["card_token"] = card.Str("card_token") };
    }

    /// <summary>The remembered card a key and token name together, or null (unknown, mismatched, or removed).</summary>
    internal JsonObject? CardOf(string key, string token) =>
        trades.Objects.Get(key, "card") is { } card && SignatureComparison.Equal(card.Str("card_token")!, token) && card["removed"] is null ? card : null;

    /// <summary>Renewals: the remembered card is charged again; a key and token that do not belong together are refused.</summary>
    public JsonObject PayByToken(JsonObject body)
    {
        if (body.Text("card_key") is not { } key || body.Text("card_token") is not { } token)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : card_key and card_token are required");
        }

        // Pay by Prime defaults the currency to TWD; Pay by Card Token requires it (§7.3).
        if (Common(body, currencyRequired: true) is { } refused)
        {
            return refused;
        }

        if (CardOf(key, token) is not { } card)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : card_key or card_token");
        }

        return Charge(body, card.Str("card_number")!, card.Str("expiry_date")!, (JsonObject)card["cardholder"]!.DeepClone(), byToken: true, ePayment: null);
    }

    /// <summary>
    /// The checks both payment calls share, in TapPay's order: merchant, amount, currency, details, and the result URLs
    /// that 3-D Secure and an e-payment (<paramref name="ePayment"/>, the wallet's name) send the buyer back through.
    /// </summary>
    private JsonObject? Common(JsonObject body, bool currencyRequired, string? ePayment = null)
    {
        if (credentials.MerchantRefusal(body) is { } merchant)
        {
            return merchant;
        }

        // Integer minor units only: TWD is whole dollars, and a fraction is never rounded into a charge.
        if (!body.TryInteger("amount", out var amount) || amount is not > 0 || amount > TapPayProvider.MaxAmount)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidAmount, "Invalid amount");
        }

        if (CurrencyRefusal(body, currencyRequired) is { } currency)
        {
            return currency;
        }

        if (body.Text("details") is not { } details)
        {
            return TapPayErrors.Answer(TapPayStatus.MissingDetails, "Missing details");
        }

        if (details.Length > 100)
        {
            return TapPayErrors.Answer(TapPayStatus.DetailsOutOfRange, "details is out of range");
        }

        foreach (var (field, limit) in new[] { ("order_number", 50), ("bank_transaction_id", 40) })
        {
            if (body[field] is { } node && (node is not JsonValue text || !text.TryGetValue<string>(out var value) || value.Length > limit))
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, $"Invalid arguments : {field}");
            }
        }

        if (InstalmentRefusal(body, ePayment) is { } instalment)
        {
            return instalment;
        }

        if (body.Flag("three_domain_secure") || ePayment is not null)
        {
            var urls = body["result_url"] as JsonObject;
            foreach (var field in new[] { "frontend_redirect_url", "backend_notify_url" })
            {
                if (!HttpUrl.IsValid(urls.Text(field)))
                {
                    return TapPayErrors.Answer(TapPayStatus.InvalidArguments, $"Invalid arguments : result_url.{field} is required with {ePayment ?? "three_domain_secure"}");
                }
            }

            // Leaving the challenge redirects the browser there, so it must be a URL a Location header can carry.
            if (urls?["go_back_url"] is not null && !HttpUrl.IsValid(urls.Text("go_back_url")))
            {
                return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : result_url.go_back_url");
            }
        }

        return null;
    }

    /// <summary>
    /// <c>instalment</c>, the number of monthly payments the card's bank splits the charge into: 0 (none, the default)
    /// or a period TapPay offers; Taiwanese banks split TWD card charges only, so a wallet's redirect or another currency
    /// is refused (121), as is a charge smaller than its number of payments.
    /// </summary>
    private static JsonObject? InstalmentRefusal(JsonObject body, string? ePayment)
    {
        if (!body.TryInteger("instalment", out var instalment) || instalment is { } given && !TapPayTrades.InstalmentPeriods.Contains(given))
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, $"Invalid arguments : instalment must be one of {string.Join(", ", TapPayTrades.InstalmentPeriods)}");
        }

        return instalment switch
        {
            null or 0 => null,
            _ when ePayment is not null => TapPayErrors.Answer(TapPayStatus.InvalidArguments, $"Invalid arguments : instalment is not available with {ePayment}"),
            _ when (body.Text("currency") ?? "TWD") != "TWD" => TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : instalment is available in TWD only"),
            _ when body["amount"]!.GetValue<long>() < instalment => TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : instalment is more payments than the amount has dollars"),
            _ => null,
        };
    }

    /// <summary>
    /// The simulated bank's answer for the card, and the record it leaves; <paramref name="byToken"/> for a remembered
    /// card's later charge, <paramref name="ePayment"/> (the wallet's name) when the buyer approves in the wallet first.
    /// </summary>
    private JsonObject Charge(JsonObject body, string number, string expiry, JsonObject cardholder, bool byToken, string? ePayment)
    {
        var now = context.Clock.GetUtcNow();
        var threeDSecure = body.Flag("three_domain_secure");
        var redirect = threeDSecure || ePayment is not null;
        var trade = TapPayTrades.NewTrade(body, TapPayCredentials.MerchantOf(body), number, expiry, cardholder, now);
        trade[TapPayTrades.EPaymentField] = ePayment;
        var (status, msg, bankCode, bankMsg) = BankAnswer(TapPayTestData.OutcomeOf(number), byToken, threeDSecure);
        trade["status"] = status;
        trade["msg"] = msg;
        trade["bank_result_code"] = bankCode;
        trade["bank_result_msg"] = bankMsg;
        if (status != TapPayStatus.Success)
        {
            trade["record_status"] = TapPayTrades.RecordError;
            TapPayTrades.AddHistory(trade, "auth", trade["amount"]!.GetValue<long>(), success: false);
        }
        else if (redirect)
        {
            // Nothing is authorised until the buyer passes the challenge, or approves in the wallet, on the hosted page.
            trade["record_status"] = TapPayTrades.RecordPending;
            context.Payments.Add(new SandboxPayment
            {
                Id = trade.Str("id")!,
                Provider = "tappay",
                Status = PaymentStatus.Open,
                Amount = trade["amount"]!.GetValue<long>(),
                Currency = trade.Str("currency")!.ToLowerInvariant(),
                Description = ePayment is null ? trade.Str("details")! : $"{ePayment}: {trade.Str("details")}",
                MerchantReference = trade.Str("order_number"),
                CreatedAt = now.UtcDateTime,
                ExpiresAt = (now + RedirectLifetime).UtcDateTime,
            });
        }
        else
        {
            TapPayTrades.Authorise(trade, body.TryInteger("delay_capture_in_days", out var delay) && delay > 0);
        }

        trades.Objects.Put(trade);
        var answer = TapPayTrades.PaymentAnswer(trade);
        if (redirect && status == TapPayStatus.Success)
        {
            answer["payment_url"] = context.PayPageUrl(trade.Str("id")!);
        }

        return answer;
    }

    /// <summary>The simulated bank's answer for a test card: status, msg, bank result code and message.</summary>
    internal static (int Status, string Msg, string BankCode, string BankMsg) BankAnswer(CardOutcome outcome, bool byToken, bool threeDSecure) => outcome switch
    {
        CardOutcome.Declined => (TapPayStatus.BankDeclined, "Card Error", "05", "Do not honour"),
        CardOutcome.InsufficientFunds => (TapPayStatus.BankDeclined, "Card Error", "51", "Insufficient funds"),
        CardOutcome.ExpiredCard => (TapPayStatus.BankDeclined, "Card Error", "54", "Expired card"),
        CardOutcome.RenewalsFail when byToken => (TapPayStatus.BankDeclined, "Card Error", "05", "Do not honour"),
        CardOutcome.ThreeDSecureRequired when !threeDSecure => (TapPayStatus.BankDeclined, "Card Error", "1A", "3-D Secure authentication required"),
        CardOutcome.GatewayTimeout => (TapPayStatus.GatewayTimeout, "Gateway Timeout", "", ""),
        _ => (TapPayStatus.Success, "Success", "", ""),
    };

    /// <summary>The currency, TWD when absent and not <paramref name="required"/>: missing or not a string (504), or not one the merchant is contracted for (89).</summary>
    internal static JsonObject? CurrencyRefusal(JsonObject body, bool required = false) =>
        (required || body["currency"] is not null) && body.Text("currency") is null ? TapPayErrors.Answer(TapPayStatus.MissingCurrency, "Missing currency")
        : !Currencies.Contains(body.Text("currency") ?? "TWD") ? TapPayErrors.Answer(TapPayStatus.CurrencyUnsupported, "Currency is not supported")
        : null;

    /// <summary>Marks the card removed; false when the key and token name no remembered card (or it is removed already).</summary>
    internal bool Forget(string key, string token)
    {
        lock (_once)
        {
            if (CardOf(key, token) is not { } card)
            {
                return false;
            }

            card["removed"] = true;
            trades.Objects.Put(card);
            return true;
        }
    }

    /// <summary>Card expiry given as <c>MM/YY</c> (TapPay's field format) → <c>YYYYMM</c>, or null when malformed or past.</summary>
    private string? ExpiryOf(string? text)
    {
        if (text is not { Length: 5 } || text[2] != '/' || !int.TryParse(text[..2], NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || !int.TryParse(text[3..], NumberStyles.None, CultureInfo.InvariantCulture, out var year) || month is < 1 or > 12)
        {
            return null;
        }

        var now = context.Clock.GetUtcNow();
        year += 2000;
        return year * 12 + month < now.Year * 12 + now.Month ? null : $"{year:D4}{month:D2}";
    }

    private string FutureExpiry() => $"{context.Clock.GetUtcNow().Year + 3:D4}12";
}
