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
        var sandbox = await _world.SendAsync(Actor.Anonymous, HttpMethod.Get, "/api/auth/sms/sandbox/code?phone=" + Phone);
        _world.SmsCode = ApiReply.Field(sandbox.EnsureSuccess("reading the SMS sandbox").Data, "code").GetString();
    }

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

    private string Phone => _world.SmsPhone ?? throw new AssertionException("no code was sent to a phone");

    private Task<ApiReply> SendCode() => _world.PostAsync(Actor.Anonymous, "/api/auth/sms/sendCode", new { phone = Phone });

    private Task<ApiReply> SignIn(string code) => _world.PostAsync(Actor.Anonymous, "/api/auth/login", new { phone = Phone, code });

    /// <summary>Another six digits than the code the sandbox holds.</summary>
    private string Wrong() =>
        ((int.Parse(_world.SmsCode ?? throw new AssertionException("no code was sent"), CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
}
