namespace Harness.Callbacks;

/// <summary>
/// Adds a sender's signature headers to one attempt. Called on every attempt, so schemes with a timestamp
/// (Stripe's <c>t=</c>) sign each retry afresh, as the real senders do.
/// </summary>
public interface ICallbackSigner
{
    string Name { get; }

    void Sign(CallbackDelivery delivery, IDictionary<string, string> headers);

    /// <summary>
    /// The body one attempt sends, rendered before <see cref="Sign"/>: the stored body as it is, unless the scheme
    /// signs inside the body with the sending time (Alipay's form notify), which is then rendered anew per attempt.
    /// </summary>
    byte[] Body(CallbackDelivery delivery) => delivery.Body;
}
