using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Portaly;

/// <summary>
/// Portaly merchants and requests: the scenario plays a merchant (a key of its own through the operator route, or the
/// profile's keys), sends requests under <c>/api/creator-subscription</c> and asserts on Portaly's envelope
/// (<c>{"data": …}</c>, or <c>{"error", "code"[, "details"]}</c>).
/// </summary>
[Steps]
public sealed partial class PortalySteps(ScenarioContext context)
{
    private readonly PortalyWorld _world = context.Get<PortalyWorld>();

    /// <summary>Who sends a Portaly request.</summary>
    [ParameterType("portaly-caller", "merchant's live key|merchant's integration key|merchant|other merchant")]
    public static string Caller(string text) => text;

    /// <summary>A merchant made through the operator route (shared with other scenarios while its key has writes to spare), else the profile's.</summary>
    [Given("a Portaly merchant")]
    [Needs(Need.Portaly)]
    public async Task AMerchant()
    {
        if (await _world.PooledMerchantAsync() is { } pooled)
        {
            _world.Merchant = pooled;
        }
        else
        {
            await UseProfileMerchant();
        }
    }

    [Given("a new Portaly merchant")]
    [Needs(Need.PortalyAdmin)]
    public async Task NewMerchant() => _world.Merchant = await _world.NewMerchantAsync("m");

    [Given("a Portaly merchant with a live key")]
    [Needs(Need.PortalyAdmin)]
    public async Task MerchantWithLiveKey() => _world.Merchant = (await _world.PooledMerchantAsync(live: true))!;

    /// <summary>A live key of the <c>integration</c> scope for the merchant's profile, made with the operator token.</summary>
    [Given("the merchant has an integration-scope live key")]
    [Needs(Need.PortalyAdmin)]
    public async Task IntegrationKey() => _world.IntegrationKey = (await _world.NewKeyAsync(_world.TheMerchant.ProfileId, "live", "integration")).Key;

    [Given("another Portaly merchant")]
    [Needs(Need.PortalyAdmin)]
    public async Task OtherMerchant() => _world.OtherMerchant = (await _world.PooledMerchantAsync(besides: _world.Merchant))!;

    [Given("the profile's Portaly merchant")]
    [Needs(Need.Portaly)]
    public Task ProfileMerchant() => UseProfileMerchant();

    [Given("the profile's Portaly merchant with its live key")]
    [Needs(Need.Portaly, Need.PortalyLive)]
    public Task ProfileMerchantWithLiveKey() => UseProfileMerchant();

    private async Task UseProfileMerchant()
    {
        var merchant = _world.ProfileMerchant();
        _world.Merchant = merchant;
        var config = await _world.MustAsync(HttpMethod.Get, "/config", null, _world.TestKey, "reading the profile's merchant config");
        _world.Merchant = merchant with { ProfileId = ApiReply.Field(config, "profileId").GetString()! };
    }

    [Given(@"^the (other )?merchant has an? (inactive )?(monthly|yearly|one-time) (dynamic )?plan ""([^""]+)""(?: of (\d+))?$")]
    public async Task Plan(string? other, string? inactive, string period, string? dynamic, string label, string? amount)
    {
        var merchant = !string.IsNullOrEmpty(other) ? _world.OtherMerchant ?? throw new AssertionException("the scenario has no other merchant") : _world.TheMerchant;
        var body = new JsonObject
        {
            ["name"] = $"{label} {context.RunId}",
            ["billingPeriod"] = period,
            ["pricingType"] = !string.IsNullOrEmpty(dynamic) ? "dynamic" : "fixed",
            ["status"] = !string.IsNullOrEmpty(inactive) ? "inactive" : "active",
        };
        if (!string.IsNullOrEmpty(amount))
        {
            body["amount"] = long.Parse(amount, CultureInfo.InvariantCulture);
        }

        var plan = await _world.MustAsync(HttpMethod.Post, "/plans", body, PortalyCaller.Bearer(merchant.TestKey), $"creating plan \"{label}\"");
        _world.Plans[label] = ApiReply.Field(plan, "id").GetString()!;
    }

    /// <summary>A code of the merchant's: the docstring is the body without <c>code</c>, which is made unique to the scenario.</summary>
    [Given("the merchant has a discount code {string} with:")]
    public async Task DiscountCode(string label, string body)
    {
        var json = JsonNode.Parse(Substitute(body))!.AsObject();
        var code = CodeOf(label);
        json["code"] = code;
        var created = await _world.MustAsync(HttpMethod.Post, "/discount-codes", json, _world.TestKey, $"creating discount code \"{label}\"");
        _world.Codes[label] = (ApiReply.Field(created, "id").GetString()!, code);
    }

