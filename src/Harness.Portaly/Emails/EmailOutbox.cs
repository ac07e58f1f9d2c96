using Harness.Security;
using Harness.Storage;

namespace Harness.Portaly.Emails;

public static class EmailTypes
{
    public const string WelcomePaid = "welcome_paid";
    public const string SubscriptionCanceled = "subscription_canceled";

    /// <summary>The hosted checkout's email code: always sent, not a template a merchant can turn off.</summary>
    public const string VerificationCode = "verification_code";

    /// <summary>The templates a merchant may enable or disable (both enabled by default).</summary>
    public static readonly string[] Templates = [WelcomePaid, SubscriptionCanceled];
}

/// <summary>A profile's choice for one template; absent means enabled.</summary>
public sealed record EmailTemplateSetting(string Id, string ProfileId, string Type, bool Enabled, DateTimeOffset UpdatedAt) : IDocument
{
    public static string IdOf(string profileId, string type) => profileId + "/" + type;
}

/// <summary>An email the backend "sent": nothing leaves the machine; the outbox is read through the API.</summary>
public sealed record OutboxEmail(
    string Id,
    string ProfileId,
    string Mode,
    string Type,
    string To,
    string Subject,
    string Text,
    string? SubscriptionId,
    DateTimeOffset CreatedAt) : IDocument;

/// <summary>Template switches per profile and the local outbox every email lands in.</summary>
public sealed class EmailOutbox(IDocumentStore store, TimeProvider clock, CreationTimes creationTimes)
{
    private readonly IDocumentCollection<EmailTemplateSetting> _templates = store.Collection<EmailTemplateSetting>("email_templates", nameof(EmailTemplateSetting.ProfileId));
    private readonly IDocumentCollection<OutboxEmail> _outbox = store.Collection<OutboxEmail>("email_outbox", nameof(OutboxEmail.ProfileId));

    public bool IsEnabled(string profileId, string type) => _templates.Get(EmailTemplateSetting.IdOf(profileId, type))?.Enabled ?? true;

    public EmailTemplateSetting SetEnabled(string profileId, string type, bool enabled)
    {
        var setting = new EmailTemplateSetting(EmailTemplateSetting.IdOf(profileId, type), profileId, type, enabled, clock.GetUtcNow());
        _templates.Upsert(setting);
        return setting;
    }

    /// <summary>The profile's template switches, every template listed.</summary>
    public IReadOnlyList<EmailTemplateSetting> Templates(string profileId) =>
        [.. EmailTypes.Templates.Select(type => _templates.Get(EmailTemplateSetting.IdOf(profileId, type))
            ?? new EmailTemplateSetting(EmailTemplateSetting.IdOf(profileId, type), profileId, type, true, default))];

    /// <summary>Puts an email in the outbox unless it is a template the profile turned off; the email, or null when not sent.</summary>
    public OutboxEmail? Send(string profileId, string mode, string type, string? to, string subject, string text, string? subscriptionId = null)
    {
        if (string.IsNullOrEmpty(to) || (EmailTypes.Templates.Contains(type) && !IsEnabled(profileId, type)))
        {
            return null;
        }

        var email = new OutboxEmail("em_" + Secrets.RandomHex(12), profileId, mode, type, to, subject, text, subscriptionId, creationTimes.Next());
        _outbox.Upsert(email);
        return email;
    }

    /// <summary>The profile's emails of one mode, newest first.</summary>
    public IReadOnlyList<OutboxEmail> Of(string profileId, string mode) =>
        [.. _outbox.FindBy(nameof(OutboxEmail.ProfileId), profileId).Where(e => e.Mode == mode)
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id, StringComparer.Ordinal)];
}
