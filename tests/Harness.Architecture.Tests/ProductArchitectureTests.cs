using NetArchTest.Rules;

namespace Harness.Architecture.Tests;

/// <summary>Every rule over the real product assemblies.</summary>
public sealed class ProductArchitectureTests
{
    [Fact]
    public void The_sandbox_references_no_surface_and_no_ledger() =>
        AssertNone(ArchitectureRules.SandboxSeesNoSurfaceAndNoLedger(Product.Sandbox));

    [Fact]
    public void No_surface_references_the_sandbox()
    {
        Assert.NotEmpty(Product.Surfaces); // at least Finance, or the rule checks nothing
        AssertNone(Product.Surfaces.SelectMany(ArchitectureRules.SurfaceSeesNoSandbox));
    }

    [Fact]
    public void No_capability_uses_LiteDB_types() =>
        AssertNone(Product.All.SelectMany(ArchitectureRules.CapabilitiesUseNoLiteDb));

    [Fact]
    public void The_storage_mechanism_is_where_LiteDB_is_used()
    {
        // The LiteDB rule passing means something only if the checker sees LiteDB where it is used.
        var users = Types.InAssembly(Product.Storage).That().HaveDependencyOn(ArchitectureRules.LiteDb).GetTypes();
        Assert.NotEmpty(users);
    }

    [Fact]
    public void The_conformance_runner_references_nothing_of_the_harness() =>
        AssertNone(ArchitectureRules.ConformanceSeesNothingOfTheHarness(Product.Conformance));

    [Fact]
    public void The_chaos_campaign_references_nothing_of_the_harness_but_the_launcher() =>
        AssertNone(ArchitectureRules.ChaosSeesOnlyTheLauncher(Product.Chaos));

    [Fact]
    public void No_shared_mechanism_references_a_surface_the_sandbox_the_host_or_the_conformance_runner() =>
        AssertNone(Product.Mechanisms.SelectMany(ArchitectureRules.MechanismSeesNoApp));

    [Fact]
    public void Shared_mechanisms_reference_one_another_only_along_the_allowed_edges() =>
        AssertNone(Product.Mechanisms.SelectMany(mechanism =>
            ArchitectureRules.MechanismSeesOnlyAllowedMechanisms(mechanism, mechanism.GetName().Name!)));

    [Fact]
    public void The_load_runner_references_no_test_assembly() =>
        AssertNone(ArchitectureRules.LoadRunnerSeesNoTestAssembly(Product.LoadRunner));

    [Fact]
    public void No_project_under_src_or_load_references_a_project_under_tests()
    {
        var projects = new[] { "src", "load" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(Product.Root.FullName, folder), "*.csproj", SearchOption.AllDirectories))
            .ToList();

        Assert.NotEmpty(projects);
        AssertNone(ArchitectureRules.ProjectsReferenceNoTestProject(projects, Path.Combine(Product.Root.FullName, "tests")));
    }

    [Fact]
    public void Every_project_under_src_has_a_role_and_is_inspected()
    {
        // A new project gets no rule until it has a role here, and none is checked until its DLL is built
        // next to these tests (a ProjectReference in Harness.Architecture.Tests.csproj).
        string[] roles = [.. ArchitectureRules.Surfaces, ArchitectureRules.Sandbox, ArchitectureRules.Host, ArchitectureRules.Conformance, ArchitectureRules.Chaos, .. ArchitectureRules.Mechanisms];
        var inspected = Product.All.Select(assembly => assembly.GetName().Name).ToHashSet(StringComparer.Ordinal);
        var projects = Directory.GetFiles(Path.Combine(Product.Root.FullName, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .ToList();

        Assert.NotEmpty(projects);
        AssertNone(projects.Where(project => !roles.Contains(project)).Select(project => $"{project} has no role in ArchitectureRules"));
        AssertNone(projects.Where(project => !inspected.Contains(project)).Select(project => $"{project} is not inspected"));
    }

    private static void AssertNone(IEnumerable<string> violations)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, $"{list.Count} violation(s):{Environment.NewLine}{string.Join(Environment.NewLine, list)}");
    }
}
