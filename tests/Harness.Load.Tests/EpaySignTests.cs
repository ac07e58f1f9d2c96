using Harness.Load.Sandbox;

namespace Harness.Load.Tests;

public sealed class EpaySignTests
{
    [Fact]
    public void The_sign_matches_go_epays_test_vector()
    {
        Assert.Equal("3854cc9f022e0fb821bd2e002260245d", EpaySign.Of([new("money", "moneyv"), new("device", "devicev")], "1234567"));
    }

    [Fact]
    public void Empty_values_sign_and_sign_type_are_left_out()
    {
        var plain = EpaySign.Of([new("device", "devicev"), new("money", "moneyv")], "1234567");

        Assert.Equal(plain, EpaySign.Of([new("money", "moneyv"), new("param", ""), new("sign", "x"), new("sign_type", "MD5"), new("device", "devicev")], "1234567"));
    }
}
