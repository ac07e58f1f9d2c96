using System.Net;
using System.Net.Http.Headers;
using Harness.Portaly.Plans;

namespace Harness.Tests.Portaly;

public sealed class ImageTests : IAsyncLifetime
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];
    private readonly PortalyTestApp _app = new();

    [Fact]
    public async Task A_logo_upload_sets_merchantLogo_and_the_image_is_served_at_its_url()
    {
        var reply = await Upload(_app.Test(), "/config/images", Png, "logo.png");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var url = reply.Data["file"]!["publicURL"]!.GetValue<string>();
        Assert.Equal(url, reply.Data["merchantLogo"]!.GetValue<string>());
        Assert.Equal(url, reply.Data["creatorSubscriptionConfig"]!["merchantLogo"]!.GetValue<string>());
        Assert.Equal(url, (await _app.Live().Get("/config")).Data["merchantLogo"]!.GetValue<string>());
        using var served = await _app.Anonymous().GetAsync(new Uri(url).PathAndQuery, TestContext.Current.CancellationToken);
        Assert.Equal("image/png", served.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Png, await served.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_plan_image_upload_sets_imageUrl()
    {
        var planId = await _app.Test().CreatePlan();

        var reply = await Upload(_app.Live(), $"/plans/{planId}/images", Png, "plan.png");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(reply.Data["image"]!.GetValue<string>(), reply.Data["plan"]!["imageUrl"]!.GetValue<string>());
        Assert.Equal(reply.Data["image"]!.GetValue<string>(), (await _app.Test().Get("/plans/" + planId)).Data["imageUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task What_is_not_an_image_is_refused()
    {
        var text = await Upload(_app.Test(), "/config/images", "<svg onload=x()>"u8.ToArray(), "logo.png");
        var none = await Upload(_app.Test(), "/config/images", null, null);
        var json = await _app.Test().Post("/config/images", new { file = "x" });

        Assert.Equal((HttpStatusCode.BadRequest, "file must be a JPEG, PNG, WebP or GIF image"), (text.Status, text.Detail));
        Assert.Equal((HttpStatusCode.BadRequest, "file is required"), (none.Status, none.Detail));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), (json.Status, json.Code));
    }

    [Theory]
    [InlineData("xyz", "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\u0089PNG")]
    [InlineData("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "--xyz\r\n")]
    public async Task A_multipart_body_cut_short_or_with_a_boundary_past_the_limit_is_malformed_not_a_500(string boundary, string body)
    {
        using var content = new ByteArrayContent(System.Text.Encoding.Latin1.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=" + boundary);

        var reply = await Reply.Of(_app.Test().PostAsync(PortalyHttp.Base + "/config/images", content, TestContext.Current.CancellationToken));

        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR", "the multipart body is malformed"), (reply.Status, reply.Code, reply.Detail));
    }

    [Fact]
    public async Task A_plan_image_needs_a_plan_of_the_key_s_profile()
    {
        var planId = await _app.Test().CreatePlan();
        var other = (await _app.Admin().Post("/api-keys", new { profileId = "shop-2" })).Data["secret"]!.GetValue<string>();

        var foreign = await Upload(_app.With(other), $"/plans/{planId}/images", Png, "x.png");
        var unknown = await Upload(_app.Test(), "/plans/plan_missing/images", Png, "x.png");

        Assert.Equal((HttpStatusCode.Forbidden, PlanApi.NotAllowed), (foreign.Status, foreign.Error));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
    }

    [Theory]
    [InlineData("img_000000000000000000000000.png")]
    [InlineData("..%2Fportaly.db")]
    public async Task An_unknown_file_is_404(string id)
    {
        var reply = await Reply.Of(_app.Anonymous().GetAsync("/files/" + id, TestContext.Current.CancellationToken));

        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), (reply.Status, reply.Code));
    }

    private static Task<Reply> Upload(HttpClient http, string path, byte[]? content, string? name)
    {
        var form = new MultipartFormDataContent();
        if (content is not null)
        {
            var file = new ByteArrayContent(content);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "file", name!);
        }
        else
        {
            form.Add(new StringContent("only a name"), "filename");
        }

        return Reply.Of(http.PostAsync(PortalyHttp.Base + path, form));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
