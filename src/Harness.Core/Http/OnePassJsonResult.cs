using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Harness.Core.Http;

/// <summary>
/// A JSON answer written in one synchronous pass into the response's own buffer, then flushed once.
/// ASP.NET Core's JSON results serialize through the resumable writer (<c>SerializeAsync</c>), which
/// allocates a stack of frames and a writer per answer; on a hot route whose answer is small and whose
/// metadata is source-generated, that is a tenth of the request's garbage (docs/performance.md, round 7).
/// The bytes on the wire are the same.
/// </summary>
public sealed class OnePassJsonResult<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK) : IResult
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

        // Escaping is the writer's, not the metadata's: take the host's, as its own JSON results do.
        var encoder = httpContext.RequestServices.GetService<IOptions<JsonOptions>>()?.Value.SerializerOptions.Encoder;
        Write(response, encoder);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    // Apart from the await, so the thread-static writer is used and reset on one thread.
    private void Write(HttpResponse response, JavaScriptEncoder? encoder)
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
