using System.Text.Json;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>Instalments: <c>instalment</c> on a payment, and the split the answer and the record report (<c>instalment_info</c>).</summary>
public sealed partial class TapPaySteps
{
    [When("the merchant pays {int} in {int} instalments with the test prime")]
    public async Task PayInInstalments(int amount, int count)
    {
        var body = await PaymentAsync(TestPrime, amount);
        body["instalment"] = count;
        await PayAsync(body);
    }

    [Then("the answer splits the charge into {int} payments, the first {int} and each after {int}")]
    public void AnswerSplit(int count, int first, int each) => CheckSplit(ApiReply.Field(ThePayment, "instalment_info"), count, first, each, "the answer");

    [Then("the record query shows the trade paid by instalment with the same split")]
    public async Task RecordSplit()
    {
        var record = await RecordAsync();
        Check.Equal(JsonValueKind.True, ApiReply.Field(record, "pay_by_instalment").ValueKind, "pay_by_instalment");
        var answered = ApiReply.Field(ThePayment, "instalment_info");
        CheckSplit(
            ApiReply.Field(record, "instalment_info"),
            ApiReply.Field(answered, "number_of_instalments").GetInt32(),
            ApiReply.Field(answered, "first_payment").GetInt32(),
            ApiReply.Field(answered, "each_payment").GetInt32(),
            "the record");
    }

    private static void CheckSplit(JsonElement split, int count, int first, int each, string where)
    {
        Check.Equal(count, ApiReply.Field(split, "number_of_instalments").GetInt32(), $"{where}'s instalment_info.number_of_instalments");
        Check.Equal(first, ApiReply.Field(split, "first_payment").GetInt32(), $"{where}'s instalment_info.first_payment");
        Check.Equal(each, ApiReply.Field(split, "each_payment").GetInt32(), $"{where}'s instalment_info.each_payment");
    }
}
