using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Harness.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Mechanisms;

/// <summary>
/// The one-pass body reader refuses with the exceptions the framework's binding throws (which
/// <see cref="ApiErrorMiddleware"/> words), and reads a body however the pipe splits it.
/// </summary>
public sealed class JsonRequestBodyTests
{
    public sealed record Sample(string? Name, long? Count);

    private readonly JsonRequestBody<Sample> _body = new(new ServiceCollection().ConfigureHttpJsonOptions(_ => { }).BuildServiceProvider());

    [Theory]
    [InlineData(4096)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task A_body_split_into_small_blocks_reads_as_one(int blockSize)
    {
        var json = "\uFEFF{\"name\":\"" + new string('n', 40) + "\u00e9\u4e2d\",\"count\":12}";

        var sample = await _body.ReadAsync(Request(Encoding.UTF8.GetBytes(json), "application/json", blockSize));

        Assert.Equal(new Sample(new string('n', 40) + "\u00e9\u4e2d", 12), sample);
    }

    [Theory]
    [InlineData("{\"count\": 1} x", "$")]
    [InlineData("{\"count\": \"many\"}", "$.count")]
    [InlineData("", "$")]
    public async Task Malformed_or_mistyped_json_throws_a_400_around_the_json_error(string json, string path)
    {
        var ex = await Assert.ThrowsAsync<BadHttpRequestException>(() => _body.ReadAsync(Request(Encoding.UTF8.GetBytes(json), "application/json", 3)).AsTask());

        Assert.Equal(StatusCodes.Status400BadRequest, ex.StatusCode);
        Assert.Equal(path, Assert.IsType<JsonException>(ex.InnerException).Path);
    }

    [Fact]
    public async Task Null_or_no_body_is_not_provided()
    {
        var nullBody = await Assert.ThrowsAsync<RequestRejectedException>(() => _body.ReadAsync(Request("null"u8.ToArray(), "application/json", 4096)).AsTask());
        var noBody = await Assert.ThrowsAsync<RequestRejectedException>(() => _body.ReadAsync(Request(null, null, 4096)).AsTask());

        Assert.All([nullBody, noBody], ex =>
        {
            Assert.Equal(ApiErrorKind.Validation, ex.Kind);
            Assert.Equal("request body is required", ex.Message);
        });
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task A_body_that_is_not_declared_json_is_a_415(string? contentType)
    {
        var ex = await Assert.ThrowsAsync<BadHttpRequestException>(() => _body.ReadAsync(Request("{}"u8.ToArray(), contentType, 4096)).AsTask());

        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, ex.StatusCode);
    }

    [Fact]
    public async Task The_whole_body_is_consumed()
    {
        var context = Request("{\"count\":1}"u8.ToArray(), "application/json", 2);

        await _body.ReadAsync(context);

        var rest = await context.Request.BodyReader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.True(rest.IsCompleted);
        Assert.Equal(0, rest.Buffer.Length);
    }

    private static DefaultHttpContext Request(byte[]? body, string? contentType, int blockSize)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(body is not null));
        context.Request.ContentType = contentType;
        if (body is not null)
        {
            context.Features.Set<IRequestBodyPipeFeature>(new BodyPipe(PipeReader.Create(new TrickleStream(body, blockSize), new StreamPipeReaderOptions(bufferSize: blockSize, minimumReadSize: 1))));
        }

        return context;
    }

    private sealed record BodyDetection(bool CanHaveBody) : IHttpRequestBodyDetectionFeature;

    private sealed record BodyPipe(PipeReader Reader) : IRequestBodyPipeFeature;

    /// <summary>Hands out at most a few bytes per read, so the pipe holds the body in many segments.</summary>
    private sealed class TrickleStream(byte[] data, int most) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(most, buffer.Length)], cancellationToken);
    }
}
