using Harness.Finance.Admin;
using Harness.Finance.Auth;
using Harness.Finance.Consumption;
using Harness.Finance.Recharge;
using Harness.Finance.ServicePlans;
using Harness.Ledger;

namespace Harness.Finance.Demo;

/// <summary>What the start banner prints: fresh tokens for the demo users and the published demo API key.</summary>
public sealed record DemoCredentials(UserDocument Admin, string AdminToken, UserDocument User, string UserToken, string ApiKey);

/// <summary>
/// Demo data for a first start: an admin, a user with coins, an OpenAPI key, service plans of all
/// three billing types and recharge plans. Seeding is idempotent (fixed ids and an idempotent credit), so a crash halfway
/// through is finished on the next start.
/// </summary>
public sealed class DemoData(UserDirectory users, SessionRegistry sessions, ApiKeyRegistry keys, ServicePlanCatalog plans, RechargePlans rechargePlans, ILedger ledger)
{
    public const string AdminId = "u_demo_admin";
    public const string UserId = "u_demo_user";
    public const string AdminPhone = "13800000000";
    public const string UserPhone = "13800000001";
    public const long UserCoins = 100_000;

    /// <summary>Published on purpose: it is demo data for a local simulator, shown in the README and the banner.</summary>
    public const string ApiKey = "hk_demo_LocalDemoKeyForTheHarnessOnly";

    public async Task<DemoCredentials> EnsureAsync(CancellationToken cancellationToken)
    {
        var admin = users.Find(AdminId) ?? users.Create(AdminId, AdminPhone, "Demo Admin", Roles.Admin);
        var user = users.Find(UserId) ?? users.Create(UserId, UserPhone, "Demo User", Roles.User);
        keys.Register(ApiKey, "demo agent engine", admin.Id, allUsers: true);
        foreach (var plan in Plans().Where(p => plans.Find(p.Id) is null))
        {
            plans.Save(plan);
        }

        foreach (var plan in RechargePlanList().Where(p => rechargePlans.Find(p.Id) is null))
        {
            rechargePlans.Save(plan);
        }

        await ledger.PostAsync(
            new LedgerPosting(ConsumptionService.AccountOf(user.Id), UserCoins, CoinCredits.LedgerKind)
            {
                Idempotency = new IdempotencyClaim("finance:credit:" + user.Id, "demo-seed", UserCoins.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Reference = "demo data",
            },
            cancellationToken);
        return new DemoCredentials(admin, sessions.Issue(admin), user, sessions.Issue(user), ApiKey);
    }

    private static IEnumerable<ServicePlanDocument> Plans() =>
    [
        new() { Id = "agent-chat-basic", ServiceCode = "agent-chat", Name = "Agent chat (basic)", Tier = "basic", ConsumeType = ConsumeTypes.Token, Rate = 2, Sort = 1, Description = "2 coins per 1,000 tokens" },
        new() { Id = "agent-chat-pro", ServiceCode = "agent-chat", Name = "Agent chat (pro)", Tier = "pro", ConsumeType = ConsumeTypes.Token, Rate = 5, Sort = 2, Description = "5 coins per 1,000 tokens" },
        new() { Id = "expert-consult-standard", ServiceCode = "expert-consult", Name = "Expert consultation", Tier = "standard", ConsumeType = ConsumeTypes.Duration, Rate = 10, Sort = 1, Description = "10 coins per started minute" },
        new() { Id = "report-export", ServiceCode = "report-export", Name = "Report export", Tier = "standard", ConsumeType = ConsumeTypes.Fixed, Rate = 50, Sort = 1, Description = "50 coins per export" },
        new() { Id = "task-reward", ServiceCode = "task-view", Name = "Pay-to-view task", Tier = "standard", ConsumeType = ConsumeTypes.Fixed, Rate = 20, Sort = 1, AllowCustomAmount = true, Description = "20 coins, or the amount the task sets" },
    ];

    private static IEnumerable<RechargePlanDocument> RechargePlanList() =>
    [
        new() { Id = "coins-100", Name = "100 coins", Coins = 100, Price = 100, Sort = 1, Description = "¥1.00" },
        new() { Id = "coins-600", Name = "600 coins + 60 bonus", Coins = 600, BonusCoins = 60, Price = 600, Sort = 2, Description = "¥6.00" },
        new() { Id = "coins-3000", Name = "3,000 coins + 500 bonus", Coins = 3000, BonusCoins = 500, Price = 3000, Sort = 3, Description = "¥30.00" },
        new() { Id = "coins-9800", Name = "9,800 coins + 2,000 bonus", Coins = 9800, BonusCoins = 2000, Price = 9800, Sort = 4, Description = "¥98.00" },
    ];
}
