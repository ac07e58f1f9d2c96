using System.Globalization;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Finance;

/// <summary>Signing in by hand with an SMS code from the sandbox, for the cases a code must fail.</summary>
[Steps]
public sealed class SignInSteps(ScenarioContext context)
{
    private readonly FinanceWorld _world = context.Get<FinanceWorld>();

    [Given("a sign-in code has been sent to a new phone")]
    [Needs(Need.SmsSandbox)]
    public async Task CodeSent()
    {
        _world.SmsPhone = FinanceWorld.NewPhone();
        (await SendCode()).EnsureSuccess("sending the SMS code");
        _world.SmsCode = await _world.SmsCodeOfAsync(Phone);
    }

    /// <summary>A phone of the run's own, of exactly that many digits (optionally written with a leading +).</summary>
    [When("a code is sent to a new phone of {int} digits")]
    [Needs(Need.SmsSandbox)]
    public Task CodeToPhoneOf(int digits) => CodeToPhone(digits, "");

    [When("a code is sent to a new phone of {int} digits written with a leading +")]
    [Needs(Need.SmsSandbox)]
    public Task CodeToPhoneWithPlus(int digits) => CodeToPhone(digits, "+");

    [When("a code is sent to the phone again")]
    public Task SendAgain() => SendCode();

    [When("the phone signs in with the code")]
    public Task RightCode() => SignIn(_world.SmsCode ?? throw new AssertionException("no code was sent"));

    [When("the phone signs in with a wrong code")]
    public Task WrongCode() => SignIn(Wrong());

    [When("the phone signs in with a wrong code {int} times")]
    public async Task WrongCodes(int times)
    {
        for (var i = 0; i < times; i++)
        {
            await SignIn(Wrong());
        }
    }

    /// <summary>The documented JWT payload: <c>userId</c>, <c>phone</c>, <c>iat</c>, and <c>exp</c> 7 days after <c>iat</c>.</summary>
    [Then("the token carries the user, the phone and an expiry 7 days after its issue")]
    public void TokenPayload()
    {
        var data = _world.Last.EnsureSuccess("signing in").Data;
        var token = ApiReply.Field(data, "token").GetString() ?? throw new AssertionException("the answer has no token");
        var parts = token.Split('.');
        Check.Equal(3, parts.Length, "parts of the JWT");
        using var payload = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var claims = payload.RootElement;
        Check.Equal(ApiReply.Text(ApiReply.Path(data, "user.userId")), ApiReply.Text(ApiReply.Field(claims, "userId")), "payload userId");
        Check.Equal(Phone, ApiReply.Text(ApiReply.Field(claims, "phone")), "payload phone");
        var lifetime = ApiReply.Field(claims, "exp").GetInt64() - ApiReply.Field(claims, "iat").GetInt64();
        Check.Equal(7L * 24 * 3600, lifetime, "exp - iat (seconds)");
    }

    private Task<ApiReply> CodeToPhone(int digits, string prefix)
    {
        var phone = FinanceWorld.NewPhone();
        _world.SmsPhone = prefix + (phone.Length >= digits ? phone[..digits] : phone + FinanceWorld.NewPhone()[..(digits - phone.Length)]);
        return SendCode();
    }

    private string Phone => _world.SmsPhone ?? throw new AssertionException("no code was sent to a phone");

    private Task<ApiReply> SendCode() => _world.PostAsync(Actor.Anonymous, "/api/auth/sms/sendCode", new { phone = Phone });

    private Task<ApiReply> SignIn(string code) => _world.PostAsync(Actor.Anonymous, "/api/auth/login", new { phone = Phone, code });

    /// <summary>Another six digits than the code the sandbox holds.</summary>
    private string Wrong() =>
        ((int.Parse(_world.SmsCode ?? throw new AssertionException("no code was sent"), CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
}
