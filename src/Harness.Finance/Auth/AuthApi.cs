using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Harness.Finance.Auth;

public sealed record SendCodeRequest(string? Phone) : IValidatable
{
    public void Validate(Validator validator) => validator.Phone(Phone);
}

public sealed record SendCodeResult(string Phone, int ExpiresInSeconds);

public sealed record SandboxCodeResult(string Phone, string Code, DateTime ExpiresAt);

public sealed record LoginRequest(string? Phone, string? Code) : IValidatable
{
    public void Validate(Validator validator) => validator.Phone(Phone).Require(!string.IsNullOrEmpty(Code), "code is required");
}

public sealed record UserView(string UserId, string Phone, string Nickname, string Role)
{
    public static UserView From(UserDocument user) => new(user.Id, user.Phone, user.Nickname, user.Role);
}

public sealed record LoginResult(string Token, UserView User);

/// <summary>Sign-in by phone and SMS code (the SMS gateway is a sandbox that reveals codes).</summary>
public static class AuthApi
{
    public static void MapAuth(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/sms/sendCode", SendCode).WithSummary("Send a sign-in code to a phone (stored by the SMS sandbox)");
        auth.MapPost("/login", Login).WithSummary("Sign in with phone and SMS code; returns a 7-day JWT and ends any other session");
        auth.MapGet("/sms/sandbox/code", RevealCode).WithSummary("SMS sandbox: the live code of a phone (tests and demos)");
        api.MapGroup("/auth").RequireUser().WithTags("Auth").MapGet("/me", Me).WithSummary("The signed-in user");
    }

    private static Results<Ok<FinanceResponse<SendCodeResult>>, Refusal<Refused.RateLimited>> SendCode(SendCodeRequest request, SmsCodes codes) =>
        codes.Send(request.Phone!) is null
            ? new Refusal<Refused.RateLimited>($"a code was sent to this phone less than {SmsCodes.ResendInterval.TotalSeconds:0} seconds ago")
            : FinanceEnvelope.Ok(new SendCodeResult(request.Phone!, (int)SmsCodes.Lifetime.TotalSeconds));

    private static Results<Ok<FinanceResponse<SandboxCodeResult>>, Refusal<Refused.Validation>, Refusal<Refused.NotFound>> RevealCode(string? phone, SmsCodes codes, IOptions<FinanceOptions> options)
    {
        if (!options.Value.SmsSandbox)
        {
            return new Refusal<Refused.NotFound>("the SMS sandbox is disabled");
        }

        if (RequestValidation.Check(v => v.Phone(phone)) is { } problem)
        {
            return new Refusal<Refused.Validation>(problem);
        }

        return codes.Peek(phone!) is { } code
            ? FinanceEnvelope.Ok(new SandboxCodeResult(code.Id, code.Code, code.ExpiresAt))
            : new Refusal<Refused.NotFound>("no live code for this phone; call /api/auth/sms/sendCode first");
    }

    private static async Task<Results<Ok<FinanceResponse<LoginResult>>, Refusal<Refused.Unauthenticated>>> Login(LoginRequest request, SmsCodes codes, UserDirectory users, SessionRegistry sessions, CancellationToken cancellationToken)
    {
        if (!await codes.VerifyAsync(request.Phone!, request.Code!, cancellationToken))
        {
            return new Refusal<Refused.Unauthenticated>("invalid or expired verification code");
        }

        var user = await users.GetOrRegisterAsync(request.Phone!, cancellationToken);
        return FinanceEnvelope.Ok(new LoginResult(sessions.Issue(user), UserView.From(user)));
    }

    private static Ok<FinanceResponse<UserView>> Me(HttpContext context) => FinanceEnvelope.Ok(UserView.From(context.CurrentUser()));

    /// <summary>6 to 15 digits, optionally after a <c>+</c>.</summary>
    internal static Validator Phone(this Validator validator, string? phone) => validator.Check(
        string.IsNullOrEmpty(phone) ? "phone is required"
        : (phone[0] == '+' ? phone[1..] : phone) is not { Length: >= 6 and <= 15 } digits || !digits.All(char.IsAsciiDigit)
            ? "phone must be 6 to 15 digits, optionally starting with +"
            : null);
}
