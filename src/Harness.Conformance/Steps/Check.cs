using Harness.Conformance.Running;

namespace Harness.Conformance.Steps;

/// <summary>Assertions for step definitions: a failure says what was expected and what the target did.</summary>
public static class Check
{
    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new AssertionException($"{what}: expected {expected}, got {actual}");
        }
    }

    public static void That(bool condition, string failure)
    {
        if (!condition)
        {
            throw new AssertionException(failure);
        }
    }
}
