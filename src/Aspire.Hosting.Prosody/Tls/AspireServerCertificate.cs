using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting.Prosody.Tls;

/// <summary>
/// The server certificate Aspire hands a resource in run mode: the one given with <c>WithHttpsCertificate</c>, or
/// the trusted ASP.NET Core developer certificate (<c>dotnet dev-certs https --trust</c>) unless the resource or
/// the AppHost turned it off. Aspire writes it into the container and gives Prosody its paths
/// (<c>WithHttpsCertificateConfiguration</c>).
/// </summary>
/// <remarks>
/// Aspire makes the same choice when it creates the container; Prosody needs it earlier and by value, to tell
/// whether the certificate names its domain.
/// </remarks>
internal static class AspireServerCertificate
{
    public const string DeveloperCertificateCommand = "dotnet dev-certs https --trust";

#pragma warning disable ASPIRECERTIFICATES001
    public static X509Certificate2? Find(IResource resource, IServiceProvider services)
    {
        resource.TryGetLastAnnotation<HttpsCertificateAnnotation>(out var annotation);
        if (annotation?.Certificate is { } certificate)
        {
            return certificate;
        }

        var developerCertificates = services.GetRequiredService<IDeveloperCertificateService>();
        return annotation?.UseDeveloperCertificate ?? developerCertificates.UseForHttps
            ? developerCertificates.Certificates.FirstOrDefault()
            : null;
    }

    /// <summary>
    /// Whether the app model chose to give the resource no certificate although a trusted developer certificate
    /// exists: <c>WithoutHttpsCertificate()</c>, or the AppHost's default HTTPS termination or trust turned off.
    /// </summary>
    public static bool TurnedOff(IResource resource, IServiceProvider services)
    {
        resource.TryGetLastAnnotation<HttpsCertificateAnnotation>(out var annotation);
        var developerCertificates = services.GetRequiredService<IDeveloperCertificateService>();
        return annotation?.Certificate is null
            && !(annotation?.UseDeveloperCertificate ?? developerCertificates.UseForHttps)
            && !developerCertificates.Certificates.IsEmpty;
    }
#pragma warning restore ASPIRECERTIFICATES001

    /// <summary>
    /// Whether clients that check the name find <paramref name="domain"/> in it. The developer certificate names
    /// <c>localhost</c>, <c>*.dev.localhost</c> and <c>*.dev.internal</c>; a wildcard covers one label only.
    /// </summary>
    public static bool NamesDomain(X509Certificate2 certificate, string domain) =>
        certificate.MatchesHostname(domain, allowWildcards: true, allowCommonName: false);
}
