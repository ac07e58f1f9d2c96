using System.Text.Json.Nodes;

namespace Harness.Sandbox.TapPay;

/// <summary>
/// Card binding without a charge (providers.md §7.4, optional in §8.6): <c>/tpc/card/bind</c> turns a prime into a
/// <c>card_secret</c> for later Pay by Card Token, <c>/tpc/card/remove</c> forgets it. TapPay checks the card with a
/// one-dollar authorisation it reverses at once; the sandbox asks its simulated bank for the card's answer and
/// leaves no record, as the reversed check leaves nothing to settle.
/// </summary>
internal sealed class TapPayCards(TapPayCharges charges, TapPayCredentials credentials)
{
    public JsonObject Bind(JsonObject body)
    {
        if (body["cardholder"] is not JsonObject cardholder)
        {
            return TapPayErrors.Answer(TapPayStatus.MissingCardholder, "Missing cardholder");
        }

        if (body.Text("prime") is not { } prime)
        {
            return TapPayErrors.Answer(TapPayStatus.MissingPrime, "Missing prime");
        }

        if ((credentials.MerchantRefusal(body) ?? TapPayCharges.CurrencyRefusal(body)) is { } refused)
        {
            return refused;
        }

        if (TapPayCharges.CardholderRefusal(cardholder) is { } incomplete)
        {
            return incomplete;
        }

        if (TapPayTestData.WalletPrefixes.Any(p => prime.StartsWith(p, StringComparison.Ordinal)))
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : prime (a wallet's prime cannot be bound)");
        }

        if (body.Flag("three_domain_secure"))
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : three_domain_secure (the sandbox binds cards without 3-D Secure)");
        }

        var taken = charges.TakePrime(prime);
        if (taken.Refusal is { } refusal)
        {
            return refusal;
        }

        var (number, expiry) = (taken.Number!, taken.Expiry!);
        var (status, msg, bankCode, bankMsg) = TapPayCharges.BankAnswer(TapPayTestData.OutcomeOf(number), byToken: false, threeDSecure: false);
        var answer = TapPayErrors.Answer(status, msg);
        if (status == TapPayStatus.Success)
        {
            answer["card_secret"] = charges.Remember(number, expiry, cardholder);
        }

        answer["card_info"] = TapPayTestData.CardInfo(number, expiry);
        answer["card_identifier"] = TapPayTestData.CardIdentifier(number);
        answer["currency"] = body.Text("currency") ?? "TWD";
        answer["bank_result_code"] = bankCode;
        answer["bank_result_msg"] = bankMsg;
        return answer;
    }

    /// <summary>Forgets a bound or remembered card: later charges by its key and token are 121, as is removing it again.</summary>
    public JsonObject Remove(JsonObject body)
    {
        if (body.Text("card_key") is not { } key || body.Text("card_token") is not { } token)
        {
            return TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : card_key and card_token are required");
        }

        return charges.Forget(key, token)
            ? TapPayErrors.Answer(TapPayStatus.Success, "Success")
            : TapPayErrors.Answer(TapPayStatus.InvalidArguments, "Invalid arguments : card_key or card_token");
    }
}
