using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.Prosody.Publishing;
using Aspire.Hosting.Prosody.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Uses your certificate for the domain instead of the run-mode development certificate. In run mode the PEM
    /// files are copied into <c>/etc/prosody/certs</c> as <c>{domain}.crt</c> and <c>{domain}.key</c> at start. In a
    /// published model they are the values of the <c>{name}-tls-certificate</c> and <c>{name}-tls-key</c> (secret)
    /// parameters, which the AppHost reads from the files when it deploys, and which the image's entrypoint writes to
    /// <c>/etc/prosody/certs</c> at start: the key never enters the image or the manifest. Include the components'
    /// names (or a wildcard) in the certificate if clients or servers reach them too.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="certificatePath">The certificate (chain) in PEM, absolute or relative to the AppHost's directory.</param>
    /// <param name="keyPath">Its private key in PEM.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">A file is missing, the files are not a certificate and its key, or the
    /// certificate is expired, not yet valid, or does not name the domain set with <c>WithDomain</c> (a default domain
    /// is checked when the app starts). One that expires within 30 days is a warning in the resource's log.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithCertificate(this IResourceBuilder<ProsodyResource> builder, string certificatePath, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        ArgumentException.ThrowIfNullOrEmpty(keyPath);
        var certificate = AppHostPaths.Resolve(builder.ApplicationBuilder, certificatePath);
        var key = AppHostPaths.Resolve(builder.ApplicationBuilder, keyPath);
        try
        {
            // Reading them now finds a wrong path, a non-PEM file or a key that does not match before anything starts.
            using var pair = X509Certificate2.CreateFromPemFile(certificate, key);
            // The domain may still change while it is the default one: then it is checked by WithDomain and at start.
            var domain = CertificateChecks.DomainIsDefault(builder.Resource) ? null : builder.Resource.Domain;
            if (CertificateChecks.Problem(pair, domain, DateTimeOffset.UtcNow) is { } problem)
            {
                throw new ArgumentException(
                    $"The certificate '{certificate}' {problem}: clients would refuse it. Give a current certificate for the domain (or a wildcard over it).",
                    nameof(certificatePath));
            }
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException || ex is ArgumentException { ParamName: not nameof(certificatePath) })
        {
            throw new ArgumentException(
                $"'{certificate}' and '{key}' are not a readable PEM certificate and its private key: {ex.Message} Give the paths of a certificate (chain) and the key that belongs to it.",
                nameof(certificatePath), ex);
        }

        SetCertificates(builder, new ProsodyCertificates(certificate, key, null));
        return builder;
    }

    /// <summary>
    /// Mounts a directory of certificates read-only at <c>/etc/prosody/certs</c> instead of using the run-mode
    /// development certificate. Prosody finds <c>{host}.crt</c>/<c>{host}.key</c> and
    /// <c>{host}/fullchain.pem</c>/<c>privkey.pem</c> (the certbot layout) for each host; the files must be readable
    /// by the container's <c>prosody</c> user (copy certbot's symlinks with <c>cp -L</c>). A published model then
    /// asks for no certificate parameters.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="directory">The host directory, absolute or relative to the AppHost's directory.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithCertificatesDirectory(this IResourceBuilder<ProsodyResource> builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var fullPath = AppHostPaths.ExistingDirectory(builder.ApplicationBuilder, directory, "certificates directory", nameof(directory));
        SetCertificates(builder, new ProsodyCertificates(null, null, fullPath));
        return builder.WithBindMount(fullPath, ProsodyConfiguration.CertificatesDirectory, isReadOnly: true);
    }

    /// <summary>
    /// Run mode: Prosody takes the certificate Aspire gives the resource (the trusted .NET developer certificate, or
    /// one given with <c>WithHttpsCertificate</c>) for HTTPS and, when it names the domain, for client connections,
    /// and serves HTTPS on the <c>https</c> endpoint. Aspire writes the files into the container; Prosody gets their
    /// paths. Without one, the self-signed certificate serves both and the resource's log says how to get one.
    /// </summary>
    private static IResourceBuilder<ProsodyResource> WithAspireServerCertificate(this IResourceBuilder<ProsodyResource> builder)
    {
        var resource = builder.Resource;
#pragma warning disable ASPIRECERTIFICATES001
        return builder
            .WithHttpsEndpoint(targetPort: ProsodyResource.HttpsTargetPort, name: ProsodyResource.HttpsEndpointName)
            .WithUrlForEndpoint(ProsodyResource.HttpsEndpointName, url =>
            {
                url.DisplayLocation = UrlDisplayLocation.DetailsOnly;
                // Prosody picks its certificate by the name a client asks for and refuses names it does not host, such
                // as "localhost"; browsers resolve a domain under .localhost to this machine.
                if (resource.Domain.EndsWith(".localhost", StringComparison.Ordinal) && Uri.TryCreate(url.Url, UriKind.Absolute, out var published))
                {
                    url.Url = new UriBuilder(published) { Host = resource.Domain }.Uri.ToString();
                }
            })
            .WithHttpsCertificateConfiguration(context =>
            {
                var configuration = ProsodyConfiguration.For(resource);
                if (!configuration.UsesAspireServerCertificate)
                {
                    return Task.CompletedTask;
                }

                if (context.Password is not null)
                {
                    // Prosody could only read such a key with the password in its configuration file.
                    context.ExecutionContext.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource).LogError(
                        "The HTTPS certificate of '{Resource}' has a password-protected key, which Prosody cannot use: it presents its self-signed certificate instead.", resource.Name);
                    return Task.CompletedTask;
                }

                context.EnvironmentVariables[ProsodyConfiguration.HttpsCertificatePathVariable] = context.CertificatePath;
                context.EnvironmentVariables[ProsodyConfiguration.HttpsKeyPathVariable] = context.KeyPath;
                if (AspireServerCertificate.Find(resource, context.ExecutionContext.Services) is { } certificate
                    && AspireServerCertificate.NamesDomain(certificate, configuration.Settings.Domain))
                {
                    context.EnvironmentVariables[ProsodyConfiguration.ClientCertificatePathVariable] = context.CertificatePath;
                    context.EnvironmentVariables[ProsodyConfiguration.ClientKeyPathVariable] = context.KeyPath;
                }

                return Task.CompletedTask;
            });
