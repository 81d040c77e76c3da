using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aspire.Hosting.Prosody.Tls;

/// <summary>
/// A self-signed certificate for the XMPP domain and its subdomains (components), so that clients can use
/// STARTTLS in run mode: Prosody requires an encrypted connection before it accepts a password.
/// </summary>
/// <remarks>
/// It is made in the AppHost process, lives only for that process and is never used in publish mode, where the
/// deployment brings its own certificate.
/// </remarks>
internal sealed record DevelopmentCertificate(string Domain, string CertificatePem, string PrivateKeyPem)
{
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
        return new(domain, certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
