namespace Harness.Portaly;

/// <summary>Portaly settings: the data directory from the <c>Harness</c> section, the rest from <c>Portaly</c>.</summary>
public sealed class PortalyOptions
{
    public string DataDirectory { get; set; } = "data";

    /// <summary>The operator token that stands for the dashboard on key creation (printed in the banner).</summary>
    public string AdminToken { get; set; } = "portaly-admin-demo-token";
}
