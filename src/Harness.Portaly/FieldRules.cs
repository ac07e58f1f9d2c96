using System.Text.RegularExpressions;
using Harness.Http;

namespace Harness.Portaly;

/// <summary>Portaly's field rules, in its words; the first problem becomes a <c>details</c> entry of <c>Validation failed</c>.</summary>
public static partial class FieldRules
{
    public static Validator MaxLength(this Validator validator, string? value, string field, int max) =>
        validator.Require(value is null || value.Length <= max, $"{field} must be at most {max} characters");

    public static Validator Required(this Validator validator, string? value, string field) =>
        validator.Require(!string.IsNullOrWhiteSpace(value), $"{field} is required");

    public static Validator OneOf(this Validator validator, string? value, string field, params string[] allowed) =>
        validator.Require(value is null || allowed.Contains(value, StringComparer.Ordinal), $"{field} must be one of: {string.Join(", ", allowed)}");

    public static Validator AbsoluteUrl(this Validator validator, string? value, string field, bool httpsOnly = false) =>
        validator.Require(
            value is null || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (!httpsOnly && uri.Scheme == Uri.UriSchemeHttp))),
            httpsOnly ? $"{field} must be an https:// URL" : $"{field} must be an http:// or https:// URL");

    public static Validator Between(this Validator validator, long? value, string field, long min, long max) =>
        validator.Require(value is null || (value >= min && value <= max), $"{field} must be from {min} to {max}");

    public static Validator Currency(this Validator validator, string? value, string field) =>
        validator.Require(value is null || CurrencyPattern().IsMatch(value), $"{field} must be a 3-letter ISO currency code");

    /// <summary>An address a code can be mailed to: one <c>@</c>, a dotted domain, no spaces, at most 254 characters.</summary>
    public static Validator Email(this Validator validator, string? value, string field) =>
        validator.Require(value is null || IsEmail(value), $"{field} must be an email address");

    public static bool IsEmail(string value) => value.Length <= 254 && EmailPattern().IsMatch(value);

    [GeneratedRegex(@"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex("^[A-Za-z]{3}$")]
    private static partial Regex CurrencyPattern();
}
