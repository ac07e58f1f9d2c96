using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Stripe work that falls due on the sandbox clock (a bank debit's settlement, an uncaptured authorisation's lapse): one
/// record of the sandbox's own per piece of work, of <paramref name="type"/>, kept with the provider's objects so it
/// survives a restart, due at the Unix time in <paramref name="dueField"/> and done once (<paramref name="doneField"/>).
/// A record with a <c>test_clock</c> falls due on that clock instead (<see cref="RunDue"/>'s <c>clockId</c>).
/// </summary>
internal sealed class StripeDueRecords(ProviderObjects objects, string type, string dueField, string doneField)
{
    /// <summary>When the next record on the sandbox clock falls due; null when none is waiting.</summary>
    public DateTimeOffset? NextDueAt() =>
        Waiting(null).Select(r => (long?)r[dueField]!.GetValue<long>()).Min() is { } due ? DateTimeOffset.FromUnixTimeSeconds(due) : null;

    /// <summary>
    /// Marks every record of one clock (null: the sandbox clock) due by <paramref name="now"/> done and runs
    /// <paramref name="work"/> on it, each in a unit of its own.
    /// </summary>
    public void RunDue(long now, Action<JsonObject> work, string? clockId = null)
    {
        foreach (var due in Waiting(clockId).Where(r => r[dueField]!.GetValue<long>() <= now).ToList())
        {
            objects.InTransaction(() =>
            {
                // Read again inside the unit: a clock advance and the scheduler's loop may both have seen it waiting.
                if (objects.Get(due.Str("id")!, type) is { } record && record[doneField]!.GetValue<bool>() is false)
                {
                    record[doneField] = true;
                    objects.Put(record);
                    work(record);
                }
            });
        }
    }

    private IEnumerable<JsonObject> Waiting(string? clockId) =>
        objects.Newest(type).Where(r => r[doneField]!.GetValue<bool>() is false && r.Str("test_clock") == clockId);
}
