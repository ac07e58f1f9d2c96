using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Harness.Finance.Auth;

public sealed record SendCodeRequest(string? Phone);

public sealed record SendCodeResult(string Phone, int ExpiresInSeconds);

public sealed record SandboxCodeResult(string Phone, string Code, DateTime ExpiresAt);

public sealed record LoginRequest(string? Phone, string? Code);

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

    private static string? PhoneError(string? phone) =>
        string.IsNullOrEmpty(phone) ? "phone is required"
        : phone.Length is < 6 or > 16 || !phone.TrimStart('+').All(char.IsAsciiDigit) || phone.LastIndexOf('+') > 0
            ? "phone must be 6 to 15 digits, optionally starting with +"
            : null;

    private static IResult SendCode(SendCodeRequest request, SmsCodes codes)
    {
        if (PhoneError(request.Phone) is { } error)
        {
            return FinanceEnvelope.Invalid(error);
        }

        return codes.Send(request.Phone!) is null
            ? FinanceEnvelope.Fail(ApiErrorKind.RateLimited, $"a code was sent to this phone less than {SmsCodes.ResendInterval.TotalSeconds:0} seconds ago")
            : FinanceEnvelope.Ok(new SendCodeResult(request.Phone!, (int)SmsCodes.Lifetime.TotalSeconds));
    }

    private static IResult RevealCode(string? phone, SmsCodes codes, IOptions<FinanceOptions> options)
    {
        if (!options.Value.SmsSandbox)
        {
            return FinanceEnvelope.Fail(ApiErrorKind.NotFound, "the SMS sandbox is disabled");
        }

        if (PhoneError(phone) is { } error)
        {
            return FinanceEnvelope.Invalid(error);
        }

        return codes.Peek(phone!) is { } code
            ? FinanceEnvelope.Ok(new SandboxCodeResult(code.Id, code.Code, code.ExpiresAt))
            : FinanceEnvelope.Fail(ApiErrorKind.NotFound, "no live code for this phone; call /api/auth/sms/sendCode first");
    }

    private static async Task<IResult> Login(LoginRequest request, SmsCodes codes, UserDirectory users, SessionRegistry sessions, CancellationToken cancellationToken)
    {
        if ((PhoneError(request.Phone) ?? (string.IsNullOrEmpty(request.Code) ? "code is required" : null)) is { } error)
        {
            return FinanceEnvelope.Invalid(error);
        }

        if (!await codes.VerifyAsync(request.Phone!, request.Code!, cancellationToken))
        {
            return FinanceEnvelope.Fail(ApiErrorKind.Unauthenticated, "invalid or expired verification code");
        }

        var user = await users.GetOrRegisterAsync(request.Phone!, cancellationToken);
        return FinanceEnvelope.Ok(new LoginResult(sessions.Issue(user), UserView.From(user)));
    }

    private static IResult Me(HttpContext context) => FinanceEnvelope.Ok(UserView.From(context.CurrentUser()));
}
