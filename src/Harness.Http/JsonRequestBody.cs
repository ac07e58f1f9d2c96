using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Harness.Http;

/// <summary>
/// Reads a hot route's JSON body in one pass: the whole body from the request pipe, then one
/// synchronous deserialization of those bytes, then the body's validation rules. Kept for the
/// consume routes only, where it was measured: minimal APIs' body binding reads through the resumable
/// path (<c>DeserializeAsync</c> over a stream adapter), which allocates its state and buffers per
/// request (figures in docs/performance.md).
/// <para>
/// It refuses what that binding refuses, so <see cref="ApiErrorMiddleware"/> words every refusal
/// alike: no body or <c>null</c>, a non-JSON content type, malformed or mistyped JSON, a body over the
/// server's limit. The host's JSON settings apply (the same metadata the binding would use).
/// </para>
/// </summary>
public sealed class JsonRequestBody<T>
    where T : class
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly Action<T, Validator>? _rules;

    /// <summary>The reader for <typeparamref name="T"/> with the host's JSON settings; make it once, when mapping.</summary>
    /// <param name="services">The app's services, for its JSON settings.</param>
    /// <param name="rules">The body's validation rules, run as it is read; the first problem is refused (400).</param>
    public JsonRequestBody(IServiceProvider services, Action<T, Validator>? rules = null)
    {
        _typeInfo = (JsonTypeInfo<T>)services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.GetTypeInfo(typeof(T));
        _rules = rules;
    }

    /// <summary>The body as <typeparamref name="T"/>; a missing or unreadable body throws what the framework's binding throws.</summary>
    public async ValueTask<T> ReadAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true)
        {
            throw NotProvided();
        }

        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            throw new BadHttpRequestException($"Expected a supported JSON media type but got \"{request.ContentType}\".", StatusCodes.Status415UnsupportedMediaType);
        }

        var reader = request.BodyReader;
        ReadResult read;
        try
        {
            // The server's body-size limit applies while reading: past it, this throws its 413.
            while (!(read = await reader.ReadAsync(context.RequestAborted)).IsCompleted)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (IOException ex) when (context.RequestAborted.IsCancellationRequested)
        {
            throw new OperationCanceledException("The client went away while sending the body.", ex, context.RequestAborted);
        }

        T body;
        try
        {
            body = Deserialize(read.Buffer) ?? throw NotProvided();
        }
        catch (JsonException ex)
        {
            throw new BadHttpRequestException($"Failed to read the request body as {typeof(T).Name} JSON.", StatusCodes.Status400BadRequest, ex);
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }

        if (_rules is not null)
        {
            var validator = new Validator();
            _rules(body, validator);
            if (validator.Problem is { } problem)
            {
                throw new RequestRejectedException(ApiErrorKind.Validation, problem);
            }
        }

        return body;
    }

    private T? Deserialize(ReadOnlySequence<byte> body)
    {
        if (body.IsSingleSegment)
        {
            return Deserialize(body.FirstSpan);
        }

        // A body that straddles the pipe's blocks is copied once, into a pooled array.
        var length = checked((int)body.Length);
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(copy);
            return Deserialize(copy.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    // The stream reader the framework uses skips a UTF-8 byte-order mark; the span reader does not.
    private T? Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json.StartsWith(Utf8Bom) ? json[Utf8Bom.Length..] : json, _typeInfo);

    private static RequestRejectedException NotProvided() => new(ApiErrorKind.Validation, ApiErrorMessages.BodyRequired);
}
