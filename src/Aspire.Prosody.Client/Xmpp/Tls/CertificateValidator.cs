using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Aspire.Prosody.Client.Xmpp.Tls;

/// <summary>
/// Server certificate validation, always on: the certificate must carry the expected name (the TLS stack checks it
/// against the target host) and chain either to the system store or to one of the configured trust anchors. There is
/// deliberately no way to accept every certificate. Remembers why it refused, for a clear error message.
/// </summary>
internal sealed class CertificateValidator(X509Certificate2Collection anchors)
{
    /// <summary>Why the last certificate was refused, or <see langword="null"/>.</summary>
    public string? Failure { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        Failure = Check(sender, certificate, chain, errors);
        return Failure is null;
    }

    private string? Check(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return "the server presented no certificate";
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            var target = (sender as SslStream)?.TargetHostName;
            return $"the certificate is not valid for the name '{target}' (it is for {Names(presented)}); "
                + "XmppClientOptions.Domain must be a name the certificate carries";
        }

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0)
        {
            return null; // trusted by the system store and the name matches
        }

        if (anchors.Count > 0)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(anchors);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            if (custom.Build(presented))
            {
                return null;
            }

            return Describe(custom, presented);
        }

        return chain is null ? "the certificate chain could not be built" : Describe(chain, presented);
    }

    private static string Describe(X509Chain chain, X509Certificate2 presented)
    {
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            return $"the certificate for {Names(presented)} has expired or is not yet valid (valid from {presented.NotBefore:u} to {presented.NotAfter:u})";
        }

        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return $"the certificate for {Names(presented)} (issuer '{presented.Issuer}') is not trusted: it chains neither to the "
                + "system store nor to XmppClientOptions.TrustedCertificates";
        }

        return $"the certificate for {Names(presented)} does not validate ({flags})";
    }

    private static string Names(X509Certificate2 certificate)
    {
        var dns = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(e => e.EnumerateDnsNames()).ToArray();
        return dns.Length > 0 ? string.Join(", ", dns.Select(n => $"'{n}'")) : $"'{certificate.Subject}'";
    }
}
