using Harness.Portaly.Auth;
using Harness.Storage;

namespace Harness.Portaly.Demo;

/// <summary>
/// The demo merchant: one live and one test key with fixed secrets, so every start prints the same ones (only
/// their hashes are stored), and the operator token that creates more.
/// </summary>
public sealed class PortalyDemo(ApiKeys keys, IDocumentStore store)
{
    public const string ProfileId = "demo-profile";
    public const string LiveKey = "pcs_live_demo0000000000000000000000000000000001";
    public const string TestKey = "pcs_test_demo0000000000000000000000000000000002";
    public const string LiveCallbackSecret = "pcb_demo_live_callback_secret_0001";
    public const string TestCallbackSecret = "pcb_demo_test_callback_secret_0002";

    private readonly IDocumentCollection<DemoMarker> _markers = store.Collection<DemoMarker>("demo");

    /// <summary>One live and one test key for the demo profile, created on the first start only (a key may be revoked later).</summary>
    public void Ensure()
    {
        if (_markers.TryInsert(new DemoMarker("keys")))
        {
            keys.Issue(ProfileId, KeyModes.Live, KeyModes.Full, LiveKey, LiveCallbackSecret);
            keys.Issue(ProfileId, KeyModes.Test, KeyModes.Full, TestKey, TestCallbackSecret);
        }
    }

    /// <param name="baseUrl">Where the app listens.</param>
    /// <param name="adminToken">The operator token of key creation.</param>
    /// <param name="testClock">Whether the test clock is on (<c>--test-clock</c>): the conformance profile line then names it.</param>
    /// <param name="hostedCheckout">Whether the hosted checkout pays through the TapPay of the sandbox beside it (<c>portalyHostedCheckout</c>).</param>
    public static IEnumerable<string> Banner(string baseUrl, string adminToken, bool testClock = false, bool hostedCheckout = false)
    {
        yield return $"Portaly          {baseUrl}   (API reference {baseUrl}/scalar)";
        yield return $"  profile        {ProfileId}";
        yield return $"  live key       {LiveKey}   callback secret {LiveCallbackSecret}";
        yield return $"  test key       {TestKey}   callback secret {TestCallbackSecret}";
        yield return $"  admin token    {adminToken}   (POST /api/creator-subscription/api-keys)";
        yield return $"  try            curl -H 'Authorization: Bearer {TestKey}' '{baseUrl}/api/creator-subscription/plans?profileId={ProfileId}'";
        yield return $"  conformance    profile \"portalyUrl\": \"{baseUrl}\", \"portalyLiveKey\": \"{LiveKey}\", \"portalyTestKey\": \"{TestKey}\", "
            + $"\"portalyCallbackSecret\": \"{TestCallbackSecret}\", \"portalyLiveCallbackSecret\": \"{LiveCallbackSecret}\", \"portalyAdminToken\": \"{adminToken}\", "
            + $"\"portalyTestClockUrl\": \"{(testClock ? baseUrl + "/api/test/clock/advance" : "")}\", \"portalyHostedCheckout\": {(hostedCheckout ? "true" : "false")}";
    }

    private sealed record DemoMarker(string Id) : IDocument;
}
