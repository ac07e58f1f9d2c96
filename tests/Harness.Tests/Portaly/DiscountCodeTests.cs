using System.Net;
using System.Text.Json.Nodes;
using Harness.Portaly.DiscountCodes;

namespace Harness.Tests.Portaly;

public sealed class DiscountCodeTests : IAsyncLifetime
{
    private static readonly object AllPercent = new { appliesTo = new { type = "all" }, discount = new { type = "percent", value = 20 } };
    private readonly PortalyTestApp _app = new();

    [Fact]
    public async Task A_code_is_stored_upper_case_with_defaults_and_found_in_any_case_from_either_mode()
    {
        var planId = await _app.Test().CreatePlan();
        var rules = new object[]
        {
            new { appliesTo = new { type = "specific", planIds = new[] { planId } }, discount = new { type = "fixed", value = 100 }, duration = new { type = "forever" } },
            AllPercent,
        };

        var created = await _app.Live().Post("/discount-codes", new { code = "early-2026", rules, maxRedemptions = 10 });
        var found = await _app.Test().Get("/discount-codes/lookup?code=Early-2026");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var code = created.Data;
        Assert.Equal(("EARLY-2026", "active", 0), (code["code"]!.GetValue<string>(), code["status"]!.GetValue<string>(), code["timesRedeemed"]!.GetValue<int>()));
        Assert.Equal("TWD", code["rules"]![0]!["discount"]!["currency"]!.GetValue<string>());
        Assert.Equal(("repeating", 1), (code["rules"]![1]!["duration"]!["type"]!.GetValue<string>(), code["rules"]![1]!["duration"]!["cycles"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.OK, found.Status);
        Assert.Equal(code["id"]!.GetValue<string>(), found.Data["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_code_is_unique_per_profile_in_any_case()
    {
        await _app.Test().Post("/discount-codes", new { code = "SAVE10", rules = new[] { AllPercent } });
        var again = await _app.Live().Post("/discount-codes", new { code = "save10", rules = new[] { AllPercent } });
        var other = (await _app.Admin().Post("/api-keys", new { profileId = "shop-2" })).Data["secret"]!.GetValue<string>();
        var elsewhere = await _app.With(other).Post("/discount-codes", new { code = "SAVE10", rules = new[] { AllPercent } });

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal(("DUPLICATE_CODE", DiscountCodeApi.Duplicate), (again.Code, again.Error));
        Assert.Equal(HttpStatusCode.Created, elsewhere.Status);
    }

    [Fact]
    public async Task Of_simultaneous_creations_of_one_code_exactly_one_wins()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? _app.Test() : _app.Live()).Post("/discount-codes", new { code = i % 2 == 0 ? "RACE" : "race", rules = new[] { AllPercent } })));

        Assert.Single(replies, r => r.Status == HttpStatusCode.Created);
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.Created), r => Assert.Equal("DUPLICATE_CODE", r.Code));
    }

    public static TheoryData<string, string> InvalidCreations => new()
    {
        { """{"rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"}}]}""", "code is required" },
        { """{"code":"AB","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"}}]}""", "code must be 3-40 characters of A-Z, 0-9, _ and -" },
        { """{"code":"A B C","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"}}]}""", "code must be 3-40 characters of A-Z, 0-9, _ and -" },
        { """{"code":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"}}]}""", "code must be 3-40 characters of A-Z, 0-9, _ and -" },
        { """{"code":"ABC"}""", "rules is required (at least one rule)" },
        { """{"code":"ABC","rules":[]}""", "rules must hold 1 to 50 rules" },
        { """{"code":"ABC","rules":[{"discount":{"type":"free"}}]}""", "rules[0].appliesTo is required" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"some"},"discount":{"type":"free"}}]}""", "rules[0].appliesTo.type must be one of: all, specific" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"specific","planIds":[]},"discount":{"type":"free"}}]}""", "rules[0].appliesTo.planIds must name at least one plan" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"}},{"appliesTo":{"type":"all"},"discount":{"type":"free"}}]}""", "at most one rule may apply to all plans" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"specific","planIds":["p1"]},"discount":{"type":"free"}},{"appliesTo":{"type":"specific","planIds":["p1"]},"discount":{"type":"free"}}]}""", "plan p1 appears more than once in the rules" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"specific","planIds":["p2","p2"]},"discount":{"type":"free"}}]}""", "plan p2 appears more than once in the rules" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"}}]}""", "rules[0].discount is required" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"half"}}]}""", "rules[0].discount.type must be one of: fixed, percent, free" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"fixed","value":0}}]}""", "rules[0].discount.value must be a positive whole number for a fixed discount" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"percent","value":101}}]}""", "rules[0].discount.value must be from 1 to 100" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"percent","value":0}}]}""", "rules[0].discount.value must be from 1 to 100" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free","value":5}}]}""", "rules[0].discount of type free takes no value or currency" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"},"duration":{"type":"repeating","cycles":61}}]}""", "rules[0].duration.cycles must be from 1 to 60" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"},"duration":{"type":"repeating","cycles":0}}]}""", "rules[0].duration.cycles must be from 1 to 60" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"},"duration":{"type":"once"}}]}""", "rules[0].duration.type must be one of: repeating, forever" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"}}],"redeemFrom":"2026-12-02T00:00:00Z","redeemBy":"2026-12-01T00:00:00Z"}""", "redeemFrom must be before redeemBy" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"}}],"maxRedemptions":0}""", "maxRedemptions must be from 1 to 2147483647" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"all"},"discount":{"type":"free"}}],"maxRedemptionsPerCustomer":0}""", "maxRedemptionsPerCustomer must be from 1 to 2147483647" },
        { """{"code":"ABC","rules":[{"appliesTo":{"type":"specific","planIds":["plan_nope"]},"discount":{"type":"free"}}]}""", "plan plan_nope is not a plan of this profile" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreations))]
    public async Task Each_creation_rule_is_a_validation_failure_with_its_detail(string json, string detail)
    {
        var reply = await _app.Test().Raw(HttpMethod.Post, "/discount-codes", json);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(("Validation failed", "VALIDATION_ERROR", detail), (reply.Error, reply.Code, reply.Detail));
    }

    [Fact]
    public async Task The_code_cannot_be_changed_but_the_rest_can()
    {
        var id = await Create("SPRING");

        var immutable = await _app.Test().Put("/discount-codes/" + id, new { code = "SUMMER", status = "bogus" });
        var updated = await _app.Test().Put("/discount-codes/" + id, new { maxRedemptionsPerCustomer = 1, status = "disabled" });

        Assert.Equal((HttpStatusCode.BadRequest, "CODE_IMMUTABLE"), (immutable.Status, immutable.Code));
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(("SPRING", 1, "disabled"), (updated.Data["code"]!.GetValue<string>(), updated.Data["maxRedemptionsPerCustomer"]!.GetValue<int>(), updated.Data["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_update_keeps_the_window_ordered_against_the_stored_bound()
    {
        var created = await _app.Test().Post("/discount-codes", new { code = "WINDOW", rules = new[] { AllPercent }, redeemBy = "2026-12-10T00:00:00Z" });

        var reply = await _app.Test().Put("/discount-codes/" + created.Data["id"]!.GetValue<string>(), new { redeemFrom = "2026-12-11T00:00:00Z" });

        Assert.Equal((HttpStatusCode.BadRequest, "redeemFrom must be before redeemBy"), (reply.Status, reply.Detail));
    }

    [Fact]
    public async Task Delete_disables_and_hides_the_code_from_the_default_listing()
    {
        var kept = await Create("KEEP");
        var gone = await Create("GONE");

        var deleted = await _app.Test().Delete("/discount-codes/" + gone);
        var active = await _app.Test().Get("/discount-codes");
        var disabled = await _app.Test().Get("/discount-codes?status=disabled");
        var stillThere = await _app.Test().Get("/discount-codes/" + gone);
        var badStatus = await _app.Test().Get("/discount-codes?status=deleted");

        Assert.Equal(("disabled", HttpStatusCode.OK), (deleted.Data["status"]!.GetValue<string>(), stillThere.Status));
        Assert.Equal([kept], active.Data.AsArray().Select(c => c!["id"]!.GetValue<string>()));
        Assert.Equal([gone], disabled.Data.AsArray().Select(c => c!["id"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.Status);
    }

    [Fact]
    public async Task Codes_page_by_cursor()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Create("CODE" + i));
        }

        var first = await _app.Test().Get("/discount-codes?limit=2");
        var cursor = first.Body["pagination"]!["nextCursor"]!.GetValue<string>();
        var second = await _app.Test().Get("/discount-codes?limit=2&startAfter=" + cursor);

        Assert.True(first.Body["pagination"]!["hasMore"]!.GetValue<bool>());
        Assert.False(second.Body["pagination"]!["hasMore"]!.GetValue<bool>());
        Assert.Equal(ids.Order(), first.Data.AsArray().Concat(second.Data.AsArray()).Select(c => c!["id"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Unknown_and_foreign_codes_are_404()
    {
        var id = await Create("MINE");
        var other = (await _app.Admin().Post("/api-keys", new { profileId = "shop-2" })).Data["secret"]!.GetValue<string>();

        var replies = new[]
        {
            await _app.With(other).Get("/discount-codes/" + id),
            await _app.With(other).Get("/discount-codes/lookup?code=mine"),
            await _app.With(other).Put("/discount-codes/" + id, new { status = "disabled" }),
            await _app.With(other).Delete("/discount-codes/" + id),
            await _app.Test().Get("/discount-codes/dc_missing"),
        };

        Assert.All(replies, r => Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), (r.Status, r.Code)));
    }

    private async Task<string> Create(string code)
    {
        var reply = await _app.Test().Post("/discount-codes", new JsonObject { ["code"] = code, ["rules"] = JsonNode.Parse("""[{"appliesTo":{"type":"all"},"discount":{"type":"free"}}]""") });
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        return reply.Data["id"]!.GetValue<string>();
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
