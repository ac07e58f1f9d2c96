using System.Reflection;
using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace Harness.Architecture.Tests;

/// <summary>
/// The project's dependency rules as functions over a built assembly. Each returns its violations as
/// sentences, empty when the rule holds, so the same rule is asserted clean on the product and asserted
/// to fail on Harness.Architecture.Violations.
/// </summary>
/// <remarks>
/// A rule has two halves. The assembly's references: using a type of another assembly leaves a reference
/// in the metadata, while a project reference that nothing uses is dropped by the compiler (and so ships
/// nothing to check). And type dependencies by namespace: a type plays the role its namespace names (or
/// its assembly's name, which is how top-level <c>Program</c>, in no namespace, is covered), so a rule still
/// holds if code of one role moves into another's assembly.
/// </remarks>
public static class ArchitectureRules
{
    public const string Sandbox = "Harness.Sandbox";
    public const string Host = "Harness.Host";
    public const string Conformance = "Harness.Conformance";
    public const string Chaos = "Harness.Chaos";
    public const string Load = "Harness.Load";
    public const string Ledger = "Harness.Ledger";
    public const string Storage = "Harness.Storage";
    public const string Http = "Harness.Http";
    public const string Security = "Harness.Security";
    public const string Callbacks = "Harness.Callbacks";
    public const string Launcher = "Harness.Launcher";
    public const string Clock = "Harness.Clock";
    public const string TestSupport = "Harness.Testing";
    public const string LiteDb = "LiteDB";

    /// <summary>The backend surfaces, each an app of its own; named before they all exist so each is covered on arrival.</summary>
    public static readonly IReadOnlyList<string> Surfaces = ["Harness.Finance", "Harness.NewApi", "Harness.Portaly"];

    /// <summary>What every app shares: mechanisms, not capabilities.</summary>
    public static readonly IReadOnlyList<string> Mechanisms = [Ledger, Storage, Http, Security, Callbacks, Launcher, Clock];

    /// <summary>Where capabilities live: the surfaces and the sandbox.</summary>
    public static readonly IReadOnlyList<string> Capabilities = [.. Surfaces, Sandbox];

