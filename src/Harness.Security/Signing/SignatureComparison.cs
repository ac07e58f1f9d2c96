using System.Security.Cryptography;
using System.Text;

namespace Harness.Security.Signing;

public static class SignatureComparison
{
    /// <summary>Constant-time, exact comparison of two signature strings.</summary>
    public static bool Equal(string expected, string? actual) =>
        actual is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
