namespace Harness.Finance.Consumption;

/// <summary>The documented consumption types.</summary>
public static class ConsumeTypes
{
    public const string Token = "TOKEN";
    public const string Duration = "DURATION";
    public const string Fixed = "FIXED";
}
