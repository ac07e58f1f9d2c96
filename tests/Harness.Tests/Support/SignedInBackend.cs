namespace Harness.Tests.Support;

/// <summary>One in-process backend with a signed-in user and admin, shared by a test class whose tests change no balances.</summary>
public sealed class SignedInBackend : IAsyncLifetime
{
    public FinanceTestApp Factory { get; } = new();

    public FinanceClient Client { get; private set; } = null!;

    public string UserToken { get; private set; } = "";

    public string UserId { get; private set; } = "";

    public string AdminToken { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Client = new FinanceClient(Factory.CreateClient());
        (UserToken, UserId) = await Client.SignIn("13900000011");
        AdminToken = Factory.AdminToken();
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}
