using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.Tls;

/// <summary>
/// A certificate given to the app model (<c>WithCertificate</c>, or Aspire's <c>WithHttpsCertificate</c>) that
/// Prosody would present although clients refuse it: expired, not yet valid, or not naming the domain. Refused as
/// early as the model knows (the domain may be set after the certificate), and finally when the app starts; one that
/// expires within 30 days is a warning in the resource's log.
/// </summary>
internal static class CertificateChecks
{
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    /// <summary>What is wrong with the certificate for <paramref name="domain"/> now, or null; <paramref name="domain"/> null skips the name.</summary>
    public static string? Problem(X509Certificate2 certificate, string? domain, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        if (now < notBefore)
        {
            return $"is not valid before {Show(notBefore)}";
        }

        if (now > notAfter)
        {
            return $"expired on {Show(notAfter)}";
        }

        // The common name counts only without subject alternative names, as in Prosody's own identity check.
        if (domain is not null && !certificate.MatchesHostname(domain, allowWildcards: true, allowCommonName: true))
        {
            return $"does not name the domain '{domain}' (subject '{ProsodyValidation.Printable(certificate.Subject)}')";
        }

        return null;
    }

    public static bool ExpiresSoon(X509Certificate2 certificate, DateTimeOffset now) =>
        new DateTimeOffset(certificate.NotAfter.ToUniversalTime()) - now < ExpiryWarning;

    public static string Show(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The certificate of <c>WithCertificate</c>, read again (it is a file the user may have replaced).</summary>
    public static X509Certificate2? Given(ProsodyResource resource) =>
        resource.Settings.Certificates is { CertificatePath: { } path } && File.Exists(path) ? X509CertificateLoader.LoadCertificateFromFile(path) : null;

    /// <summary>Whether the domain is still the default one, which <c>WithDomain</c> may yet change.</summary>
    public static bool DomainIsDefault(ProsodyResource resource) =>
        resource.Domain == $"{resource.Name.ToLowerInvariant()}.dev.localhost";

    /// <summary>When the app starts: the whole model is known, so every certificate given to it is checked against the final domain.</summary>
    public static void CheckAtStart(ProsodyResource resource, IServiceProvider services)
    {
        var now = DateTimeOffset.UtcNow;
        using (var given = Given(resource))
        {
            if (given is not null && Problem(given, resource.Domain, now) is { } problem)
            {
                throw new InvalidOperationException(
                    $"The certificate given to WithCertificate for the Prosody resource '{resource.Name}' ('{resource.Settings.Certificates!.CertificatePath}') {problem}. " +
                    $"Give a current certificate for '{resource.Domain}' (or a wildcard over it).");
            }
        }

#pragma warning disable ASPIRECERTIFICATES001
        if (ProsodyConfiguration.For(resource).UsesAspireServerCertificate
            && resource.TryGetLastAnnotation<HttpsCertificateAnnotation>(out var https) && https.Certificate is { } explicitCertificate
            && Problem(explicitCertificate, resource.Domain, now) is { } httpsProblem)
        {
            throw new InvalidOperationException(
                $"The certificate given to WithHttpsCertificate for the Prosody resource '{resource.Name}' ({explicitCertificate.Subject}) {httpsProblem}. " +
                $"Give a current certificate for '{resource.Domain}', or leave WithHttpsCertificate out to use the development certificate.");
        }
#pragma warning restore ASPIRECERTIFICATES001
    }

    /// <summary>Run mode, when the resource starts: a warning in its log for a certificate that expires within 30 days.</summary>
    public static void WarnIfExpiringSoon(ProsodyResource resource, IServiceProvider services)
    {
        var now = DateTimeOffset.UtcNow;
        using var given = Given(resource);
#pragma warning disable ASPIRECERTIFICATES001
        var certificate = given
            ?? (resource.TryGetLastAnnotation<HttpsCertificateAnnotation>(out var https) ? https.Certificate : null);
#pragma warning restore ASPIRECERTIFICATES001
        if (certificate is not null && ExpiresSoon(certificate, now))
        {
            services.GetRequiredService<ResourceLoggerService>().GetLogger(resource).LogWarning(
                "The TLS certificate of '{Resource}' ({Subject}) expires on {Expiry}, within 30 days: renew it.",
                resource.Name, certificate.Subject, Show(new DateTimeOffset(certificate.NotAfter.ToUniversalTime())));
        }
    }
}
