using System.Reflection;
using Harness.Sandbox.Violations;

namespace Harness.Architecture.Tests;

/// <summary>
/// Each rule run on Harness.Architecture.Violations, which breaks them all on purpose: a rule that cannot
/// fail proves nothing when it passes on the product. Each asserts both halves, the assembly reference
/// and the offending type, and that types of other roles in the same assembly are not blamed.
/// </summary>
public sealed class RulesFailOnViolationsTests
{
    private static readonly Assembly Violations = typeof(SandboxUsingFinanceAndLedger).Assembly;
    private const string Fixture = "Harness.Architecture.Violations";

    [Fact]
    public void The_sandbox_rule_fails_on_a_sandbox_that_uses_a_surface_and_the_ledger()
    {
        var violations = ArchitectureRules.SandboxSeesNoSurfaceAndNoLedger(Violations);

        Assert.Contains($"{Fixture} references Harness.Finance", violations);
        Assert.Contains($"{Fixture} references Harness.Ledger", violations);
        Assert.Contains("Harness.Sandbox.Violations.SandboxUsingFinanceAndLedger uses Harness.Finance", violations);
        Assert.Contains("Harness.Sandbox.Violations.SandboxUsingFinanceAndLedger uses Harness.Ledger", violations);
        Assert.Contains("Harness.Sandbox.Violations.SandboxUsingLedgerInALambda uses Harness.Ledger", violations); // only inside a lambda
        Assert.DoesNotContain("Harness.Conformance.Violations.ConformanceUsingFinanceAndLedger uses Harness.Finance", violations);
    }

    [Fact]
    public void The_surface_rule_fails_on_a_surface_that_uses_the_sandbox()
    {
        var violations = ArchitectureRules.SurfaceSeesNoSandbox(Violations);

        Assert.Contains($"{Fixture} references Harness.Sandbox", violations);
        Assert.Contains("Harness.Finance.Violations.SurfaceUsingSandbox uses Harness.Sandbox", violations);
        Assert.DoesNotContain("Harness.Http.Violations.HttpUsingSandboxAndLedger uses Harness.Sandbox", violations);
    }

    [Fact]
    public void The_LiteDB_rule_fails_on_a_capability_that_uses_a_LiteDB_type()
    {
        var violations = ArchitectureRules.CapabilitiesUseNoLiteDb(Violations);

        // Exactly the type: the fixture's reference to LiteDB.dll is no violation in itself.
        Assert.Equal(["Harness.Finance.Violations.SurfaceUsingLiteDb uses LiteDB"], violations);
    }

    [Fact]
    public void The_chaos_rule_fails_on_a_campaign_that_uses_backend_and_ledger_types()
    {
        var violations = ArchitectureRules.ChaosSeesOnlyTheLauncher(Violations);

        Assert.Contains($"{Fixture} references Harness.Finance", violations);
        Assert.Contains("Harness.Chaos.Violations.ChaosUsingFinanceAndLedger uses Harness.Finance", violations);
        Assert.Contains("Harness.Chaos.Violations.ChaosUsingFinanceAndLedger uses Harness.Ledger", violations);
        Assert.DoesNotContain("Harness.Conformance.Violations.ConformanceUsingFinanceAndLedger uses Harness.Finance", violations);
    }

    [Fact]
    public void The_conformance_rule_fails_on_a_runner_that_uses_backend_and_ledger_types()
    {
        var violations = ArchitectureRules.ConformanceSeesNothingOfTheHarness(Violations);

        Assert.Contains($"{Fixture} references Harness.Finance", violations);
        Assert.Contains($"{Fixture} references Harness.Ledger", violations);
        Assert.Contains("Harness.Conformance.Violations.ConformanceUsingFinanceAndLedger uses Harness.Finance", violations);
        Assert.Contains("Harness.Conformance.Violations.ConformanceUsingFinanceAndLedger uses Harness.Ledger", violations);
        Assert.DoesNotContain("Harness.Sandbox.Violations.SandboxUsingFinanceAndLedger uses Harness.Finance", violations);
    }

