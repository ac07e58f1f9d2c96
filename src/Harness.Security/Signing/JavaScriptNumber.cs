using System.Globalization;

namespace Harness.Security.Signing;

/// <summary>
/// ECMAScript Number::toString for a finite double, as JSON.stringify writes numbers: the shortest round-trip
/// digits (the digits .NET's "R" gives), positional for 1e-7 ≤ |x| &lt; 1e21, otherwise like <c>1.5e+21</c>.
/// </summary>
internal static class JavaScriptNumber
{
    public static string Format(double value)
    {
        if (value == 0)
        {
            return "0"; // also -0
        }

        // Bring "R"'s output ("123.45", "0.001", "1.5E-07") to ECMAScript's terms: value = 0.digits × 10^n.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? shortest : shortest[..e];
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var allDigits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var digits = allDigits.TrimStart('0');
        var n = (point < 0 ? mantissa.Length : point) + (e < 0 ? 0 : int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture))
            - (allDigits.Length - digits.Length);
        digits = digits.TrimEnd('0');
        var k = digits.Length;

        var text = n >= k && n <= 21 ? digits + new string('0', n - k)
            : n > 0 && n <= 21 ? digits[..n] + "." + digits[n..]
            : n > -6 && n <= 0 ? "0." + new string('0', -n) + digits
            : (k == 1 ? digits : digits[..1] + "." + digits[1..]) + (n - 1 < 0 ? "e-" : "e+") + Math.Abs(n - 1);
        return value < 0 ? "-" + text : text;
    }
}
