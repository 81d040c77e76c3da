using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.Prosody.Federation;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Turns on federation: other XMPP servers may connect to this one. Adds the <c>s2s</c> endpoint (container
    /// port 5269) and stops disabling Prosody's <c>s2s</c> and <c>dialback</c> modules. Off by default.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Where it is reachable: in run mode the host publishes the <c>s2s</c> port on its loopback interface only (as
    /// every other port), so only servers on this machine and containers of the app model can federate with it; with
    /// <paramref name="external"/> the host publishes it on all of its interfaces, for a server on another machine. A
    /// published model marks the endpoint external only with <paramref name="external"/>.
    /// </para>
    /// <para>
    /// Between resources of one app model it works as set up: in run mode each domain and component domain is a
    /// network alias of its container, Prosody finds <c>*.localhost</c> domains through the container network's DNS
    /// and <c>/etc/hosts</c> (its own resolver answers them with 127.0.0.1), and each federating resource trusts the
    /// certificates the others present, so secure authentication succeeds. To trust another server's certificate
    /// authority, use <see cref="WithFederationTrust"/>.
    /// </para>
    /// </remarks>
    /// <param name="builder">The resource builder.</param>
    /// <param name="port">The host port of the s2s endpoint; null lets Aspire choose one.</param>
    /// <param name="requireEncryption">Whether server-to-server connections must use TLS (<c>s2s_require_encryption</c>).</param>
    /// <param name="secureAuthentication">Whether remote servers must authenticate with a valid certificate
    /// (<c>PROSODY_S2S_SECURE_AUTH</c>); when false, dialback (DNS) is accepted instead, as between development
    /// servers with self-signed certificates.</param>
    /// <param name="external">Whether servers on other machines may connect: run mode publishes the port on all of
    /// the host's interfaces instead of loopback only, and a published model marks the endpoint external.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithFederation(this IResourceBuilder<ProsodyResource> builder, int? port = null, bool requireEncryption = true, bool secureAuthentication = true, bool external = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ProsodyValidation.Port(port, nameof(port));
        ThrowIfHostPortTaken(builder, port, ProsodyResource.ServerEndpointName, nameof(port));
        builder.Resource.Settings.Federation = new ProsodyFederationSettings(requireEncryption, secureAuthentication, external);
        return builder.WithEndpoint(port: port, targetPort: ProsodyResource.ServerTargetPort, name: ProsodyResource.ServerEndpointName, scheme: "tcp", isExternal: external)
            .WithEndpoint(ProsodyResource.ServerEndpointName, endpoint =>
            {
                // The container runtime binds a published port to the endpoint's target host: loopback unless external.
                if (external && ProsodyConfiguration.BindsExternalPortsOnAllInterfaces(builder.Resource))
                {
                    endpoint.TargetHost = "0.0.0.0";
                }
            });
    }

    /// <summary>Two endpoints of one container cannot be published on one host port: the second would never start.</summary>
    private static void ThrowIfHostPortTaken(IResourceBuilder<ProsodyResource> builder, int? port, string endpointName, string paramName)
    {
        if (port is null)
        {
            return;
        }

        var taken = builder.Resource.Annotations.OfType<EndpointAnnotation>()
            .FirstOrDefault(e => e.Port == port && e.Name != endpointName && e.Protocol == System.Net.Sockets.ProtocolType.Tcp);
        if (taken is not null)
        {
            throw new ArgumentException(
                $"The host port {port} of the '{endpointName}' endpoint is already the host port of the '{taken.Name}' endpoint of '{builder.Resource.Name}'. Give each endpoint its own port, or null to let Aspire choose one.",
                paramName);
        }
    }

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
