namespace XmppTestClient;

/// <summary>Certificate validation for <see cref="XmppClientOptions.ServerCertificateValidation"/>.</summary>
public static class ServerCertificates
{
    /// <summary>
    /// Accepts only a certificate that names the host the client asked for (the XMPP domain for STARTTLS, the URI's
    /// host for wss://) and chains up to one of <paramref name="anchors"/>, with no other root trusted: a development
    /// certificate is checked exactly as a public one would be, against the anchor a test knows.
    /// </summary>
    /// <param name="anchors">The trusted roots; a self-signed certificate is its own.</param>
    public static RemoteCertificateValidationCallback TrustOnly(params X509Certificate2[] anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        if (anchors.Length == 0)
        {
            throw new ArgumentException("Give at least one trusted certificate.", nameof(anchors));
        }

        return (_, certificate, _, errors) => certificate is not null
            // The TLS stack checked the name against the host it was given; the chain is checked here instead.
            && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
            && ChainsTo(certificate, anchors);
    }

    /// <summary>Whether <paramref name="certificate"/> chains up to one of <paramref name="anchors"/> and to nothing else.</summary>
    public static bool ChainsTo(X509Certificate certificate, params X509Certificate2[] anchors)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }
}
