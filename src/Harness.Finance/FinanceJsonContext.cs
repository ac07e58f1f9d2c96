using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Finance.Consumption;

namespace Harness.Finance;

/// <summary>
/// Source-generated writers for the Finance answers on the consume hot path, with the host's JSON
/// settings (web defaults, strict numbers, nulls written), so <see cref="Harness.Http.OnePassJsonResult{T}"/>
/// writes the same bytes ASP.NET Core would, in one pass.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(FinanceResponse<ConsumeResult>))]
internal sealed partial class FinanceJsonContext : JsonSerializerContext;
