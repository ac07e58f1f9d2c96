using System.Text.Encodings.Web;
using Harness.Finance.Consumption;
using Harness.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Harness.Finance;

/// <summary>The Finance surface's body: <c>{"code": 0, "message": "success", "data": ...}</c>.</summary>
public sealed record FinanceResponse<T>(int Code, string Message, T? Data);

/// <summary>
/// Finance's envelope and stable error codes (listed in docs/finance.md): the HTTP status follows the
/// kind of failure, <c>code</c> is the status times 100, so clients can switch on either.
/// </summary>
public sealed class FinanceEnvelope : IErrorEnvelope
{
    public static readonly FinanceEnvelope Instance = new();

    public Type BodyType => typeof(FinanceResponse<object>);

    public static Ok<FinanceResponse<T>> Ok<T>(T data) => TypedResults.Ok(new FinanceResponse<T>(0, "success", data));

    /// <summary>A consume's answer, the hot path's: written in one pass with generated metadata and the host's escaping.</summary>
    public static IResult Ok(ConsumeResult data, JavaScriptEncoder? encoder) =>
        new OnePassJsonResult<FinanceResponse<ConsumeResult>>(new(0, "success", data), FinanceJsonContext.Default.FinanceResponseConsumeResult, encoder);

    public IResult Error(ApiErrorKind kind, string message)
    {
        var status = ApiErrorStatus.Default(kind);
        return TypedResults.Json(new FinanceResponse<object>(status * 100, message, null), statusCode: status);
    }
}
