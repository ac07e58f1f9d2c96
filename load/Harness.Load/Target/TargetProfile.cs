using System.Text.Json;

namespace Harness.Load.Target;

/// <summary>
/// Credentials for a target the runner did not start, in the same JSON the conformance suite reads:
/// <c>baseUrl</c>, <c>userJwt</c>, <c>userId</c>, <c>adminJwt</c>, <c>adminId</c>, <c>financeApiKey</c>.
/// </summary>
public sealed record TargetProfile(string? BaseUrl, string? UserJwt, string? UserId, string? AdminJwt, string? AdminId, string? FinanceApiKey)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static TargetProfile Load(string path) =>
        JsonSerializer.Deserialize<TargetProfile>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path} does not hold a profile object.");
}
