using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aspire.Hosting.Prosody.Tls;

/// <summary>
/// A self-signed certificate for the XMPP domain and its subdomains (components), so that clients can use
/// STARTTLS in run mode: Prosody requires an encrypted connection before it accepts a password. When Aspire has a
/// trusted developer certificate (<see cref="AspireServerCertificate"/>) that one serves client connections and
/// HTTPS; this one still serves what it cannot name: the components' subdomains and federation.
/// </summary>
/// <remarks>
/// It is made by the AppHost and kept in its user secrets (when it has them), so a persistent container sees the
/// same files at the next start and is reused; it is never used in publish mode, where the deployment brings its
/// own certificate.
/// </remarks>
internal sealed record DevelopmentCertificate(string Domain, string CertificatePem, string PrivateKeyPem)
{
    private static readonly Lock Gate = new();

    public static DevelopmentCertificate GetOrCreate(IDistributedApplicationBuilder builder, string resourceName, string domain)
    {
        var key = ConfigurationKey(resourceName, domain);
        lock (Gate)
        {
            if (builder.Configuration[key] is { Length: > 0 } saved && TryRead(domain, saved) is { } reused)
            {
                return reused;
            }

            var created = Create(domain);
            // The same store Aspire keeps generated passwords in; it is marked experimental in 13.6.5, and without
            // it (no UserSecretsId) the certificate simply lives as long as the AppHost process.
#pragma warning disable ASPIREUSERSECRETS001
            if (builder.UserSecretsManager.IsAvailable)
            {
                builder.UserSecretsManager.TrySetSecret(key, created.CertificatePem + created.PrivateKeyPem);
            }
#pragma warning restore ASPIREUSERSECRETS001

            builder.Configuration[key] = created.CertificatePem + created.PrivateKeyPem;
            return created;
        }
    }

    /// <summary>Where the AppHost's configuration (and user secrets) keep the certificate and its key, in PEM.</summary>
    public static string ConfigurationKey(string resourceName, string domain) => $"Prosody:{resourceName}:DevelopmentCertificate:{domain}";

    /// <summary>A saved certificate is reused while it is valid for at least another day.</summary>
    private static DevelopmentCertificate? TryRead(string domain, string pem)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem, pem);
            var keyStart = pem.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal);
            return certificate.NotAfter > DateTime.Now.AddDays(1) && certificate.MatchesHostname(domain) && keyStart > 0
                ? new(domain, pem[..keyStart], pem[keyStart..])
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public static DevelopmentCertificate Create(string domain)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={domain}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(domain);
        names.AddDnsName($"*.{domain}");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));

        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));
        return new(domain, certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
