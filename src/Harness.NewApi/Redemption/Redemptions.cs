using System.Globalization;
using System.Text.Json.Serialization;
using Harness.Ledger;
using Harness.NewApi.Quota;
using Harness.Storage;
using Microsoft.Extensions.Options;

namespace Harness.NewApi.Redemption;

/// <summary>A redemption code as stored, and as upstream answers it (snake_case, <c>DeletedAt</c> as Go names it).</summary>
public sealed class RedemptionCode : IDocument
{
    [JsonIgnore]
    public string Id { get; set; } = "";

    [JsonPropertyName("id")]
    public int Number { get; set; }

    /// <summary>The admin who created it.</summary>
    [JsonPropertyName("user_id")]
    public int UserId { get; set; }

    /// <summary>32 lowercase hex characters (a UUIDv4 without dashes), as upstream.</summary>
    [JsonPropertyName("key")]
    public string Key { get; set; } = "";

    /// <summary>1 enabled (unused), 2 disabled, 3 used.</summary>
    [JsonPropertyName("status")]
    public int Status { get; set; } = 1;

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("quota")]
    public long Quota { get; set; }

    [JsonPropertyName("created_time")]
    public long CreatedTime { get; set; }

    [JsonPropertyName("redeemed_time")]
    public long RedeemedTime { get; set; }

    [JsonPropertyName("used_user_id")]
    public int UsedUserId { get; set; }

    /// <summary>Unix seconds; 0 never expires.</summary>
    [JsonPropertyName("expired_time")]
    public long ExpiredTime { get; set; }

    /// <summary>Soft delete: deleted codes are neither listed nor redeemable.</summary>
    [JsonPropertyName("DeletedAt")]
    public DateTime? DeletedAt { get; set; }

    /// <summary>The user whose credit for this code was started; cleared once the code is marked used (crash repair).</summary>
    [JsonIgnore]
    public int RedeemingUserId { get; set; }
}

public enum RedeemRefusal
{
    None,
    Processing,
    NoKey,
    Failed,
}

public sealed record RedeemOutcome(long Quota, RedeemRefusal Refusal);

/// <summary>
/// Redemption codes: batch creation, admin reads and updates, soft deletes, and redeeming. A redeem credits the
/// user's quota through the ledger exactly once, whoever races for the code: the code's own lock serialises the
/// check and the credit (upstream's row lock is a hint GORM v2 ignores, so two users could both redeem one code).
/// </summary>
public sealed class Redemptions
{
    public const string LedgerKind = "redeem";

    private readonly IDocumentCollection<RedemptionCode> _codes;
    private readonly QuotaAccounts _quota;
    private readonly IKeyedLock _locks;
    private readonly TimeProvider _clock;
    private readonly IOptions<NewApiOptions> _options;
    private readonly object _numbering = new();
    private int _lastNumber;

    public Redemptions(IDocumentStore store, QuotaAccounts quota, IKeyedLock locks, TimeProvider clock, IOptions<NewApiOptions> options)
    {
        _codes = store.Collection<RedemptionCode>("newapi_redemptions", nameof(RedemptionCode.Key));
        _quota = quota;
        _locks = locks;
        _clock = clock;
        _options = options;
        _lastNumber = _codes.All().Select(c => c.Number).DefaultIfEmpty(0).Max();
    }

    private long Now => _clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Creates <paramref name="count"/> codes; the request was validated. Upstream's column defaults apply: quota 0 is stored as 100.</summary>
    public IReadOnlyList<string> Create(int adminId, string name, long quota, int count, long expiredTime)
    {
        var keys = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var code = new RedemptionCode
            {
                Number = NextNumber(),
                UserId = adminId,
                Key = Guid.NewGuid().ToString("N"),
                Name = name,
                Quota = quota == 0 ? 100 : quota,
                CreatedTime = Now,
                ExpiredTime = expiredTime,
            };
            code.Id = code.Number.ToString(CultureInfo.InvariantCulture);
            _codes.Upsert(code);
            keys.Add(code.Key);
        }

