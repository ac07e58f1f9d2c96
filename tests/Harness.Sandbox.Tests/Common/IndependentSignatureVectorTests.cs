using Harness.Conformance.Steps.Providers;
using Harness.Security.Signing;

namespace Harness.Sandbox.Tests.Common;

/// <summary>The spec's test vectors, against both the independent signers (the conformance steps' own) and the shared signing primitives.</summary>
public sealed class IndependentSignatureVectorTests
{
    [Fact]
    public void Stripe_vector_from_the_spec()
    {
        const string expected = "bad9ac117e973d721c232d46744158d75e3f1b44e36771e13d01b9e6a580bc72";
        Assert.Equal(expected, ProviderSignatures.StripeV1("whsec_abc", 1700000000, "{}"));
        Assert.Equal(expected, HmacSignature.Sha256Hex("whsec_abc", "1700000000.{}"));
    }

    [Fact]
    public void Epay_vector_from_the_spec()
    {
        const string expected = "3854cc9f022e0fb821bd2e002260245d";
        KeyValuePair<string, string>[] parameters = [new("money", "moneyv"), new("device", "devicev"), new("sign", "ignored"), new("empty", "")];
        Assert.Equal(expected, ProviderSignatures.EpayMd5(parameters, "1234567"));
        Assert.Equal(expected, SortedParamsMd5.Sign(parameters.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), "1234567"));
        Assert.True(SortedParamsMd5.Verify(parameters.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), "1234567", expected));
        Assert.False(SortedParamsMd5.Verify(parameters.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), "1234567", expected.ToUpperInvariant()));
    }
}
