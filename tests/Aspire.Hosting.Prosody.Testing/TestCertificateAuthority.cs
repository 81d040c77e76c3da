using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aspire.Hosting.Prosody.Testing;

/// <summary>
/// A throwaway certificate authority of the tests' and benchmarks' own, and the server certificates it issues for an
/// XMPP domain (usable for serving and, between servers, as a client certificate).
/// </summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificateAuthority()
    {
        var request = CertificateFactory.Request(_key, "Aspire.Hosting.Prosody functional tests CA", dnsNames: null, isAuthority: true);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Issues a certificate for <paramref name="domain"/> and its subdomains; returns it (public part) and its PEM files' contents.</summary>
    public (X509Certificate2 Certificate, string CertificatePem, string KeyPem) Issue(string domain)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CertificateFactory.Request(key, domain, [domain, $"*.{domain}"]);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.Create(Certificate, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(12));
        return (certificate, certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>Whether <paramref name="certificate"/> chains up to this authority (and to nothing else) and names <paramref name="domain"/>.</summary>
    public bool Validates(X509Certificate certificate, string domain)
    {
        using var presented = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented) && presented.MatchesHostname(domain);
    }

    /// <summary>
    /// Issues a certificate for <paramref name="domain"/> and writes the authority (<c>root.pem</c>), the certificate
    /// with the authority after it (<c>tls.crt</c>) and its key (<c>tls.key</c>) into <paramref name="directory"/>,
    /// readable by a container's user.
    /// </summary>
    public (string RootPath, string CertificatePath, string KeyPath) WriteFiles(string domain, DirectoryInfo directory)
    {
        var (_, certificatePem, keyPem) = Issue(domain);
        var rootPath = Path.Combine(directory.FullName, "root.pem");
        var certificatePath = Path.Combine(directory.FullName, "tls.crt");
        var keyPath = Path.Combine(directory.FullName, "tls.key");
        File.WriteAllText(rootPath, Certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(certificatePath, certificatePem + Certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, keyPem);
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            File.SetUnixFileMode(directory.FullName, readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            foreach (var path in (string[])[rootPath, certificatePath, keyPath])
            {
                File.SetUnixFileMode(path, readable);
            }
        }

        return (rootPath, certificatePath, keyPath);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
