using Harness.Testing;

namespace Harness.Load.Violations;

/// <summary>The load runner leaning on test support.</summary>
public static class LoadUsingTestSupport
{
    public static string DataDirectoryOf(FinanceTestApp app) => app?.DataDirectory ?? "";
}