    /// <summary>
    /// The only edges allowed between shared mechanisms (delivery stores its attempts, signs what it
    /// sends and waits on the clock's signals); a mechanism not listed may see no other.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> AllowedMechanismEdges =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            [Callbacks] = [Storage, Security, Clock],
        };

    /// <summary>Every part of the harness but the conformance runner: what it may not see.</summary>
    private static readonly IReadOnlyList<string> EverythingButConformance = [.. Surfaces, Sandbox, Host, Load, Chaos, TestSupport, .. Mechanisms];

    /// <summary>The sandbox is another company: no surface and not the ledger engine.</summary>
    public static IReadOnlyList<string> SandboxSeesNoSurfaceAndNoLedger(Assembly sandbox) =>
        Forbid(sandbox, roles: [Sandbox], forbidden: [.. Surfaces, Ledger]);

    /// <summary>A surface talks to a provider over HTTP only, never to the sandbox's code.</summary>
    public static IReadOnlyList<string> SurfaceSeesNoSandbox(Assembly surface) =>
        Forbid(surface, roles: Surfaces, forbidden: [Sandbox]);

    /// <summary>
    /// Capabilities store through IDocumentStore. Types only: LiteDB.dll is every app's run-time
    /// dependency through Harness.Storage, so a reference alone says nothing.
    /// </summary>
    public static IReadOnlyList<string> CapabilitiesUseNoLiteDb(Assembly assembly) =>
        TypesUsing(assembly, roles: Capabilities, forbidden: [LiteDb]);

    /// <summary>
    /// The conformance runner checks a target from outside, by HTTP: it sees none of the harness, not
    /// even the signing code (its signatures are written from the providers' specs).
    /// </summary>
    public static IReadOnlyList<string> ConformanceSeesNothingOfTheHarness(Assembly conformance) =>
        Forbid(conformance, roles: [Conformance], forbidden: EverythingButConformance);

    /// <summary>
    /// The chaos campaign tests a target from outside, as the conformance runner does: by HTTP, with the
    /// launcher to start the built-in harness and nothing else of it.
    /// </summary>
    public static IReadOnlyList<string> ChaosSeesOnlyTheLauncher(Assembly chaos) =>
        Forbid(chaos, roles: [Chaos], forbidden: [.. EverythingButConformance.Where(part => part is not Chaos and not Launcher), Conformance]);

    /// <summary>Shared mechanisms sit below the apps: no surface, no sandbox, no host, no conformance runner.</summary>
    public static IReadOnlyList<string> MechanismSeesNoApp(Assembly mechanism) =>
        Forbid(mechanism, roles: Mechanisms, forbidden: [.. Surfaces, Sandbox, Host, Conformance, Chaos]);

    /// <summary>The load runner ships on its own: no test project comes with it.</summary>
    public static IReadOnlyList<string> LoadRunnerSeesNoTestAssembly(Assembly load) =>
    [
        .. References(load).Where(IsTestAssembly).Select(reference => $"{Name(load)} references {reference}"),
        .. TypesUsing(load, roles: [Load], forbidden: [TestSupport]),
    ];

    /// <summary>Test projects and their shared support: Harness.Testing(.*) and anything named *.Tests.</summary>
    public static bool IsTestAssembly(string name) =>
        IsUnder(name, TestSupport) || name.EndsWith(".Tests", StringComparison.Ordinal);

    /// <summary>
    /// Shared mechanisms see one another only along <see cref="AllowedMechanismEdges"/>.
    /// <paramref name="asMechanism"/> is the mechanism whose edges the assembly's references are held to
    /// (its own name for a product assembly); its types are held to the edges of the mechanism their namespace names.
    /// </summary>
    public static IReadOnlyList<string> MechanismSeesOnlyAllowedMechanisms(Assembly assembly, string asMechanism)
    {
        var violations = References(assembly)
            .Where(reference => Mechanisms.Contains(reference) && reference != asMechanism && !Allowed(asMechanism).Contains(reference))
            .Select(reference => $"{Name(assembly)} references {reference}, which {asMechanism} may not see")
            .ToList();
        foreach (var mechanism in Mechanisms)
        {
            var notAllowed = Mechanisms.Where(other => other != mechanism && !Allowed(mechanism).Contains(other)).ToList();
            violations.AddRange(TypesUsing(assembly, roles: [mechanism], forbidden: notAllowed));
        }

        return violations;
    }

    private static IReadOnlyList<string> Allowed(string mechanism) =>
        AllowedMechanismEdges.TryGetValue(mechanism, out var allowed) ? allowed : [];

    private static List<string> Forbid(Assembly assembly, IReadOnlyList<string> roles, IReadOnlyList<string> forbidden) =>
    [
        .. References(assembly).Where(reference => forbidden.Any(root => IsUnder(reference, root)))
            .Select(reference => $"{Name(assembly)} references {reference}"),
        .. TypesUsing(assembly, roles, forbidden),
    ];

    /// <summary>Types playing one of <paramref name="roles"/> that use a type under one of <paramref name="forbidden"/>.</summary>
    private static List<string> TypesUsing(Assembly assembly, IReadOnlyList<string> roles, IReadOnlyList<string> forbidden)
    {
        // NetArchTest matches dependencies by whole namespace segments ("Harness.Finance" is not "Harness.FinanceX")
        // and counts compiler-generated nested types (lambdas, async state machines) as their declaring type's.
        var types = Types.InAssembly(assembly);
        var wholeAssembly = roles.Any(role => IsUnder(Name(assembly), role));
        var namespaces = "^(" + string.Join('|', roles.Select(Regex.Escape)) + @")(\.|$)";
        var violations = new List<string>();
        foreach (var root in forbidden)
        {
            var rule = wholeAssembly ? types.ShouldNot() : types.That().ResideInNamespaceMatching(namespaces).ShouldNot();
            var failing = rule.HaveDependencyOn(root).GetResult().FailingTypeNames ?? [];
            violations.AddRange(failing.Select(type => $"{type} uses {root}"));
        }

        return violations;
    }

    private static IEnumerable<string> References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(reference => reference.Name ?? "").Order(StringComparer.Ordinal);

    private static string Name(Assembly assembly) => assembly.GetName().Name ?? "";

    /// <summary>Whether a dotted name is <paramref name="root"/> or below it.</summary>
    private static bool IsUnder(string name, string root) =>
        name == root || name.StartsWith(root + ".", StringComparison.Ordinal);

    /// <summary>
    /// No product or load project references a project under <paramref name="testsFolder"/>. Read from the
    /// project files: the compiler drops a reference nothing uses, so the assemblies cannot show it, yet
    /// the test project's DLLs would ship with the product or the load runner.
    /// </summary>
    public static IReadOnlyList<string> ProjectsReferenceNoTestProject(IEnumerable<string> projectFiles, string testsFolder)
    {
        var tests = Path.GetFullPath(testsFolder) + Path.DirectorySeparatorChar;
        return [.. projectFiles.SelectMany(project => System.Xml.Linq.XDocument.Load(project).Descendants("ProjectReference")
            .Select(reference => reference.Attribute("Include")?.Value ?? "")
            .Where(include => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include.Replace('\\', Path.DirectorySeparatorChar)))
                .StartsWith(tests, StringComparison.Ordinal))
            .Select(include => $"{Path.GetFileName(project)} references {include}"))];
    }
}
