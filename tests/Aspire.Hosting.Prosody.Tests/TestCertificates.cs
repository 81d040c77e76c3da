namespace Aspire.Hosting.Prosody.Tests;

/// <summary>Self-signed certificates for the tests: one way to make them, in memory or as PEM files.</summary>
internal static class TestCertificates
{
    /// <summary>
    /// A self-signed certificate (ECDSA P-256) for <paramref name="commonName"/>, valid from <paramref name="from"/>
    /// until <paramref name="until"/> from now; the names go into the subject alternative names, and a certificate
    /// authority gets the basic-constraints extension that says so.
    /// </summary>
    public static X509Certificate2 Create(string commonName, out string keyPem, IEnumerable<string>? dnsNames = null, TimeSpan? from = null, TimeSpan? until = null, bool isAuthority = false)
    {
        var now = DateTimeOffset.UtcNow;
        var (certificate, key) = Testing.CertificateFactory.SelfSigned(
            commonName, dnsNames, now + (from ?? TimeSpan.FromMinutes(-5)), now + (until ?? TimeSpan.FromDays(1)), isAuthority);
        keyPem = key;
        return certificate;
    }

    /// <summary>Writes a self-signed certificate for <paramref name="domain"/> and its key as PEM files into <paramref name="directory"/>.</summary>
    public static (string CertificatePath, string KeyPath) WritePem(string directory, string domain, string fileName = "tls", IEnumerable<string>? dnsNames = null, TimeSpan? from = null, TimeSpan? until = null)
    {
        using var certificate = Create(domain, out var key, dnsNames, from, until);
        var certificatePath = Path.Combine(directory, $"{fileName}.crt");
        var keyPath = Path.Combine(directory, $"{fileName}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key + "\n");
        return (certificatePath, keyPath);
    }
}
