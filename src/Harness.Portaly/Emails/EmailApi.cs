using Harness.Http;
using Harness.Portaly.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Harness.Portaly.Emails;

public sealed record TemplateRequest(bool? Enabled) : IValidatable
{
    public void Validate(Validator validator) => validator.Require(Enabled is not null, "enabled is required");
}

/// <summary>A template switch of the key's profile (both modes share it); <c>updatedAt</c> is null until it is first set.</summary>
public sealed record TemplateView(string Type, bool Enabled, DateTimeOffset? UpdatedAt)
{
    public static TemplateView Of(EmailTemplateSetting s) => new(s.Type, s.Enabled, s.UpdatedAt == default ? null : s.UpdatedAt);
}

/// <summary>An email in the local outbox; <c>id</c> is the paging cursor.</summary>
public sealed record OutboxEmailView(string Id, string To, string Type, string Subject, string Text, string? SubscriptionId, DateTimeOffset CreatedAt)
{
    public static OutboxEmailView Of(OutboxEmail e) => new(e.Id, e.To, e.Type, e.Subject, e.Text, e.SubscriptionId, e.CreatedAt);
}

/// <summary>
/// <c>/api/creator-email</c>: the merchant turns the welcome and cancellation emails on or off, and reads what was
/// "sent" (nothing leaves the machine). Same app, envelope, key guard and rate limits as the creator-subscription routes.
/// </summary>
public static class EmailApi
{
    public const string BasePath = "/api/creator-email";

    public static void MapEmails(this WebApplication app)
    {
        var emails = app.MapGroup(BasePath).RequireApiKey().ValidateRequests().WithTags("Emails");
        emails.MapGet("/templates", Templates);
        emails.MapPut("/templates/{type}", SetTemplate);
        emails.MapGet("/outbox", Outbox);
    }

    private static Ok<PortalyResponse<IReadOnlyList<TemplateView>>> Templates(HttpContext context, EmailOutbox outbox) =>
        PortalyEnvelope.Ok<IReadOnlyList<TemplateView>>([.. outbox.Templates(context.CurrentKey().ProfileId).Select(TemplateView.Of)]);

    /// <summary>Turns one template on or off for the key's profile; an unknown type is 404 <c>TEMPLATE_NOT_FOUND</c>.</summary>
    private static Results<Ok<PortalyResponse<TemplateView>>, PortalyFailure> SetTemplate(string type, TemplateRequest request, HttpContext context, EmailOutbox outbox) =>
        EmailTypes.Templates.Contains(type, StringComparer.Ordinal)
            ? PortalyEnvelope.Ok(TemplateView.Of(outbox.SetEnabled(context.CurrentKey().ProfileId, type, request.Enabled!.Value)))
            : new PortalyFailure(StatusCodes.Status404NotFound, "TEMPLATE_NOT_FOUND", $"Unknown email template. Use one of: {string.Join(", ", EmailTypes.Templates)}.");

    /// <summary>The emails of the key's profile and mode, newest first, cursor paged.</summary>
    private static Results<Ok<PortalyList<OutboxEmailView>>, PortalyFailure> Outbox(HttpContext context, EmailOutbox outbox, string? limit, string? startAfter)
    {
        var key = context.CurrentKey();
        var (page, failure) = CursorPaging.Page(outbox.Of(key.ProfileId, key.Mode), limit, startAfter, OutboxEmailView.Of);
        return page is null ? failure! : TypedResults.Ok(page);
    }
}
