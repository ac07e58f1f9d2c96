using System.Globalization;
using Harness.Callbacks;
using Harness.Sandbox.Faults;

namespace Harness.Sandbox.Delivery;

/// <summary>
/// Carries the signature faults of a batch onto each delivery, for signers that sign per attempt, and the two
/// manipulations every scheme shares.
/// </summary>
public static class SignatureFaults
{
    private const string TamperKey = "tampered_signature";
    private const string StaleKey = "stale_seconds";

    public static void Attach(CallbackDelivery delivery, DeliveryFaults faults)
    {
        if (faults.TamperedSignature)
        {
            delivery.SignerOptions[TamperKey] = "true";
        }

        if (faults.StaleBy > TimeSpan.Zero)
        {
            delivery.SignerOptions[StaleKey] = ((long)faults.StaleBy.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
    }

    public static bool IsTampered(CallbackDelivery delivery) => delivery.SignerOptions.ContainsKey(TamperKey);

    public static TimeSpan StaleBy(CallbackDelivery delivery) =>
        delivery.SignerOptions.TryGetValue(StaleKey, out var seconds) ? TimeSpan.FromSeconds(long.Parse(seconds, CultureInfo.InvariantCulture)) : TimeSpan.Zero;

    /// <summary>Changes one hex digit, so the signature keeps its format but no longer matches.</summary>
    public static string Tamper(string hexSignature) =>
        hexSignature[..^1] + (hexSignature[^1] == '0' ? '1' : '0');
}
