using Io.Cucumber.Messages.Types;

namespace Harness.Conformance.Binding;

/// <summary>A step's data table: the first row is the header, unless the table is read as key/value pairs.</summary>
public sealed class StepTable(PickleTable table)
{
    public IReadOnlyList<IReadOnlyList<string>> Raw { get; } = [.. table.Rows.Select(r => (IReadOnlyList<string>)[.. r.Cells.Select(c => c.Value)])];

    public IReadOnlyList<string> Header => Raw.Count > 0 ? Raw[0] : [];

    /// <summary>Rows after the header, each as column → cell.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Rows =>
        [.. Raw.Skip(1).Select(r => (IReadOnlyDictionary<string, string>)Header.Zip(r).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))];

    /// <summary>A two-column table read as field → value (no header).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs =>
        Raw.All(r => r.Count == 2)
            ? [.. Raw.Select(r => new KeyValuePair<string, string>(r[0], r[1]))]
            : throw new FormatException("Expected a table of two columns: field | value.");
}
