using System.Globalization;
using Harness.NewApi.Quota;

namespace Harness.NewApi.TopUp;

/// <summary>
/// Upstream's hardened top-up checks (new-api.md §5.3), at order time: an order whose quota the user's balance could not
/// take is refused before anything is paid, since a paid order that cannot be credited would stay pending for good.
/// </summary>
public static class TopUpLimits
{
    public const string Unrepresentable = "充值额度超出系统可表示范围";

    /// <summary>The largest Epay amount whose quota (× 500,000) fits a balance: upstream's <c>getMaxTopUpAmount</c>.</summary>
    public const long MaxEpayAmount = QuotaAccounts.MaxQuota / QuotaAccounts.PerUnit;

    /// <summary>The refusal of an amount above <paramref name="max"/>, in the units the request uses.</summary>
    public static string TooMany(long max) => "单笔充值数量不能大于 " + max.ToString(CultureInfo.InvariantCulture);

    /// <summary>Upstream's <c>ValidateTopUpQuotaCapacity</c>: null when <paramref name="credit"/> still fits the user's balance.</summary>
    public static string? Capacity(QuotaAccounts quota, int userId, decimal credit) =>
        credit <= QuotaAccounts.MaxQuota - quota.QuotaOf(userId) ? null : Unrepresentable;
}
