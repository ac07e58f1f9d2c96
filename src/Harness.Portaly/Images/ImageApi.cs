using Harness.Portaly.Auth;
using Harness.Portaly.Config;
using Harness.Portaly.HostedCheckout;
using Harness.Portaly.Plans;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.Images;

public sealed record LogoUploaded(string MerchantLogo, StoredFile File, MerchantConfigView CreatorSubscriptionConfig);

public sealed record PlanImageUploaded(string Image, StoredFile File, Plan Plan);

/// <summary>
/// Image uploads (multipart: <c>file</c>, jpeg/png/webp/gif up to 8 MB; <c>filename</c> is accepted and not used:
/// the stored name is a random id) and the open route that serves them.
/// </summary>
public static class ImageApi
{
    public const string FilesPath = "/files";

    public static void MapImages(this WebApplication app, RouteGroupBuilder api)
    {
        var uploads = api.MapGroup("").RequireApiKey().WithMetadata(new UploadLimit()).WithTags("Images");
        uploads.MapPost("/config/images", UploadLogo);
        uploads.MapPost("/plans/{planId}/images", UploadPlanImage);
        app.MapGet(FilesPath + "/{fileId}", Serve).WithTags("Images");
    }

    /// <summary>Uploads the merchant logo and sets <c>merchantLogo</c> to its URL.</summary>
    private static async Task<Results<Ok<PortalyResponse<LogoUploaded>>, PortalyFailure>> UploadLogo(HttpContext context, ImageFiles files, MerchantConfigs configs)
    {
        var (file, failure) = await ReceiveAsync(context, files);
        if (file is null)
        {
            return failure!;
        }

        var key = context.CurrentKey();
        var config = await configs.UpdateAsync(key.ProfileId, new UpdateConfigRequest(null, file.PublicUrl, null, null, null), key.Id);
        return PortalyEnvelope.Ok(new LogoUploaded(file.PublicUrl, file, configs.View(config)));
    }

    /// <summary>Uploads a plan's image and sets its <c>imageUrl</c>.</summary>
    private static async Task<Results<Ok<PortalyResponse<PlanImageUploaded>>, PortalyFailure>> UploadPlanImage(string planId, HttpContext context, ImageFiles files, PlanStore plans)
    {
        var profileId = context.CurrentKey().ProfileId;
        if (plans.Find(planId) is not { } existing)
        {
            return PortalyFailure.NotFound(PlanApi.NotFound);
        }

        if (existing.ProfileId != profileId)
        {
            return PortalyFailure.Forbidden(PlanApi.NotAllowed);
        }

        var (file, failure) = await ReceiveAsync(context, files);
        if (file is null)
        {
            return failure!;
        }

        var plan = await plans.SetImageAsync(planId, file.PublicUrl);
        return PortalyEnvelope.Ok(new PlanImageUploaded(file.PublicUrl, file, plan));
    }

    /// <summary>An uploaded image, to anyone with its URL (checkout pages show it).</summary>
    private static Results<PhysicalFileHttpResult, PortalyFailure> Serve(string fileId, ImageFiles files) =>
        files.Open(fileId) is { } found ? TypedResults.PhysicalFile(found.Path, found.ContentType) : PortalyFailure.NotFound("File not found.");

    private static async Task<(StoredFile? File, PortalyFailure? Failure)> ReceiveAsync(HttpContext context, ImageFiles files)
    {
        var request = context.Request;
        if (!request.HasFormContentType)
        {
            return (null, PortalyFailure.Invalid("send multipart/form-data with the image in the field 'file'"));
        }

        // Cut short or with a boundary past the reader's limit, the body is malformed (not a 500).
        if (await HostedForm.ReadAsync(request) is not { } form)
        {
            return (null, PortalyFailure.Invalid("the multipart body is malformed"));
        }

        var upload = form.Files.GetFile("file");
        if (upload is null || upload.Length == 0)
        {
            return (null, PortalyFailure.Invalid("file is required"));
        }

        if (upload.Length > ImageFiles.MaxBytes)
        {
            return (null, PortalyFailure.Invalid("file must be at most 8 MB"));
        }

        using var content = new MemoryStream();
        await upload.CopyToAsync(content, context.RequestAborted);
        var bytes = content.ToArray();
        if (ImageFiles.ExtensionOf(bytes) is not { } extension)
        {
            return (null, PortalyFailure.Invalid("file must be a JPEG, PNG, WebP or GIF image"));
        }

        var id = await files.SaveAsync(bytes, extension, context.RequestAborted);
        return (new StoredFile(id, $"{request.Scheme}://{request.Host}{FilesPath}/{id}"), null);
    }

    /// <summary>Uploads may exceed the surface's 1 MB body limit: an 8 MB file plus the multipart framing.</summary>
    private sealed class UploadLimit : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => ImageFiles.MaxBytes + (64 * 1024);
    }
}