    [When("the {portaly-caller} requests {string}")]
    public Task Send(string caller, string request) => SendWith(caller, request, null);

    [When("the {portaly-caller} requests {string} with:")]
    public Task SendBody(string caller, string request, string body) => SendWith(caller, request, body);

    /// <summary>The operator token's request (key creation).</summary>
    [When("the operator requests {string} with:")]
    [Needs(Need.PortalyAdmin)]
    public Task SendAsOperator(string request, string body) => _world.SendAsync(Request(Substitute(request)).Method, Request(Substitute(request)).Path, Substitute(body), _world.Operator);

    private Task<ApiReply> SendWith(string caller, string request, string? body)
    {
        var (method, path) = Request(Substitute(request));
        return _world.SendAsync(method, path, body is null ? (method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}") : Substitute(body), CallerOf(caller));
    }

    [Then("the Portaly answer is HTTP {int}")]
    public void Status(int status) =>
        Check.Equal(status, (int)_world.Last.Status, $"HTTP status (body {_world.Last.Body})");

    [Then("the Portaly call is refused with HTTP {int} and code {string}")]
    public void Refused(int status, string code)
    {
        Status(status);
        Check.Equal(code, ApiReply.Text(ApiReply.Field(_world.Last.Json, "code")), "code");
        Check.That(ApiReply.Field(_world.Last.Json, "error").GetString() is { Length: > 0 }, $"a refusal carries its \"error\" text: {_world.Last.Body}");
        Check.That(!_world.Last.Json.TryGetProperty("data", out _), $"a refusal carries no \"data\": {_world.Last.Body}");
    }

    [Then("the Portaly call is refused as invalid, naming {string}")]
    public void Invalid(string field)
    {
        Refused(400, "VALIDATION_ERROR");
        var details = ApiReply.Field(_world.Last.Json, "details");
        Check.That(details.ValueKind == JsonValueKind.Array && details.EnumerateArray().Any(d => d.GetString()?.Contains(field, StringComparison.Ordinal) == true),
            $"\"details\" names {field}: {_world.Last.Body}");
    }

    /// <summary>
    /// Dotted paths from the body's root and the values expected as JSON text (strings bare); <c>(absent)</c> for a
    /// field that must not be there, <c>(any)</c> for one that must.
    /// </summary>
    [Then("the Portaly answer has:")]
    public void AnswerHas(StepTable expected) => Has(_world.Last.Json, expected, "the answer");

    public void Has(JsonElement root, StepTable expected, string what)
    {
        foreach (var (path, value) in expected.Pairs)
        {
            var found = TryPath(root, path);
            switch (value)
            {
                case "(absent)":
                    Check.That(found is null, $"{what} has no \"{path}\": {Shorten(root)}");
                    break;
                case "(any)":
                    Check.That(found is not null, $"{what} has \"{path}\": {Shorten(root)}");
                    break;
                default:
                    Check.That(found is not null, $"{what} has \"{path}\": {Shorten(root)}");
                    Check.Equal(Substitute(value), ApiReply.Text(found!.Value), $"{what}: {path}");
                    break;
            }
        }
    }

    /// <summary>A text field of the last answer holds (or lacks) a fragment: for values whose exact form is the server's own, such as cleaned HTML.</summary>
    [Then(@"^the Portaly answer's ""([\w.]+)"" (contains|does not contain) ""(.*)""$")]
    public void AnswerContains(string path, string verb, string fragment)
    {
        var found = TryPath(_world.Last.Json, path);
        Check.That(found is { ValueKind: JsonValueKind.String }, $"the answer has a text \"{path}\": {Shorten(_world.Last.Json)}");
        var text = found!.Value.GetString()!;
        var wanted = Substitute(fragment);
        Check.That(text.Contains(wanted, StringComparison.Ordinal) == (verb == "contains"), $"\"{path}\" {verb} \"{wanted}\": {text}");
    }

    [Then("{string} is refused without a valid key")]
    public async Task RefusedWithoutKey(string request)
    {
        var (method, path) = Request(Substitute(request));
        var body = method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}";
        var problems = new (string What, PortalyCaller Caller)[]
        {
            ("no Authorization header", new(null, null)),
            ("the key under another scheme", new("Basic " + _world.TheMerchant.TestKey, null)),
            ("an unknown key", new("Bearer pcs_test_unknown" + context.RunId, null)),
            ("an empty bearer token", new("Bearer ", null)),
        };
        foreach (var (what, caller) in problems)
        {
            var reply = await _world.SendAsync(method, path, body, caller);
            Check.Equal(401, (int)reply.Status, $"{request} with {what}: HTTP status (body {reply.Body})");
            Check.Equal("UNAUTHORIZED", ApiReply.Text(ApiReply.Field(reply.Json, "code")), $"{request} with {what}: code");
        }
    }

