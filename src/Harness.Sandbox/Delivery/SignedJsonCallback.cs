using System.Text;
using Harness.Callbacks;
using Harness.Sandbox.Faults;

namespace Harness.Sandbox.Delivery;

/// <summary>The callback Stripe, Creem and WeChat Pay send: a JSON POST their signer signs on every attempt.</summary>
public static class SignedJsonCallback
{
    /// <summary>A JSON POST of <paramref name="json"/>, signed by <paramref name="signer"/>, carrying the batch's signature faults.</summary>
    public static CallbackDelivery Create(string eventType, string url, string json, string signer, DeliveryFaults faults, string contentType = "application/json")
    {
        var delivery = new CallbackDelivery
        {
            EventType = eventType,
            Method = "POST",
            Url = url,
            Headers = { ["Content-Type"] = contentType },
            Body = Encoding.UTF8.GetBytes(json),
            Signer = signer,
        };
        SignatureFaults.Attach(delivery, faults);
        return delivery;
    }
}
