using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Harness.Http;

/// <summary>
/// A JSON answer written in one synchronous pass into the response's own buffer, then flushed once.
/// ASP.NET Core's JSON results serialize through the resumable writer (<c>SerializeAsync</c>), which
/// allocates a stack of frames and a writer per answer; on a hot route whose answer is small and whose
/// metadata is source-generated, that is a tenth of the request's garbage.
/// The bytes on the wire are the same.
/// </summary>
/// <param name="value">The answer.</param>
/// <param name="typeInfo">Its (source-generated) metadata.</param>
/// <param name="encoder">
/// The host's escaping (its <c>JsonOptions</c> encoder), since escaping is the writer's, not the
/// metadata's. The caller hands it over once resolved: looking it up in <c>RequestServices</c> would
/// create a service scope for every request.
/// </param>
/// <param name="statusCode">The HTTP status, 200 unless given.</param>
public sealed class OnePassJsonResult<T>(T value, JsonTypeInfo<T> typeInfo, JavaScriptEncoder? encoder, int statusCode = StatusCodes.Status200OK) : IResult
{
    // Where an idle writer points, so it keeps nothing of the last answer alive.
    private static readonly ArrayBufferWriter<byte> Idle = new(1);

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        Write(response);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    // Apart from the await, so the thread-static writer is used and reset on one thread.
    private void Write(HttpResponse response)
    {
        var writer = t_writer;
        if (writer is null || writer.Options.Encoder != encoder)
        {
            writer = t_writer = new Utf8JsonWriter(Idle, new JsonWriterOptions { Encoder = encoder, SkipValidation = true });
        }

        writer.Reset(response.BodyWriter);
        try
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        finally
        {
            writer.Reset(Idle);
        }
    }
}
