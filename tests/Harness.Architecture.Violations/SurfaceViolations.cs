using LiteDB;
using Harness.Sandbox;

namespace Harness.Finance.Violations;

/// <summary>A surface using LiteDB directly instead of the document store.</summary>
public static class SurfaceUsingLiteDb
{
    public static BsonDocument Document() => [];
}

/// <summary>A surface reaching into the sandbox.</summary>
public static class SurfaceUsingSandbox
{
    public static string? StoreOf(SandboxContext context) => context?.Store.ToString();
}
