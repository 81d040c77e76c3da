using Aspire.Hosting.Prosody.Tls;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Sets the XMPP domain the server hosts (<c>PROSODY_VIRTUAL_HOSTS</c>); accounts are <c>user@domain</c> and
    /// components are subdomains of it. The default is <c>{name}.dev.localhost</c>.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="domain">A DNS name in lowercase, such as <c>chat.example.com</c>.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">The domain is empty or not a valid lowercase DNS name.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithDomain(this IResourceBuilder<ProsodyResource> builder, string domain)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ProsodyValidation.Domain(domain, nameof(domain));
        var settings = builder.Resource.Settings;
        foreach (var subdomain in settings.ComponentSubdomains)
        {
            ProsodyValidation.ComponentDomain(subdomain, domain, nameof(domain));
        }

        using (var certificate = CertificateChecks.Given(builder.Resource))
        {
            if (certificate is not null && CertificateChecks.Problem(certificate, domain, DateTimeOffset.UtcNow) is { } problem)
            {
                throw new ArgumentException(
                    $"The certificate given to WithCertificate ('{settings.Certificates!.CertificatePath}') {problem}. Give a certificate for '{domain}', or another domain.",
                    nameof(domain));
            }
        }

        settings.Domain = domain;
        return builder;
    }

    /// <summary>
    /// Sets the lowest level of the messages Prosody logs to the console (<c>PROSODY_LOGLEVEL</c>), which the
    /// dashboard shows as the resource's logs.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="level">The level.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithLogLevel(this IResourceBuilder<ProsodyResource> builder, ProsodyLogLevel level)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!Enum.IsDefined(level))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "Use one of the ProsodyLogLevel values.");
        }

        builder.Resource.Settings.LogLevel = level;
        return builder;
    }

    /// <summary>
    /// Sets the bandwidth limits of mod_limits (<c>PROSODY_C2S_RATE_LIMIT</c>, <c>PROSODY_S2S_RATE_LIMIT</c>). The
    /// image's defaults are <c>10kb/s</c> per client and <c>30kb/s</c> per incoming server connection; in run mode
    /// the client limit is <c>10mb/s</c> unless set here, so that local clients, bots and tests are not throttled.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="clientToServer">The rate per client connection, such as <c>"100kb/s"</c>; null keeps the default
    /// (<c>10mb/s</c> in run mode, Prosody's <c>10kb/s</c> when published).</param>
    /// <param name="serverToServer">The rate per incoming server connection; null keeps the default.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">A rate is not of the form <c>&lt;number&gt;&lt;unit&gt;/s</c>.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithRateLimits(this IResourceBuilder<ProsodyResource> builder, string? clientToServer = null, string? serverToServer = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Resource.Settings;
        settings.ClientRateLimit = clientToServer is null ? settings.ClientRateLimit : ProsodyValidation.Rate(clientToServer, nameof(clientToServer));
        settings.ServerRateLimit = serverToServer is null ? settings.ServerRateLimit : ProsodyValidation.Rate(serverToServer, nameof(serverToServer));
        return builder;
    }
}
