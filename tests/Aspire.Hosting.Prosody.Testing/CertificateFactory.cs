using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aspire.Hosting.Prosody.Testing;

/// <summary>
/// The one way the tests, the benchmarks and the scripted server make certificates: ECDSA P-256 keys, SHA-256
/// signatures, the DNS names in the subject alternative names. The client's unit tests compile this file in too.
/// </summary>
internal static class CertificateFactory
{
    /// <summary>A request for <paramref name="commonName"/> with <paramref name="dnsNames"/> (none: no SAN extension).</summary>
    public static CertificateRequest Request(ECDsa key, string commonName, IEnumerable<string>? dnsNames, bool isAuthority = false)
    {
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        if (dnsNames is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames)
            {
                names.AddDnsName(name);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        if (isAuthority)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        }

        return request;
    }

    /// <summary>A self-signed certificate, valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>, and its key as PEM.</summary>
    public static (X509Certificate2 Certificate, string KeyPem) SelfSigned(
        string commonName, IEnumerable<string>? dnsNames, DateTimeOffset notBefore, DateTimeOffset notAfter, bool isAuthority = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = Request(key, commonName, dnsNames, isAuthority).CreateSelfSigned(notBefore, notAfter);
        return (certificate, key.ExportPkcs8PrivateKeyPem());
    }
}