#pragma warning restore ASPIRECERTIFICATES001
    }

    /// <summary>
    /// Run mode: logs, once per start, why clients cannot validate the certificate and how to get one they can;
    /// nothing when the app model turned the developer certificate off itself. A notice is an event's job (as AddRedis
    /// subscribes to ConnectionStringAvailableEvent), not the certificate files callback's.
    /// </summary>
    private static IResourceBuilder<ProsodyResource> WithRunModeCertificateNotice(this IResourceBuilder<ProsodyResource> builder) =>
        builder.OnBeforeResourceStarted((resource, e, _) =>
        {
            var configuration = ProsodyConfiguration.For(resource);
            if (configuration.UsesAspireServerCertificate && !AspireServerCertificate.TurnedOff(resource, e.Services)
                && RunModeCertificateNotice.For(configuration, AspireServerCertificate.Find(resource, e.Services)) is { } notice)
            {
                e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource).LogInformation("{Notice}", notice);
            }

            return Task.CompletedTask;
        });

    /// <summary>
    /// The last certificate call wins: a directory an earlier call mounted is unmounted. Whether a published model asks
    /// for certificate parameters is decided when the app starts, from the last call.
    /// </summary>
    private static void SetCertificates(IResourceBuilder<ProsodyResource> builder, ProsodyCertificates certificates)
    {
        var annotations = builder.Resource.Annotations;
        foreach (var mount in annotations.OfType<ContainerMountAnnotation>().Where(m => m.Target == ProsodyConfiguration.CertificatesDirectory).ToArray())
        {
            annotations.Remove(mount);
        }

        builder.Resource.Settings.Certificates = certificates;
    }
}
