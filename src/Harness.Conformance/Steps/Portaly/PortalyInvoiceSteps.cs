using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Portaly;

/// <summary>
/// Invoice records in the last <c>GET /invoices</c> answer, found by their <c>checkoutSessionId</c>: the list holds
/// every record of the key's profile and mode, so other scenarios' records may sit between the scenario's own.
/// </summary>
[Steps]
public sealed class PortalyInvoiceSteps(ScenarioContext context)
{
    private readonly PortalyWorld _world = context.Get<PortalyWorld>();
    private readonly PortalySteps _steps = context.Get<PortalySteps>();

    [Then("the answer lists {int} invoice record(s) of checkout session {string}")]
    public void Count(int count, string label)
    {
        var records = Of(label);
        Check.Equal(count, records.Count, $"invoice records of {_world.Session(label).Id} in {_world.Last.Body}");
    }

    [Then("the answer's invoice record of checkout session {string} has:")]
    public void Has(string label, StepTable expected)
    {
        var records = Of(label);
        Check.Equal(1, records.Count, $"invoice records of {_world.Session(label).Id} in {_world.Last.Body}");
        _steps.Has(records[0], expected, $"the invoice record of {label}");
    }

    private List<JsonElement> Of(string label)
    {
        var id = _world.Session(label).Id;
        var data = _world.Last.Data;
        Check.That(data.ValueKind == JsonValueKind.Array, $"\"data\" of GET /invoices is a list: {_world.Last.Body}");
        return [.. data.EnumerateArray().Where(r => PortalyWorld.Text(r, "checkoutSessionId") == id)];
    }
}