        return keys;
    }

    /// <summary>Every code not deleted, newest first.</summary>
    public IReadOnlyList<RedemptionCode> List() => [.. Live().OrderByDescending(c => c.Number)];

    /// <summary>Upstream's search: an integer keyword matches the id or a name prefix; anything else a name prefix; empty matches all.</summary>
    public IReadOnlyList<RedemptionCode> Search(string keyword)
    {
        var isNumber = int.TryParse(keyword, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number);
        return [.. Live().Where(c => c.Name.StartsWith(keyword, StringComparison.Ordinal) || (isNumber && c.Number == number)).OrderByDescending(c => c.Number)];
    }

    public RedemptionCode? Get(int number) => _codes.Get(number.ToString(CultureInfo.InvariantCulture)) is { DeletedAt: null } code ? code : null;

    /// <summary>
    /// Upstream's update: with <paramref name="statusOnly"/> only the status is copied (any integer); otherwise name,
    /// quota and expiry, not the status. Null when there is no such code.
    /// </summary>
    public async Task<RedemptionCode?> UpdateAsync(int number, bool statusOnly, int status, string name, long quota, long expiredTime, CancellationToken cancellationToken)
    {
        if (Get(number) is not { } found)
        {
            return null;
        }

        using (await _locks.AcquireAsync(LockKey(found.Key), cancellationToken))
        {
            var code = Get(number)!;
            if (statusOnly)
            {
                code.Status = status;
            }
            else
            {
                code.Name = name;
                code.Quota = quota;
                code.ExpiredTime = expiredTime;
            }

            _codes.Upsert(code);
            return code;
        }
    }

    public async Task<bool> DeleteAsync(int number, CancellationToken cancellationToken)
    {
        if (Get(number) is not { } found)
        {
            return false;
        }

        using (await _locks.AcquireAsync(LockKey(found.Key), cancellationToken))
        {
            var code = Get(number)!;
            code.DeletedAt = _clock.GetUtcNow().UtcDateTime;
            _codes.Upsert(code);
            return true;
        }
    }

    /// <summary>Soft-deletes every disabled, used, or expired unused code; the number deleted.</summary>
    public async Task<int> DeleteInvalidAsync(CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var candidate in Live().Where(Invalid).ToList())
        {
            using (await _locks.AcquireAsync(LockKey(candidate.Key), cancellationToken))
            {
                if (Get(candidate.Number) is { } code && Invalid(code))
                {
                    code.DeletedAt = _clock.GetUtcNow().UtcDateTime;
                    _codes.Upsert(code);
                    deleted++;
                }
            }
        }

        return deleted;
    }

    /// <summary>
    /// Redeems <paramref name="key"/> for the user. One redeem per user at a time (another is told "processing"), then
    /// upstream's random pause, then the code's lock: an unknown, used, disabled or expired code fails with one message.
    /// </summary>
    public async Task<RedeemOutcome> RedeemAsync(int userId, string? key, CancellationToken cancellationToken)
    {
        using var userLock = _locks.TryAcquire(UserLockKey(userId));
        if (userLock is null)
        {
            return new RedeemOutcome(0, RedeemRefusal.Processing);
        }

        if (string.IsNullOrEmpty(key))
        {
            return new RedeemOutcome(0, RedeemRefusal.NoKey);
        }

        var (min, max) = (_options.Value.RedeemDelayMinMilliseconds, _options.Value.RedeemDelayMaxMilliseconds);
        if (max > 0)
        {
            await Task.Delay(Random.Shared.Next(Math.Clamp(min, 0, max), max + 1), cancellationToken);
        }

        using (await _locks.AcquireAsync(LockKey(key), cancellationToken))
        {
            return await RedeemLockedAsync(userId, key, cancellationToken);
        }
    }

    private async Task<RedeemOutcome> RedeemLockedAsync(int userId, string key, CancellationToken cancellationToken)
    {
        if (_codes.FindBy(nameof(RedemptionCode.Key), key).FirstOrDefault(c => c.DeletedAt is null) is not { } code)
        {
            return new RedeemOutcome(0, RedeemRefusal.Failed);
        }

        // A credit started before a crash: if it reached the ledger the code is used, whoever asks now.
        if (code.RedeemingUserId != 0 && _quota.Find(code.RedeemingUserId, LedgerKind, Reference(code)) is { } earlier)
        {
            MarkUsed(code, code.RedeemingUserId, earlier.CreatedAt);
        }

        if (code.Status != 1 || (code.ExpiredTime != 0 && code.ExpiredTime < Now))
        {
            return new RedeemOutcome(0, RedeemRefusal.Failed);
        }

        code.RedeemingUserId = userId;
        _codes.Upsert(code);
        var outcome = await _quota.CreditAsync(
            userId, code.Quota, LedgerKind, "newapi:redeem", code.Key, userId.ToString(CultureInfo.InvariantCulture), Reference(code), cancellationToken);
        if (outcome.Status is not (LedgerStatus.Applied or LedgerStatus.Replayed))
        {
            code.RedeemingUserId = 0;
            _codes.Upsert(code);
            return new RedeemOutcome(0, RedeemRefusal.Failed);
        }

        MarkUsed(code, userId, outcome.Entry!.CreatedAt);
        return new RedeemOutcome(code.Quota, RedeemRefusal.None);
    }

    private void MarkUsed(RedemptionCode code, int userId, DateTime at)
    {
        code.Status = 3;
        code.UsedUserId = userId;
        code.RedeemedTime = new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)).ToUnixTimeSeconds();
        code.RedeemingUserId = 0;
        _codes.Upsert(code);
    }

    private bool Invalid(RedemptionCode code) => code.Status is 2 or 3 || (code.Status == 1 && code.ExpiredTime != 0 && code.ExpiredTime < Now);

    private IEnumerable<RedemptionCode> Live() => _codes.All().Where(c => c.DeletedAt is null);

    private int NextNumber()
    {
        lock (_numbering)
        {
            return ++_lastNumber;
        }
    }

    private static string Reference(RedemptionCode code) => "redemption:" + code.Number.ToString(CultureInfo.InvariantCulture);

    private static string LockKey(string key) => "newapi:redemption:" + key;

    private static string UserLockKey(int userId) => "newapi:redeem-user:" + userId.ToString(CultureInfo.InvariantCulture);
}