    /// <summary>The key in the last answer (<c>data.secret</c>) reads the config of the profile it was made for.</summary>
    [Then("the new key in the answer works for its profile")]
    public async Task NewKeyWorks()
    {
        var secret = ApiReply.Path(_world.Last.Json, "data.secret").GetString()!;
        var profile = ApiReply.Path(_world.Last.Json, "data.apiKey.profileId").GetString();
        context.Masker.Add(secret);
        var config = await _world.MustAsync(HttpMethod.Get, "/config", null, PortalyCaller.Bearer(secret), "reading the config with the new key");
        Check.Equal(profile, ApiReply.Field(config, "profileId").GetString(), "the new key's profile");
    }

    /// <summary>The merchant's test key, its live key, its integration-scope key, or the other merchant's key.</summary>
    private PortalyCaller CallerOf(string caller) => caller switch
    {
        "merchant's live key" => _world.LiveKey,
        "merchant's integration key" => PortalyCaller.Bearer(_world.IntegrationKey ?? throw new AssertionException("the merchant has no integration-scope key")),
        "other merchant" => PortalyCaller.Bearer((_world.OtherMerchant ?? throw new AssertionException("the scenario has no other merchant")).TestKey),
        _ => _world.TestKey,
    };

    public static (HttpMethod Method, string Path) Request(string request)
    {
        var parts = request.Split(' ', 2);
        return parts.Length == 2 && parts[1].StartsWith('/')
            ? (new HttpMethod(parts[0]), parts[1])
            : throw new FormatException($"Write requests as \"METHOD /path\", not \"{request}\".");
    }

    /// <summary>The code string of a label: unique to the scenario, 3–40 of <c>[A-Z0-9_-]</c>.</summary>
    public string CodeOf(string label) => $"C{context.RunId}-{label}".ToUpperInvariant();

    /// <summary>
    /// <c>{{plan:L}}</c>, <c>{{code:L}}</c> (the code string), <c>{{codeId:L}}</c>, <c>{{session:L}}</c>,
    /// <c>{{token:L}}</c>, <c>{{order:L}}</c> (the order the session paid), <c>{{profileId}}</c>, <c>{{otherProfileId}}</c>, <c>{{email}}</c>, <c>{{callbackUrl}}</c>,
    /// <c>{{run}}</c> (the scenario's unique id).
    /// </summary>
    public string Substitute(string text) => Variable().Replace(text, m => m.Groups[1].Value switch
    {
        "plan" => _world.PlanId(m.Groups[2].Value),
        "code" => CodeOf(m.Groups[2].Value),
        "codeId" => (_world.Codes.TryGetValue(m.Groups[2].Value, out var code) ? code : throw new AssertionException($"no code \"{m.Groups[2].Value}\"")).Id,
        "session" => _world.Session(m.Groups[2].Value).Id,
        "token" => _world.Session(m.Groups[2].Value).Token,
        "order" => _world.Orders.GetValueOrDefault(m.Groups[2].Value) ?? throw new AssertionException($"the merchant has not looked up the order of \"{m.Groups[2].Value}\""),
        "profileId" => _world.TheMerchant.ProfileId,
        "otherProfileId" => (_world.OtherMerchant ?? throw new AssertionException("the scenario has no other merchant")).ProfileId,
        "email" => _world.Email(),
        "callbackUrl" => _world.Receiver.Url,
        "run" => context.RunId,
        _ => m.Value,
    });

    [GeneratedRegex(@"\{\{(plan|codeId|code|session|token|order|profileId|otherProfileId|email|callbackUrl|run)(?::([\w-]+))?\}\}")]
    private static partial Regex Variable();

    private static JsonElement? TryPath(JsonElement element, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (element.ValueKind == JsonValueKind.Array && int.TryParse(part, out var index) && index < element.GetArrayLength())
            {
                element = element[index];
            }
            else if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(part, out var value))
            {
                element = value;
            }
            else
            {
                return null;
            }
        }

        return element;
    }

    private static string Shorten(JsonElement element)
    {
        var text = element.ToString();
        return text.Length > 600 ? text[..600] + "…" : text;
    }
}
