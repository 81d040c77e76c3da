using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Prosody.Configuration;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Trusts the certificates a certificate authority issued, for secure server-to-server authentication
    /// (<see cref="WithFederation"/>): a remote server whose certificate chains to it and names its domain is
    /// authenticated (SASL EXTERNAL). The system's public CAs stay trusted. Call it once per authority.
    /// </summary>
    /// <remarks>
    /// The certificates are copied into the container (run mode) or the published image at
    /// <c>/etc/prosody/aspire-trust/federation-ca.pem</c>, which the generated configuration names as the
    /// <c>cafile</c> of <c>s2s_ssl</c>. Only the certificates are copied, never anything else in the file. In run mode
    /// the certificates of the app model's other federating Prosody resources are trusted without this method.
    /// </remarks>
    /// <param name="builder">The resource builder.</param>
    /// <param name="certificateAuthorityPath">A PEM file holding one or more CA certificates and nothing else,
    /// absolute or relative to the AppHost's directory.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">The file is missing, holds no PEM certificate, or holds a private key.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithFederationTrust(this IResourceBuilder<ProsodyResource> builder, string certificateAuthorityPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(certificateAuthorityPath);
        var path = AppHostPaths.Resolve(builder.ApplicationBuilder, certificateAuthorityPath);
        ProsodyFederation.ReadTrustFile(path, nameof(certificateAuthorityPath));
        var trust = builder.Resource.Settings.FederationTrust;
        if (!trust.Contains(path, StringComparer.Ordinal))
        {
            trust.Add(path);
        }

        return builder;
    }

    /// <summary>The trusted certificates as a container file, delivered in run mode and baked into a published image.</summary>
    private static IResourceBuilder<ProsodyResource> WithFederationTrustFiles(this IResourceBuilder<ProsodyResource> builder) =>
        builder.WithContainerFiles(ProsodyConfiguration.FederationTrustDirectory, (_, _) =>
            Task.FromResult(ProsodyFederation.TrustDirectory(ProsodyConfiguration.For(builder.Resource), builder.ApplicationBuilder)));
}
