using Harness.Finance.Consumption;
using Harness.Http;

namespace Harness.Finance;

/// <summary>
/// The Finance surface's field rules, worded as its clients see them. Each records its problem on the
/// validator unless an earlier field already failed, so a request is refused for its first bad field.
/// </summary>
public static class FieldRules
{
    /// <summary>Largest charge or credit of one request; keeps every computation far from overflow.</summary>
    public const long MaxCoins = 1_000_000_000_000;

    /// <summary>1..128 visible ASCII characters (the documented idempotency-key alphabet).</summary>
    public static Validator IdempotencyKey(this Validator validator, string? value) => validator.Check(
        string.IsNullOrEmpty(value) ? "idempotencyKey is required"
        : value.Length > 128 || value.Any(c => c is < '!' or > '~') ? "idempotencyKey must be 1 to 128 visible ASCII characters"
        : null);

    /// <summary>Codes and ids: 1..64 of letters, digits and <c>_ - . :</c>.</summary>
    public static Validator Identifier(this Validator validator, string? value, string field) => validator.Check(
        string.IsNullOrEmpty(value) ? $"{field} is required"
        : value.Length > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':')
            ? $"{field} must be 1 to 64 characters of letters, digits, '_', '-', '.' or ':'"
        : null);

    /// <summary>An identifier when given; nothing when absent.</summary>
    public static Validator OptionalIdentifier(this Validator validator, string? value, string field) =>
        value is null ? validator : validator.Identifier(value, field);

    public static Validator Text(this Validator validator, string? value, string field, int maxLength, bool required) => validator.Check(
        value is null ? (required ? $"{field} is required" : null)
        : required && value.Length == 0 ? $"{field} must not be empty"
        : value.Length > maxLength ? $"{field} must be at most {maxLength} characters"
        : null);

    /// <summary>Positive whole number up to <paramref name="max"/>.</summary>
    public static Validator Positive(this Validator validator, long? value, string field, long max) => validator.Check(
        value is null ? $"{field} is required"
        : value <= 0 ? $"{field} must be greater than 0"
        : value > max ? $"{field} must be at most {max}"
        : null);

    /// <summary>A field the request's type does not take.</summary>
    public static Validator Absent(this Validator validator, object? value, string field, string consumeType) =>
        validator.Check(value is null ? null : $"{field} is not allowed for consumeType {consumeType}");

    /// <summary>TOKEN, DURATION or FIXED.</summary>
    public static Validator ConsumeType(this Validator validator, string? value) => validator.Check(value switch
    {
        null or "" => "consumeType is required",
        ConsumeTypes.Token or ConsumeTypes.Duration or ConsumeTypes.Fixed => null,
        _ => $"consumeType must be one of TOKEN, DURATION, FIXED (got '{value}')",
    });

    /// <summary>Up to 20 entries; keys are identifiers of up to 64 characters, values up to 512.</summary>
    public static Validator Metadata(this Validator validator, Dictionary<string, string>? metadata)
    {
        if (metadata is null || !validator.IsValid)
        {
            return validator;
        }

        if (metadata.Count > 20)
        {
            return validator.Check("metadata may hold at most 20 entries");
        }

        foreach (var (key, value) in metadata)
        {
            if (key.Length is 0 or > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return validator.Check($"metadata key '{key}' must be 1 to 64 letters, digits, '_' or '-'");
            }

            if (value is null || value.Length > 512)
            {
                return validator.Check($"metadata value of '{key}' must be a string of at most 512 characters");
            }
        }

        return validator;
    }
}
