using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Prosody;
using Aspire.Hosting.Prosody.Commands;
using Aspire.Hosting.Prosody.Configuration;
using Aspire.Hosting.Prosody.Tls;
using Aspire.Hosting.Prosody.Health;
using Aspire.Hosting.Prosody.Metrics;
using Aspire.Hosting.Prosody.Publishing;
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

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new ProsodyHealthCheck(resource), failureStatus: default, tags: default));

        if (resource.IsRunMode)
        {
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProsodyMetricsForwarder>());
            // The entrypoint wrapper restarts a crashed Prosody inside the running container: report that at once.
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProsodyCrashWatcher>());
        }

        // Certificates are checked against the final domain once the whole model is known, in both modes.
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            CertificateChecks.CheckAtStart(resource, e.Services);
            return Task.CompletedTask;
        });

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

        if (resource.IsRunMode)
        {
            // Decided at start, when the endpoints and the lifetime the app model gives the resource are all known.
            builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
            {
                ProsodyEndpoints.PublishWithoutProxy(resource);
                ProsodyFederation.DecideAtStart(resource, builder.Resources);
                return Task.CompletedTask;
            });
            HostPortClashes.Register(builder);
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
        else
        {
            // A platform starts only what the manifest says: the files become a derived image, the certificate
            // becomes parameters, and readiness becomes probes.
            ProsodyDeployment.Configure(prosody);
        }

        return prosody;
    }

    /// <summary>The scrape target, for people who run their own Prometheus; diagnostics stay in the details.</summary>
    private static IResourceBuilder<ProsodyResource> WithMetricsUrl(this IResourceBuilder<ProsodyResource> builder) =>
        builder.WithUrls(context =>
        {
            var resource = builder.Resource;
            if (resource.MetricsEnabled && resource.HttpEndpoint.IsAllocated)
            {
                context.Urls.Add(new ResourceUrlAnnotation
                {
                    Url = $"{resource.HttpEndpoint.Url}/metrics",
                    DisplayText = "Metrics (OpenMetrics)",
                    Endpoint = resource.HttpEndpoint,
                    DisplayLocation = UrlDisplayLocation.DetailsOnly,
                });
            }
        });

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
                // Run mode replaces the image's entrypoint with the wrapper, which drops the image's command.
                if (resource.IsRunMode)
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
    /// Sets the XMPP domain the server hosts (<c>PROSODY_VIRTUAL_HOSTS</c>); accounts are <c>user@domain</c> and
    /// components are subdomains of it. The default is <c>{name}.dev.localhost</c>.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="domain">A DNS name in lowercase, such as <c>chat.example.com</c>.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">The domain is empty or not a valid lowercase DNS name.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithDomain(this IResourceBuilder<ProsodyResource> builder, string domain)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ProsodyValidation.Domain(domain, nameof(domain));
        var settings = builder.Resource.Settings;
        foreach (var subdomain in settings.ComponentSubdomains)
        {
            ProsodyValidation.ComponentDomain(subdomain, domain, nameof(domain));
        }

        using (var certificate = CertificateChecks.Given(builder.Resource))
        {
            if (certificate is not null && CertificateChecks.Problem(certificate, domain, DateTimeOffset.UtcNow) is { } problem)
            {
                throw new ArgumentException(
                    $"The certificate given to WithCertificate ('{settings.Certificates!.CertificatePath}') {problem}. Give a certificate for '{domain}', or another domain.",
                    nameof(domain));
            }
        }

        settings.Domain = domain;
        return builder;
    }

    /// <summary>
    /// Sets the lowest level of the messages Prosody logs to the console (<c>PROSODY_LOGLEVEL</c>), which the
    /// dashboard shows as the resource's logs.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="level">The level.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithLogLevel(this IResourceBuilder<ProsodyResource> builder, ProsodyLogLevel level)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!Enum.IsDefined(level))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "Use one of the ProsodyLogLevel values.");
        }

        builder.Resource.Settings.LogLevel = level;
        return builder;
    }

    /// <summary>
    /// Sets the bandwidth limits of mod_limits (<c>PROSODY_C2S_RATE_LIMIT</c>, <c>PROSODY_S2S_RATE_LIMIT</c>). The
    /// image's defaults are <c>10kb/s</c> per client and <c>30kb/s</c> per incoming server connection; in run mode
    /// the client limit is <c>10mb/s</c> unless set here, so that local clients, bots and tests are not throttled.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="clientToServer">The rate per client connection, such as <c>"100kb/s"</c>; null keeps the default
    /// (<c>10mb/s</c> in run mode, Prosody's <c>10kb/s</c> when published).</param>
    /// <param name="serverToServer">The rate per incoming server connection; null keeps the default.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">A rate is not of the form <c>&lt;number&gt;&lt;unit&gt;/s</c>.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithRateLimits(this IResourceBuilder<ProsodyResource> builder, string? clientToServer = null, string? serverToServer = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Resource.Settings;
        settings.ClientRateLimit = clientToServer is null ? settings.ClientRateLimit : ProsodyValidation.Rate(clientToServer, nameof(clientToServer));
        settings.ServerRateLimit = serverToServer is null ? settings.ServerRateLimit : ProsodyValidation.Rate(serverToServer, nameof(serverToServer));
        return builder;
    }

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
                if (external && builder.ApplicationBuilder.ExecutionContext.IsRunMode)
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
}