    [Fact]
    public void The_mechanism_rule_fails_on_mechanisms_that_use_a_surface_or_the_sandbox()
    {
        var violations = ArchitectureRules.MechanismSeesNoApp(Violations);

        Assert.Contains($"{Fixture} references Harness.Finance", violations);
        Assert.Contains($"{Fixture} references Harness.Sandbox", violations);
        Assert.Contains("Harness.Ledger.Violations.LedgerUsingFinance uses Harness.Finance", violations);
        Assert.Contains("Harness.Http.Violations.HttpUsingSandboxAndLedger uses Harness.Sandbox", violations);
        Assert.DoesNotContain("Harness.Conformance.Violations.ConformanceUsingFinanceAndLedger uses Harness.Finance", violations);
    }

    [Fact]
    public void The_mechanism_graph_rule_fails_on_an_edge_that_is_not_allowed()
    {
        var asHttp = ArchitectureRules.MechanismSeesOnlyAllowedMechanisms(Violations, ArchitectureRules.Http);

        Assert.Contains($"{Fixture} references Harness.Ledger, which Harness.Http may not see", asHttp);
        Assert.Contains("Harness.Http.Violations.HttpUsingSandboxAndLedger uses Harness.Ledger", asHttp);
        Assert.Contains("Harness.Callbacks.Violations.CallbacksUsingStorageSecurityAndLedger uses Harness.Ledger", asHttp);
        // The allowed edges stay allowed: Callbacks may see Storage and Security.
        Assert.DoesNotContain("Harness.Callbacks.Violations.CallbacksUsingStorageSecurityAndLedger uses Harness.Storage", asHttp);
        Assert.DoesNotContain("Harness.Callbacks.Violations.CallbacksUsingStorageSecurityAndLedger uses Harness.Security", asHttp);
    }

    [Fact]
    public void The_mechanism_graph_rule_holds_a_reference_to_the_edges_of_its_mechanism()
    {
        var asHttp = ArchitectureRules.MechanismSeesOnlyAllowedMechanisms(Violations, ArchitectureRules.Http);
        var asCallbacks = ArchitectureRules.MechanismSeesOnlyAllowedMechanisms(Violations, ArchitectureRules.Callbacks);

        Assert.Contains($"{Fixture} references Harness.Storage, which Harness.Http may not see", asHttp);
        Assert.Contains($"{Fixture} references Harness.Security, which Harness.Http may not see", asHttp);
        Assert.Contains($"{Fixture} references Harness.Ledger, which Harness.Callbacks may not see", asCallbacks);
        Assert.DoesNotContain($"{Fixture} references Harness.Storage, which Harness.Callbacks may not see", asCallbacks);
        Assert.DoesNotContain($"{Fixture} references Harness.Security, which Harness.Callbacks may not see", asCallbacks);
    }

    [Fact]
    public void The_load_runner_rule_fails_on_a_runner_that_uses_test_support()
    {
        var violations = ArchitectureRules.LoadRunnerSeesNoTestAssembly(Violations);

        Assert.Contains($"{Fixture} references Harness.Testing", violations);
        Assert.Contains("Harness.Load.Violations.LoadUsingTestSupport uses Harness.Testing", violations);
    }

    [Theory]
    [InlineData("Harness.Testing", true)]
    [InlineData("Harness.Tests", true)]
    [InlineData("Harness.Ledger.Tests", true)]
    [InlineData("Harness.Architecture.Tests", true)]
    [InlineData("Harness.Load", false)]
    [InlineData("Harness.Launcher", false)]
    [InlineData("Harness.Testing.Fakes", true)]
    [InlineData("Harness.Testbed", false)]
    public void Test_assemblies_are_told_by_their_name(string name, bool isTest) =>
        Assert.Equal(isTest, ArchitectureRules.IsTestAssembly(name));

    [Fact]
    public void The_project_file_rule_fails_on_a_project_that_references_a_test_project()
    {
        var fixture = Path.Combine(Product.Root.FullName, "tests", "Harness.Architecture.Violations", "Harness.Architecture.Violations.csproj");

        var violations = ArchitectureRules.ProjectsReferenceNoTestProject([fixture], Path.Combine(Product.Root.FullName, "tests"));

        Assert.Equal([@"Harness.Architecture.Violations.csproj references ..\Harness.Testing\Harness.Testing.csproj"], violations);
    }
}
