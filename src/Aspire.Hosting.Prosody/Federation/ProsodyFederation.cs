using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aspire.Hosting.Prosody.Tls;

namespace Aspire.Hosting.Prosody.Federation;

/// <summary>
/// What makes federation work as a user sets it up: the container's network aliases (its domains), the app model's
/// other federating Prosody resources, and the certificates this server trusts for secure authentication.
/// </summary>
internal static class ProsodyFederation
{
    /// <summary>
    /// When the app starts and the whole app model is known: a federating resource learns its siblings, and in run
    /// mode (<see cref="ProsodyConfiguration.NetworkAliases"/>) other containers resolve this server by its domain and
    /// its components' domains, and it trusts the siblings' certificates.
    /// </summary>
    public static void DecideAtStart(ProsodyResource resource, IEnumerable<IResource> model)
    {
        var settings = resource.Settings;
        settings.FederationSiblings.Clear();
        if (settings.Federation is not null)
        {
            settings.FederationSiblings.AddRange(model.OfType<ProsodyResource>().Where(other => other != resource && other.Settings.Federation is not null));
        }

        foreach (var alias in ProsodyConfiguration.For(resource).NetworkAliases)
        {
            if (!resource.Annotations.OfType<ContainerNetworkAliasAnnotation>().Any(a => a.Alias == alias))
            {
                resource.Annotations.Add(new ContainerNetworkAliasAnnotation(alias));
            }
        }
    }

    /// <summary>
    /// Reads a PEM file of CA certificates while the app model is built. A private key is refused: the file is copied
    /// into the container and a published image.
    /// </summary>
    public static X509Certificate2Collection ReadTrustFile(string path, string paramName)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            var text = File.ReadAllText(path);
            if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"'{path}' holds a private key. Give a file with the certificate authority's certificates only: it is copied into the container and a published image.",
                    paramName);
            }

            certificates.ImportFromPem(text);
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
        {
            throw new ArgumentException(
                $"'{path}' is not a readable PEM file of certificates: {ex.Message} Give the path of the CA certificate (PEM), absolute or relative to the AppHost's directory.",
                paramName, ex);
        }

        if (certificates.Count == 0)
        {
            throw new ArgumentException(
                $"'{path}' holds no PEM certificate ('-----BEGIN CERTIFICATE-----'). Give the path of the CA certificate (PEM), absolute or relative to the AppHost's directory.",
                paramName);
        }

        return certificates;
    }

    /// <summary>
    /// The trust bundle: the certificates of <see cref="ProsodyConfiguration.FederationTrustFiles"/>, and in run mode
    /// those the sibling resources present to other servers (their development certificate, or their own
    /// certificate file). Re-exported one by one, so nothing but certificates reaches the container.
    /// </summary>
    public static IEnumerable<ContainerFileSystemItem> TrustDirectory(ProsodyConfiguration configuration, IDistributedApplicationBuilder builder)
    {
        if (!configuration.TrustsPeerCertificates)
        {
            return [];
        }

        var bundle = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(X509Certificate2Collection certificates)
        {
            foreach (var certificate in certificates)
            {
                using (certificate)
                {
                    if (seen.Add(certificate.Thumbprint))
                    {
                        bundle.Append(certificate.ExportCertificatePem()).Append('\n');
                    }
                }
            }
        }

        foreach (var path in configuration.FederationTrustFiles)
        {
            Add(ReadTrustFile(path, "certificateAuthorityPath"));
        }

        foreach (var sibling in configuration.FederationSiblings)
        {
            var siblingConfiguration = ProsodyConfiguration.For(sibling);
            if (siblingConfiguration.UsesDevelopmentCertificate)
            {
                // The same certificate the sibling's own container gets: it is made once per resource and domain.
                var certificate = DevelopmentCertificate.GetOrCreate(builder, sibling.Name, siblingConfiguration.Settings.Domain);
                var collection = new X509Certificate2Collection();
                collection.ImportFromPem(certificate.CertificatePem);
                Add(collection);
            }
            else if (siblingConfiguration.Settings.Certificates is { CertificatePath: { } certificatePath })
            {
                var collection = new X509Certificate2Collection();
                collection.ImportFromPemFile(certificatePath);
                Add(collection);
            }
        }

        return [new ContainerFile { Name = ProsodyConfiguration.FederationTrustFileName, Contents = bundle.ToString(), Mode = ProsodyContainerFiles.ReadableFile }];
    }
}
