using System.Reflection;

namespace Harness.Architecture.Tests;

/// <summary>The product assemblies as built next to these tests, by role.</summary>
internal static class Product
{
    public static Assembly Sandbox => Load(ArchitectureRules.Sandbox);
    public static Assembly Host => Load(ArchitectureRules.Host);
    public static Assembly Conformance => Load(ArchitectureRules.Conformance);
    public static Assembly Chaos => Load(ArchitectureRules.Chaos);
    public static Assembly LoadRunner => Load(ArchitectureRules.Load);
    public static Assembly Storage => Load(ArchitectureRules.Storage);

    /// <summary>The surfaces that exist: a surface named in the rules is inspected once its project is referenced here.</summary>
    public static IReadOnlyList<Assembly> Surfaces => [.. ArchitectureRules.Surfaces.Where(IsBuilt).Select(Load)];

    public static IReadOnlyList<Assembly> Mechanisms => [.. ArchitectureRules.Mechanisms.Select(Load)];

    public static IReadOnlyList<Assembly> All => [.. Surfaces, Sandbox, Host, Conformance, Chaos, LoadRunner, .. Mechanisms];

    /// <summary>The repository's root, found upwards from the test binaries.</summary>
    public static DirectoryInfo Root => new(Harness.Launcher.HarnessProcess.RepositoryRoot());

    private static bool IsBuilt(string name) => File.Exists(Path.Combine(AppContext.BaseDirectory, name + ".dll"));

    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));
}
