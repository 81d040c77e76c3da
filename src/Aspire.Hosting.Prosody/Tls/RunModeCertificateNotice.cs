using System.Security.Cryptography.X509Certificates;

namespace Aspire.Hosting.Prosody.Tls;

/// <summary>
/// The one line the resource's log gets at start when its clients cannot validate the certificate they get: no
/// trusted developer certificate (the self-signed fallback), or one that does not name the domain.
/// </summary>
internal static class RunModeCertificateNotice
{
    /// <summary>Null when clients get a certificate they can validate, or when the app model brought its own.</summary>
    public static string? For(ProsodyConfiguration configuration, X509Certificate2? aspireCertificate)
    {
        if (!configuration.UsesAspireServerCertificate)
        {
            return null;
        }

        if (aspireCertificate is null)
        {
            return $"No trusted ASP.NET Core developer certificate was found, so Prosody presents a self-signed certificate for '{configuration.Settings.Domain}' that clients cannot validate. "
                + $"For a certificate they trust, run '{AspireServerCertificate.DeveloperCertificateCommand}' and start the AppHost again.";
        }

        return AspireServerCertificate.NamesDomain(aspireCertificate, configuration.Settings.Domain)
            ? null
            : $"The developer certificate does not name '{configuration.Settings.Domain}', so client connections (STARTTLS) get a self-signed certificate while HTTPS uses the developer certificate. "
                + "Use a domain of the form '<name>.dev.localhost' (the default) for a certificate clients trust.";
    }
}
