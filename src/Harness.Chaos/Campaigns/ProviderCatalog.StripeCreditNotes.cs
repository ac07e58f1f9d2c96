namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's credit note routes; the invoice a note names is made up, so the fuzzer meets the refusals.</summary>
    private static Operation[] StripeCreditNoteOperations() =>
    [
        new("POST", "/v1/credit_notes", [], Form(("invoice", "in_chaos"), ("amount", "500"), ("credit_amount", "500"), ("reason", "order_change"), ("memo", "Chaos"),
            ("lines[0][type]", "custom_line_item"), ("lines[0][description]", "Chaos"), ("lines[0][quantity]", "1"), ("lines[0][unit_amount]", "500"), ("metadata[label]", "chaos")), Answers),
        new("GET", "/v1/credit_notes", [new("invoice", "query", "string"), new("customer", "query", "string"), new("limit", "query", "integer"), new("starting_after", "query", "string")],
            null, Answers),
        new("GET", "/v1/credit_notes/preview", [new("invoice", "query", "string"), new("amount", "query", "integer"), new("refund_amount", "query", "integer")], null, Answers),
        new("GET", "/v1/credit_notes/preview/lines", [new("invoice", "query", "string"), new("amount", "query", "integer"), new("limit", "query", "integer")], null, Answers),
        new("GET", "/v1/credit_notes/{id}", [Id], null, Answers),
        new("POST", "/v1/credit_notes/{id}", [Id], Form(("memo", "Chaos v2"), ("metadata[label]", "chaos")), Answers),
        new("GET", "/v1/credit_notes/{id}/lines", [Id, new("limit", "query", "integer")], null, Answers),
        new("POST", "/v1/credit_notes/{id}/void", [Id], Form(("expand[0]", "invoice")), Answers),
    ];
}
