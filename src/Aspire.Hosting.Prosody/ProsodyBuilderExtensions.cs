using Aspire.Hosting.Prosody;
using Aspire.Hosting.Prosody.Accounts;
using Aspire.Hosting.Prosody.Commands;
using Aspire.Hosting.Prosody.Endpoints;
using Aspire.Hosting.Prosody.Federation;
using Aspire.Hosting.Prosody.Health;
using Aspire.Hosting.Prosody.Metrics;
using Aspire.Hosting.Prosody.Publishing;
using Aspire.Hosting.Prosody.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

/// <summary>
/// Extension methods that add a Prosody XMPP server to an Aspire app model and configure it.
/// </summary>
/// <remarks>
/// A method called again replaces what its earlier call set (the last call wins, as with Aspire's
/// <see cref="ResourceAnnotationMutationBehavior.Replace"/>): storage, certificates, TURN, domain and the rest. Methods
/// that add one of many things (<see cref="WithUser"/>, <see cref="WithModuleFiles"/>, <see cref="WithExtraConfiguration"/>,
/// <see cref="WithConfigurationFile"/>, <see cref="AddExternalComponent"/>) add one more with each call; enabling a module
/// takes it out of the disabled list and disabling takes it out of the enabled one.
/// </remarks>
public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Adds a Prosody XMPP server to the app model.
    /// </summary>
    /// <param name="builder">The <see cref="IDistributedApplicationBuilder"/>.</param>
    /// <param name="name">The name of the resource; the default XMPP domain is <c>{name}.dev.localhost</c>.</param>
    /// <param name="port">The host port of the client-to-server (c2s) endpoint; null lets Aspire choose a free one.</param>
    /// <param name="adminPassword">The password of the <c>admin</c> account; when null a password is generated
    /// (and kept in the AppHost's user secrets in run mode).</param>
    /// <returns>A reference to the <see cref="IResourceBuilder{T}"/>.</returns>
    /// <remarks>
    /// <para>
    /// This version of the package defaults to the <inheritdoc cref="ProsodyContainerImageTags.Tag"/> tag of the
    /// <inheritdoc cref="ProsodyContainerImageTags.Registry"/>/<inheritdoc cref="ProsodyContainerImageTags.Image"/> container image.
    /// </para>
    /// <para>
    /// Clients connect on the <c>c2s</c> endpoint (5222); websocket, BOSH and the file share are served on <c>http</c>
    /// (5280) and <c>https</c> (5281). The server hosts <c>{name}.dev.localhost</c> (see <see cref="WithDomain"/>) and
    /// creates the <c>admin</c> account, and every <see cref="WithUser"/> account, at each start. Its health check
    /// passes once a client can sign in, so <c>WaitFor</c> releases only then. Federation is off until
    /// <see cref="WithFederation"/>. Run mode serves the developer certificate (or a self-signed one); a published model
    /// asks for the <c>{name}-tls-certificate</c> and <c>{name}-tls-key</c> parameters unless
    /// <see cref="WithCertificatesDirectory"/> mounts certificates. How the container is started, published and probed
    /// is described in the package README.
    /// </para>
    /// <example>
    /// <code lang="csharp">
    /// var builder = DistributedApplication.CreateBuilder(args);
    /// var chat = builder.AddProsody("chat")
    ///     .WithUser("alice")
    ///     .WithDataVolume();
    /// builder.AddProject&lt;Projects.ChatBot&gt;("bot").WithReference(chat).WaitFor(chat);
    /// </code>
    /// </example>
    /// </remarks>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> AddProsody(
        this IDistributedApplicationBuilder builder,
        [ResourceName] string name,
        int? port = null,
        IResourceBuilder<ParameterResource>? adminPassword = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The default domain is "{name}.dev.localhost", so the name must also be a DNS label: 63 characters, not Aspire's 64.
        ProsodyValidation.ResourceName(name, nameof(name), maxLength: 63);
        ProsodyValidation.Port(port, nameof(port));

        var password = adminPassword?.Resource
            ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var resource = new ProsodyResource(name, password) { IsRunMode = builder.ExecutionContext.IsRunMode };

        var healthCheckKey = ProsodyHealthCheck.Name(resource);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new ProsodyHealthCheck(resource), failureStatus: default, tags: default));

        // What depends on the whole model (the last call of every method, the lifetime, the other resources) is
        // decided once, when the app starts, in both modes.
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            CompleteAtStart(builder, resource, e.Services, e.Model);
            return Task.CompletedTask;
        });

        if (ProsodyConfiguration.IsWatchedByAppHost(resource))
        {
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProsodyMetricsForwarder>());
            // The entrypoint wrapper restarts a crashed Prosody inside the running container: report that at once.
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProsodyCrashWatcher>());
            HostPortClashes.Register(builder);
        }

        var prosody = builder.AddResource(resource)
            .WithImage(ProsodyContainerImageTags.Image, ProsodyContainerImageTags.Tag)
            .WithImageRegistry(ProsodyContainerImageTags.Registry)
            .WithIconName("Chat")
            .WithEndpoint(port: port, targetPort: ProsodyResource.ClientTargetPort, name: ProsodyResource.ClientEndpointName, scheme: "tcp")
            .WithHttpEndpoint(targetPort: ProsodyResource.HttpTargetPort, name: ProsodyResource.HttpEndpointName)
            .WithUrlForEndpoint(ProsodyResource.HttpEndpointName, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WithMetricsUrl()
            .WithGeneratedConfiguration()
            .WithFederationTrustFiles()
            .WithProsodyCommands()
            .WithHealthCheck(healthCheckKey);

        if (ProsodyConfiguration.PublishesDerivedImage(resource))
        {
            // A platform starts only what the manifest says: the files become a derived image and readiness becomes probes.
            ProsodyDeployment.Configure(prosody);
        }
        else
        {
            prosody.OnBeforeResourceStarted(async (_, e, ct) =>
            {
                CertificateChecks.WarnIfExpiringSoon(resource, e.Services);
                // Parameter values are known only now: a password Prosody cannot accept fails the start, naming it.
                await ProsodyPasswords.CheckAsync(resource, ct).ConfigureAwait(false);
            });

            // The wrapper (a container file) hands a root-owned data directory to prosody and restarts a crashed Prosody.
            prosody.WithEntrypoint(ProsodyConfiguration.EntrypointPath)
                .WithAspireServerCertificate()
                .WithRunModeCertificateNotice();
        }

        return prosody;
    }

    /// <summary>
    /// What the container gets from the app model, all rendered from <see cref="ProsodyConfiguration"/> when it
    /// starts: the <c>PROSODY_*</c> environment, the command the entrypoint wrapper needs, and the container files.
    /// </summary>
    private static IResourceBuilder<ProsodyResource> WithGeneratedConfiguration(this IResourceBuilder<ProsodyResource> builder)
    {
        var resource = builder.Resource;
        return builder
            .WithEnvironment(context =>
            {
                foreach (var (variable, value) in ProsodyEnvironmentVariables.Create(ProsodyConfiguration.For(resource)))
                {
                    context.EnvironmentVariables[variable] = value;
                }
            })
            .WithArgs(context =>
            {
                if (ProsodyConfiguration.For(resource).StartsThroughWrapper)
                {
                    context.Args.Add("prosody");
                    context.Args.Add("-F");
                }
            })
            .WithContainerFiles(ProsodyConfiguration.ConfigDirectory, (_, _) =>
                Task.FromResult(ProsodyContainerFiles.ConfigDirectory(ProsodyConfiguration.For(resource))))
            .WithContainerFiles(ProsodyConfiguration.IncludedFilesDirectory, (_, _) =>
                Task.FromResult(ProsodyContainerFiles.IncludedFilesDirectory(ProsodyConfiguration.For(resource))))
            .WithContainerFiles(ProsodyConfiguration.SupportDirectory, (_, _) =>
                Task.FromResult(ProsodyContainerFiles.SupportDirectory(ProsodyConfiguration.For(resource))))
            .WithContainerFiles(ProsodyConfiguration.CertificatesDirectory, (_, _) =>
                Task.FromResult(ProsodyContainerFiles.CertificatesDirectory(ProsodyConfiguration.For(resource), builder.ApplicationBuilder, resource.Name)));
    }

    /// <summary>
    /// Completes the resource once the whole app model is known: certificates are checked against the final domain;
    /// run mode publishes the ports without the proxy and gives the container its network aliases and federation
    /// siblings; a published model asks for the certificate parameters exactly when no certificates directory is
    /// mounted. Aspire completes its own models at this point too (the dashboard, Azure's role assignments).
    /// </summary>
    private static void CompleteAtStart(IDistributedApplicationBuilder builder, ProsodyResource resource, IServiceProvider services, DistributedApplicationModel model)
    {
        CertificateChecks.CheckAtStart(resource, services);
        if (ProsodyConfiguration.PublishesPortsWithoutProxy(resource))
        {
            ProsodyEndpoints.PublishWithoutProxy(resource);
        }

        ProsodyFederation.DecideAtStart(resource, model.Resources);
        if (ProsodyConfiguration.NeedsDeploymentTlsParameters(resource) && resource.Settings.DeploymentTls is null)
        {
            resource.Settings.DeploymentTls = ProsodyDeploymentCertificate.AddParameters(builder, resource);
        }
    }

}
