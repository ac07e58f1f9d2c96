using System.Globalization;

namespace Harness.Storage;

/// <summary>
/// Index values that sort as what they stand for (<see cref="IDocumentCollection{T}.Between"/> compares ordinally) and
/// are unique: a time or a number, fixed width, then the document's id.
/// </summary>
public static class OrderKeys
{
    /// <summary>Milliseconds, as the stores keep times: a document read back gives the key it was written with.</summary>
    public static string Time(DateTime at, string id) => Number(at.Ticks / TimeSpan.TicksPerMillisecond, id);

    public static string Number(long number, string id) => number.ToString("D19", CultureInfo.InvariantCulture) + "|" + id;

    /// <summary>The time a <see cref="Time"/> key stands for.</summary>
    public static DateTime TimeOf(string key) => new(long.Parse(key.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture) * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>A bound above every key of times up to <paramref name="at"/> (inclusive), below every later one.</summary>
    public static string AfterTime(DateTime at) => ((at.Ticks / TimeSpan.TicksPerMillisecond) + 1).ToString("D19", CultureInfo.InvariantCulture);
}
