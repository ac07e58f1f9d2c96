using Harness.Conformance.Binding;

namespace Harness.Conformance;

/// <summary>
/// The step definitions of every surface: the <c>[Steps]</c> classes of this assembly (under <c>Steps/</c>,
/// one folder per surface). A new surface adds its classes there and they are found.
/// </summary>
public static class Suite
{
    private static readonly Lazy<StepRegistry> Bindings = new(() => StepRegistry.FromAssemblies(typeof(Suite).Assembly));

    public static StepRegistry Registry => Bindings.Value;
}
