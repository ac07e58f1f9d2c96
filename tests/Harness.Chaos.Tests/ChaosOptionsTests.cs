namespace Harness.Chaos.Tests;

/// <summary>Portaly's fuzz credentials: the demo ones by default, the given ones kept through <c>--short</c>.</summary>
public sealed class ChaosOptionsTests
{
    [Fact]
    public void Portalys_key_and_operator_token_default_to_the_demo_ones_and_survive_short()
    {
        var defaults = ChaosOptions.Parse([]);
        var given = ChaosOptions.Parse(["--portaly", "http://host:8007", "--portaly-key", "pcs_test_mine", "--portaly-admin-token", "op-token", "--short"]);

        Assert.Equal((ChaosTarget.PortalyTestKey, ChaosTarget.PortalyAdminToken), (defaults.PortalyKey, defaults.PortalyAdminToken));
        Assert.Equal(("pcs_test_mine", "op-token", new Uri("http://host:8007")), (given.PortalyKey, given.PortalyAdminToken, given.Portaly));
        Assert.Equal(ChaosOptions.ShortCampaign.CasesPerOperation, given.CasesPerOperation);
        Assert.Throws<ArgumentException>(() => ChaosOptions.Parse(["--portaly-key"]));
    }
}
