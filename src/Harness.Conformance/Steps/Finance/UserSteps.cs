using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Finance;

/// <summary>Who takes part in a scenario: users with known balances, and the agent engine's API key.</summary>
[Steps]
public sealed class UserSteps(ScenarioContext context)
{
    private readonly FinanceWorld _world = context.Get<FinanceWorld>();

    [ParameterType("actor", "the user, with the token in a cookie,|the user|the other user|the agent engine, with the key as a bearer token,|the agent engine|an anonymous client|the user's previous session|a client with a forged token|a client with an unknown API key")]
    public static Actor ParseActor(string text) => text switch
    {
        "the user" => Actor.User,
        "the user, with the token in a cookie," => Actor.UserByCookie,
        "the agent engine, with the key as a bearer token," => Actor.AgentEngineByBearer,
        "the other user" => Actor.OtherUser,
        "the agent engine" => Actor.AgentEngine,
        "an anonymous client" => Actor.Anonymous,
        "the user's previous session" => Actor.PreviousSession,
        "a client with a forged token" => Actor.ForgedToken,
        _ => Actor.UnknownApiKey,
    };

    [ParameterType("charge", Charge.Pattern)]
    public static Charge ParseCharge(string text) => Charge.Parse(text);

    [Given("a new user with {int} coin(s)")]
    [Needs(Need.SmsSandbox, Need.AdminJwt)]
    public async Task NewUser(int coins) => _world.User = await NewUserAsync(coins);

    [Given("a new user without coins")]
    [Needs(Need.SmsSandbox)]
    public async Task NewUserWithoutCoins() => _world.User = await NewUserAsync(0);

    [Given("another new user with {int} coin(s)")]
    [Needs(Need.SmsSandbox, Need.AdminJwt)]
    public async Task AnotherNewUser(int coins) => _world.OtherUser = await NewUserAsync(coins);

    [Given("a signed-in user")]
    [Needs(Need.AnyUser)]
    public Task SignedInUser() => SignedInUser(0);

    /// <summary>A new user when the target can make one; otherwise the profile's user, if it has enough coins.</summary>
    [Given("a signed-in user with at least {int} coins")]
    [Needs(Need.AnyUser)]
    public async Task SignedInUser(int coins)
    {
        if (context.Profile.Offers(Need.SmsSandbox) && context.Profile.Offers(Need.AdminJwt))
        {
            _world.User = await NewUserAsync(coins);
            return;
        }

        var profileUser = new FinanceUser(context.Profile.UserId!, context.Profile.UserJwt!, 0);
        var balance = await _world.BalanceOfAsync(profileUser);
        Check.That(balance >= coins, $"the profile user {profileUser.UserId} has {balance} coins; this scenario needs at least {coins}: top it up and run again");
        _world.User = profileUser with { StartingBalance = balance };
    }

    /// <summary>Single-device sessions: signing in again ends the token the user had.</summary>
    [Given("the user has signed in again")]
    [Needs(Need.SmsSandbox)]
    public async Task SignedInAgain()
    {
        var user = _world.TheUser;
        var phone = _world.PhoneOf(user) ?? throw new AssertionException("only a user this scenario signed up can sign in again");
        var (userId, token) = await _world.SignUpAsync(phone);
        Check.Equal(user.UserId, userId, "the user a phone signs in as again");
        _world.PreviousToken = user.Token;
        _world.User = user with { Token = token };
    }

    [Given("the agent engine has an API key that may bill every user")]
    [Needs(Need.FinanceApiKey)]
    public void KeyForEveryUser() => _world.ApiKey = context.Profile.FinanceApiKey;

    /// <summary>A key scoped to the scenario's user, created by the admin (POST /api/admin/apiKeys).</summary>
    [Given("the agent engine has an API key that may bill only the user")]
    [Needs(Need.AdminJwt)]
    public async Task KeyForTheUserOnly()
    {
        var created = (await _world.AdminPostAsync("/api/admin/apiKeys", new { name = context.Unique("scoped key"), allowedUserIds = new[] { _world.TheUser.UserId } }))
            .EnsureSuccess("creating a scoped API key as the admin");
        _world.ApiKey = ApiReply.Field(created.Data, "key").GetString();
        _world.ApiKeyId = ApiReply.Path(created.Data, "apiKey.id").GetString();
        context.Masker.Add(_world.ApiKey);
    }

    /// <summary>A key for every user, created by the admin for the scenario's user as owner.</summary>
    [Given("the agent engine has a new API key the admin created for all users")]
    [Needs(Need.AdminJwt)]
    public async Task NewKeyForAllUsers()
    {
        var created = (await _world.AdminPostAsync("/api/admin/apiKeys", new { name = context.Unique("all-users key"), ownerUserId = _world.TheUser.UserId, allUsers = true }))
            .EnsureSuccess("creating an API key for all users as the admin");
        Check.Equal(_world.TheUser.UserId, ApiReply.Path(created.Data, "apiKey.ownerUserId").GetString(), "apiKey.ownerUserId");
        Check.That(ApiReply.Path(created.Data, "apiKey.allUsers").GetBoolean(), "the created key is not for all users (apiKey.allUsers)");
        _world.ApiKey = ApiReply.Field(created.Data, "key").GetString();
        _world.ApiKeyId = ApiReply.Path(created.Data, "apiKey.id").GetString();
        context.Masker.Add(_world.ApiKey);
    }

    [When("the admin revokes the agent engine's API key")]
    [Needs(Need.AdminJwt)]
    public async Task RevokeKey()
    {
        var id = _world.ApiKeyId ?? throw new AssertionException("only a key this scenario created can be revoked");
        (await _world.AdminPostAsync($"/api/admin/apiKeys/{Uri.EscapeDataString(id)}/revoke", new { })).EnsureSuccess("revoking the API key as the admin");
    }

    [When("the admin credits the user with {int} coin(s)")]
    [Needs(Need.AdminJwt)]
    public Task AdminCredits(int coins) => _world.CreditAsync(_world.TheUser.UserId, coins);

    [Given("the agent engine bills the other user")]
    public void BillsTheOtherUser() => _world.BilledUserId = _world.UserOf(Actor.OtherUser).UserId;

    private async Task<FinanceUser> NewUserAsync(long coins)
    {
        var phone = FinanceWorld.NewPhone();
        var (userId, token) = await _world.SignUpAsync(phone);
        if (coins > 0)
        {
            await _world.CreditAsync(userId, coins);
        }

        var user = new FinanceUser(userId, token, coins);
        _world.RememberPhone(user, phone);
        return user;
    }
}
