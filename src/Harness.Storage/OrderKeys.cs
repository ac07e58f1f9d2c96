using System.Globalization;

namespace Harness.Storage;

/// <summary>
/// Index values that sort as what they stand for (<see cref="IDocumentCollection{T}.Between"/> compares ordinally): a
/// time or a number, fixed width, then, where two documents can share it, the document's id to make it unique.
/// </summary>
public static class OrderKeys
{
    /// <summary>Milliseconds, as the stores keep times: a document read back gives the key it was written with.</summary>
    public static string Time(DateTime at) => Number(at.Ticks / TimeSpan.TicksPerMillisecond);

    public static string Time(DateTime at, string id) => Time(at) + "|" + id;

    public static string Number(long number) => number.ToString("D19", CultureInfo.InvariantCulture);

    public static string Number(long number, string id) => Number(number) + "|" + id;

    /// <summary>The time a <see cref="Time(DateTime)"/> key (with an id or not) stands for.</summary>
    public static DateTime TimeOf(string key) => new(long.Parse(key.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture) * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>A bound above every key of times up to <paramref name="at"/> (inclusive), below every later one.</summary>
    public static string AfterTime(DateTime at) => Time(at.AddMilliseconds(1));
}
