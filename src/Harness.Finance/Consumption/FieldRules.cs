namespace Harness.Finance.Consumption;

/// <summary>Field checks shared by Finance requests. Each returns null when the value is fine, else a message naming the field.</summary>
public static class FieldRules
{
    /// <summary>Largest charge or credit of one request; keeps every computation far from overflow.</summary>
    public const long MaxCoins = 1_000_000_000_000;

    /// <summary>1..128 visible ASCII characters (the documented idempotency-key alphabet).</summary>
    public static string? IdempotencyKey(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "idempotencyKey is required";
        }

        if (value.Length > 128 || value.Any(c => c is < '!' or > '~'))
        {
            return "idempotencyKey must be 1 to 128 visible ASCII characters";
        }

        return null;
    }

    /// <summary>Codes and ids: 1..64 of letters, digits and <c>_ - . :</c>.</summary>
    public static string? Identifier(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"{field} is required";
        }

        if (value.Length > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':'))
        {
            return $"{field} must be 1 to 64 characters of letters, digits, '_', '-', '.' or ':'";
        }

        return null;
    }

    public static string? Text(string? value, string field, int maxLength, bool required)
    {
        if (value is null)
        {
            return required ? $"{field} is required" : null;
        }

        if (required && value.Length == 0)
        {
            return $"{field} must not be empty";
        }

        return value.Length > maxLength ? $"{field} must be at most {maxLength} characters" : null;
    }

    /// <summary>Positive whole number up to <paramref name="max"/>.</summary>
    public static string? Positive(long? value, string field, long max)
    {
        if (value is null)
        {
            return $"{field} is required";
        }

        return value is <= 0 ? $"{field} must be greater than 0" : value > max ? $"{field} must be at most {max}" : null;
    }

    /// <summary>Up to 20 entries; keys are identifiers of up to 64 characters, values up to 512.</summary>
    public static string? Metadata(Dictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        if (metadata.Count > 20)
        {
            return "metadata may hold at most 20 entries";
        }

        foreach (var (key, value) in metadata)
        {
            if (key.Length is 0 or > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return $"metadata key '{key}' must be 1 to 64 letters, digits, '_' or '-'";
            }

            if (value is null || value.Length > 512)
            {
                return $"metadata value of '{key}' must be a string of at most 512 characters";
            }
        }

        return null;
    }
}

public static class ConsumeTypes
{
    public const string Token = "TOKEN";
    public const string Duration = "DURATION";
    public const string Fixed = "FIXED";

    public static string? Validate(string? value) => value switch
    {
        null or "" => "consumeType is required",
        Token or Duration or Fixed => null,
        _ => $"consumeType must be one of TOKEN, DURATION, FIXED (got '{value}')",
    };
}
