using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Prosody.Configuration;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Adds a multi-user chat (group chat, XEP-0045) component at <c>{subdomain}.{domain}</c>
    /// (<c>PROSODY_COMPONENTS</c> with type <c>muc</c>).
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="subdomain">One DNS label, <c>conference</c> by default.</param>
    /// <returns>The resource builder.</returns>
    public static IResourceBuilder<ProsodyResource> WithMultiUserChat(this IResourceBuilder<ProsodyResource> builder, string subdomain = "conference")
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Resource.Settings;
        ProsodyValidation.Subdomain(subdomain, nameof(subdomain));
        ThrowIfSubdomainTaken(subdomain, settings.FileShare?.Subdomain, nameof(subdomain));
        settings.MultiUserChatSubdomain = subdomain;
        return builder;
    }

    /// <summary>
    /// Adds an HTTP file share component (XEP-0363, mod_http_file_share) at <c>{subdomain}.{domain}</c>; uploads
    /// are kept in the data directory and served from <c>/share</c> on the <c>http</c> endpoint.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="subdomain">One DNS label, <c>upload</c> by default.</param>
    /// <param name="sizeLimitMegabytes">The largest file, in MiB (<c>PROSODY_UPLOAD_LIMIT_MB</c>); null keeps Prosody's 10 MiB.</param>
    /// <param name="quotaGigabytes">The space all uploads may take, in GiB (<c>PROSODY_UPLOAD_STORAGE_GB</c>); null for no quota.</param>
    /// <param name="expiryDays">Days after which uploads are deleted; null keeps Prosody's 7 days.</param>
    /// <returns>The resource builder.</returns>
    public static IResourceBuilder<ProsodyResource> WithFileShare(
        this IResourceBuilder<ProsodyResource> builder,
        string subdomain = "upload",
        int? sizeLimitMegabytes = null,
        int? quotaGigabytes = null,
        int? expiryDays = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Resource.Settings;
        ProsodyValidation.Subdomain(subdomain, nameof(subdomain));
        ThrowIfSubdomainTaken(subdomain, settings.MultiUserChatSubdomain, nameof(subdomain));
        settings.FileShare = new ProsodyFileShareSettings(
            subdomain,
            sizeLimitMegabytes is { } size ? ProsodyValidation.Positive(size, 1024 * 1024, nameof(sizeLimitMegabytes), "MiB") : null,
            quotaGigabytes is { } quota ? ProsodyValidation.Positive(quota, 1024 * 1024, nameof(quotaGigabytes), "GiB") : null,
            expiryDays is { } days ? ProsodyValidation.Positive(days, 36500, nameof(expiryDays), "days") : null);
        return builder;
    }

    private static void ThrowIfSubdomainTaken(string subdomain, string? other, string paramName)
    {
        if (subdomain == other)
        {
            throw new ArgumentException($"The subdomain '{subdomain}' is already used by another component of this server. Give each component its own subdomain.", paramName);
        }
    }
}
