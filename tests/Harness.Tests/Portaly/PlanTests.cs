using System.Net;
using System.Text.Json.Nodes;
using Harness.Portaly.Plans;

namespace Harness.Tests.Portaly;

public sealed class PlanTests : IAsyncLifetime
{
    private readonly PortalyTestApp _app = new();

    [Fact]
    public async Task A_plan_gets_the_defaults_and_is_shared_by_both_modes()
    {
        var created = await _app.Live().Post("/plans", new { name = "Pro", amount = 300, billingPeriod = "monthly" });
        var id = created.Data["id"]!.GetValue<string>();

        var fromTest = await _app.Test().Get("/plans/" + id);
        var listed = await _app.Test().Get("/plans?profileId=demo-profile");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, fromTest.Status);
        var plan = fromTest.Data;
        Assert.Equal(("TWD", "fixed", "active", true), (plan["currency"]!.GetValue<string>(), plan["pricingType"]!.GetValue<string>(), plan["status"]!.GetValue<string>(), plan["collectPhone"]!.GetValue<bool>()));
        Assert.Equal("demo-profile", plan["profileId"]!.GetValue<string>());
        Assert.Null(plan["imageUrl"]);
        Assert.NotNull(plan["createdAt"]);
        Assert.Contains(listed.Data.AsArray(), p => p!["id"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task A_dynamic_plan_is_one_time_without_amount()
    {
        var reply = await _app.Test().Post("/plans", new { name = "Tip", billingPeriod = "one-time", pricingType = "dynamic" });

        Assert.Equal(HttpStatusCode.Created, reply.Status);
        Assert.Equal(0, reply.Data["amount"]!.GetValue<long>());
    }

    public static TheoryData<string, string> InvalidCreations => new()
    {
        { """{"amount":300,"billingPeriod":"monthly"}""", "name is required" },
        { """{"name":"  ","amount":300,"billingPeriod":"monthly"}""", "name must not be empty" },
        { """{"name":"Pro","amount":300}""", "billingPeriod is required" },
        { """{"name":"Pro","amount":300,"billingPeriod":"weekly"}""", "billingPeriod must be one of: monthly, yearly, one-time" },
        { """{"name":"Pro","amount":300,"billingPeriod":"monthly","pricingType":"tiered"}""", "pricingType must be one of: fixed, dynamic" },
        { """{"name":"Pro","billingPeriod":"monthly","pricingType":"dynamic"}""", "a dynamic plan must have billingPeriod one-time" },
        { """{"name":"Pro","amount":5,"billingPeriod":"one-time","pricingType":"dynamic"}""", "a dynamic plan has no amount: each checkout session names it" },
        { """{"name":"Pro","billingPeriod":"monthly"}""", "amount must be a positive whole number for a fixed plan" },
        { """{"name":"Pro","amount":0,"billingPeriod":"monthly"}""", "amount must be a positive whole number for a fixed plan" },
        { """{"name":"Pro","amount":300,"billingPeriod":"monthly","currency":"TW"}""", "currency must be a 3-letter ISO currency code" },
        { """{"name":"Pro","amount":300,"billingPeriod":"monthly","status":"paused"}""", "status must be one of: active, inactive" },
        { """{"name":"Pro","amount":300,"billingPeriod":"monthly","listPrice":-1}""", "listPrice must be from 0 to 100000000" },
        { """{"name":"Pro","amount":100000001,"billingPeriod":"monthly"}""", "amount must be from 0 to 100000000" },
        { """{"name":"Pro","amount":300,"billingPeriod":"monthly","externalInformationUrl":{"text":"More"}}""", "externalInformationUrl.url is required" },
        { """{"name":"Pro","amount":300,"billingPeriod":"monthly","externalInformationUrl":{"url":"https://x.example"}}""", "externalInformationUrl.text is required" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreations))]
    public async Task Each_creation_rule_is_a_validation_failure_with_its_detail(string json, string detail)
    {
        var reply = await _app.Test().Raw(HttpMethod.Post, "/plans", json);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(("Validation failed", "VALIDATION_ERROR", detail), (reply.Error, reply.Code, reply.Detail));
    }

    [Fact]
    public async Task An_update_is_partial()
    {
        var id = await _app.Test().CreatePlan();

        var reply = await _app.Live().Put("/plans/" + id, new { status = "inactive", amount = 500, billingPeriod = "monthly" });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(("Pro", "inactive", 500L), (reply.Data["name"]!.GetValue<string>(), reply.Data["status"]!.GetValue<string>(), reply.Data["amount"]!.GetValue<long>()));
    }

    [Theory]
    [InlineData("billingPeriod", "yearly")]
    [InlineData("pricingType", "dynamic")]
    public async Task Billing_period_and_pricing_type_are_locked(string field, string value)
    {
        var id = await _app.Test().CreatePlan();

        var reply = await _app.Test().Put("/plans/" + id, new JsonObject { [field] = value });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Equal(("PLAN_FIELD_LOCKED", PlanApi.Locked), (reply.Code, reply.Error));
    }

    [Fact]
    public async Task A_fixed_plan_keeps_a_positive_amount()
    {
        var id = await _app.Test().CreatePlan();

        var reply = await _app.Test().Put("/plans/" + id, new { amount = 0 });

        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), (reply.Status, reply.Code));
    }

    [Fact]
    public async Task The_description_is_sanitised_on_write()
    {
        const string html = """<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:evil()">x</a><img src="http://a.example/i.png"><img src="https://a.example/ok.png"></p>""";

        var reply = await _app.Test().Post("/plans", new { name = "Pro", amount = 300, billingPeriod = "monthly", description = html });

        var description = reply.Data["description"]!.GetValue<string>();
        Assert.DoesNotContain("script", description, StringComparison.Ordinal);
        Assert.DoesNotContain("onclick", description, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript", description, StringComparison.Ordinal);
        Assert.DoesNotContain("http://a.example", description, StringComparison.Ordinal);
        Assert.Contains("https://a.example/ok.png", description, StringComparison.Ordinal);
        Assert.Contains("<p>Hi", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_profile_s_plan_is_403_and_an_unknown_one_404()
    {
        var id = await _app.Test().CreatePlan();
        var other = (await _app.Admin().Post("/api-keys", new { profileId = "shop-2", mode = "test" })).Data["secret"]!.GetValue<string>();

        var foreign = await _app.With(other).Get("/plans/" + id);
        var foreignList = await _app.With(other).Get("/plans?profileId=demo-profile");
        var unknown = await _app.Test().Get("/plans/plan_missing");

        Assert.Equal((HttpStatusCode.Forbidden, "FORBIDDEN"), (foreign.Status, foreign.Code));
        Assert.Equal(HttpStatusCode.Forbidden, foreignList.Status);
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), (unknown.Status, unknown.Code));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
