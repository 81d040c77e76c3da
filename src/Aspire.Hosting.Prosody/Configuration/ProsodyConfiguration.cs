namespace Aspire.Hosting.Prosody.Configuration;

/// <summary>
/// The one place where the app model's intent (<see cref="ProsodySettings"/>) becomes decisions about Prosody:
/// which modules, components, accounts and files. <see cref="ProsodyEnvironmentVariables"/> and
/// <see cref="ProsodyConfigFile"/> only render these decisions.
/// </summary>
internal sealed class ProsodyConfiguration
{
    public const string ConfigDirectory = "/etc/prosody/conf.d";
    public const string ConfigFileName = "aspire.cfg.lua";
    public const string IncludedFilesDirectory = "/etc/prosody/aspire.d";
    public const string SupportDirectory = "/usr/local/lib/prosody-aspire";
    public const string ModulesDirectory = SupportDirectory + "/modules";
    public const string EntrypointPath = SupportDirectory + "/entrypoint.sh";
    public const string CertificatesDirectory = "/etc/prosody/certs";
    public const string DataDirectory = "/var/lib/prosody";

    /// <summary>Carries the database port, which the image's <c>PROSODY_SQL_*</c> variables cannot express.</summary>
    public const string SqlPortVariable = "ASPIRE_SQL_PORT";

    /// <summary>Carries the HTTP endpoint's URL as clients reach it, for the links Prosody hands out.</summary>
    public const string HttpExternalUrlVariable = "ASPIRE_HTTP_EXTERNAL_URL";

    /// <summary>The module, shipped with this package, that creates the app model's accounts at start.</summary>
    public const string AccountsModule = "aspire_accounts";

    /// <summary>The module, shipped with this package, that finds servers with <c>*.localhost</c> domains (federation).</summary>
    public const string FederationModule = "aspire_federation";

    /// <summary>Where the certificates trusted for secure server-to-server authentication are (not a secret).</summary>
    public const string FederationTrustDirectory = "/etc/prosody/aspire-trust";

    public const string FederationTrustFileName = "federation-ca.pem";

    /// <summary>The module, shipped with this package, that answers a platform's liveness and readiness probes.</summary>
    public const string HealthModule = "aspire_health";

    /// <summary>
    /// The module, shipped with this package, that works around LuaDBI's use-after-free when the database restarts
    /// (docs/postgres-restart-segfault.md); loaded with SQL storage on a database server.
    /// </summary>
    public const string SqlFailoverModule = "aspire_sql_failover";

    /// <summary>Where <see cref="HealthModule"/> serves its probes on the HTTP endpoint.</summary>
    public const string LivenessPath = "/aspire-health/live";

    public const string ReadinessPath = "/aspire-health/ready";

    /// <summary>Carry a deployment's certificate chain and private key (PEM), written to files at start by the entrypoint wrapper.</summary>
    public const string TlsCertificateVariable = "ASPIRE_TLS_CERTIFICATE";

    public const string TlsKeyVariable = "ASPIRE_TLS_KEY";

    /// <summary>Run mode: the paths, inside the container, of the certificate Aspire gives the resource, for HTTPS.</summary>
    public const string HttpsCertificatePathVariable = "ASPIRE_HTTPS_CERTIFICATE_PATH";

    public const string HttpsKeyPathVariable = "ASPIRE_HTTPS_KEY_PATH";

    /// <summary>Run mode: the same paths for client connections (STARTTLS), set only when that certificate names the domain.</summary>
    public const string ClientCertificatePathVariable = "ASPIRE_C2S_CERTIFICATE_PATH";

    public const string ClientKeyPathVariable = "ASPIRE_C2S_KEY_PATH";

    public const string RunModeClientRateLimit = "10mb/s";

    /// <summary>Tells the entrypoint wrapper to start Prosody again after a crash (run mode).</summary>
    public const string RestartOnCrashVariable = "ASPIRE_RESTART_ON_CRASH";

    private ProsodyConfiguration(ProsodyResource resource, bool isRunMode)
    {
        var settings = resource.Settings;
        Settings = settings;
        IsRunMode = isRunMode;
        var persistent = resource.TryGetLastAnnotation<ContainerLifetimeAnnotation>(out var lifetime) && lifetime.Lifetime == ContainerLifetime.Persistent;
        AnnouncesPublishedEndpoint = !persistent
            || resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == ProsodyResource.HttpEndpointName && e.Port is not null);

        Accounts = settings.Accounts
            .Select((account, index) => new ProsodyAccountBinding(
                $"{account.UserName}@{settings.Domain}", $"ASPIRE_ACCOUNT_{index + 1}_PASSWORD", account.Password, account.IsAdmin))
            .ToArray();
        Admins = Accounts.Where(a => a.IsAdmin).Select(a => a.Jid).ToArray();

        // Prosody's mod_limits lets each client send 10kb/s after a small burst: on a developer's machine bots and
        // tests would crawl (a 50 KB burst takes seconds), so run mode lifts it unless the app model sets a limit.
        ClientRateLimit = settings.ClientRateLimit ?? (isRunMode ? RunModeClientRateLimit : null);

        MetricsEnabled = settings.Metrics ?? isRunMode;
        if (MetricsEnabled)
        {
            // In run mode the AppHost scrapes from the host through the published port, and the address Prosody then
            // sees (the container network's gateway, or a proxy) is not known in advance; the HTTP port itself is only
            // published on the developer's loopback.
            MetricsAllowedNetwork = settings.MetricsAllowedNetwork ?? (isRunMode ? "0.0.0.0/0" : null);
        }

        (EnabledModules, DisabledModules) = DecideModules(settings, MetricsEnabled);
        Components = DecideComponents(settings, settings.Domain);
        MultiUserChatModules = settings.MultiUserChat is not null && settings.ArchiveRetentionDays is not null ? ["muc_mam"] : [];
        var published = new EndpointReference(resource, ProsodyResource.HttpEndpointName, KnownNetworkIdentifiers.LocalhostNetwork);
        PublishedHttpUrl = ReferenceExpression.Create($"http://{published.Property(EndpointProperty.HostAndPort)}/");
        ExternalComponents = settings.ExternalComponents
            .Select((component, index) => new ProsodyExternalComponent(component.Domain, $"ASPIRE_COMPONENT_{index + 1}_SECRET", component.SecretParameter))
            .ToArray();

        IncludedFiles = settings.Includes
            .Select((file, index) => new ProsodyIncludedFile($"{index + 1:00}-{(file.SourcePath is null ? "extra" : "file")}.cfg.lua", file.Lua, file.SourcePath))
            .ToArray();
    }

    /// <summary>
    /// Prosody's modules behind account registration and invitations (mod_register also carries in-band password
    /// change, which the app model's accounts do not need: their passwords are reset to the parameters at every start).
    /// </summary>
    public static readonly string[] RegistrationModules = ["invites", "invites_adhoc", "invites_register", "register", "register_ibr"];

    /// <summary>The modules to load and to keep off; a module the app model disables stays off even if a feature wants it.</summary>
    private static (string[] Enabled, string[] Disabled) DecideModules(ProsodySettings settings, bool metricsEnabled)
    {
        var enabled = new SortedSet<string>(settings.EnabledModules, StringComparer.Ordinal) { AccountsModule, HealthModule };
        if (settings.WebSocket)
        {
            enabled.Add("websocket");
        }

        if (settings.Bosh)
        {
            enabled.Add("bosh");
        }

        if (metricsEnabled)
        {
            enabled.Add("http_openmetrics");
        }

        if (settings.Storage is { HasServer: true })
        {
            enabled.Add(SqlFailoverModule);
        }

        var disabled = new SortedSet<string>(settings.DisabledModules, StringComparer.Ordinal);
        if (settings.Registration == ProsodyRegistration.InviteOnly)
        {
            enabled.UnionWith(RegistrationModules);
        }
        else
        {
            // The image's template loads these, and with them the server advertises iq-register, ibr-token and
            // invite stream features and serves a form it then refuses: clients offer "create account" and fail.
            // A module the app model enables itself stays on.
            disabled.UnionWith(RegistrationModules.Except(settings.EnabledModules));
        }

        if (settings.Federation is null)
        {
            // Federation is opt-in: without it no server-to-server listener runs at all.
            disabled.Add("s2s");
            disabled.Add("dialback");
        }
        else
        {
            enabled.Add(FederationModule);
        }

        enabled.ExceptWith(disabled);
        return ([.. enabled], [.. disabled]);
    }

    /// <summary>The internal components (<c>PROSODY_COMPONENTS</c>): group chat and the file share, as subdomains.</summary>
    private static ProsodyComponent[] DecideComponents(ProsodySettings settings, string domain)
    {
        var components = new List<ProsodyComponent>();
        if (settings.MultiUserChat is { } muc)
        {
            components.Add(new($"{muc.Subdomain}.{domain}", "muc"));
        }

        if (settings.FileShare is { } share)
        {
            components.Add(new($"{share.Subdomain}.{domain}", "http_file_share"));
        }

        return [.. components];
    }

    public static ProsodyConfiguration Create(ProsodyResource resource, bool isRunMode) => new(resource, isRunMode);

    // Decisions a builder method needs while the app model is built: they shape resources and parameters, so they
    // cannot wait for a configuration. They are made here so that every run/publish difference is in this class.

    /// <summary>
    /// The address clients are told to reach a TURN server of the app model at: the one given; in run mode
    /// <c>127.0.0.1</c>, where the relay ports are published; in publish mode none, so a parameter asks the deployment.
    /// </summary>
    public static string? TurnAddress(ProsodyResource resource, string? externalAddress) =>
        externalAddress ?? (resource.IsRunMode ? "127.0.0.1" : null);

    /// <summary>
    /// Run mode publishes coturn's relay ports as one runtime argument (an endpoint per port would be proxied and slow
    /// to start); a published model lists each as an endpoint a platform exposes.
    /// </summary>
    public static bool PublishesRelayPortsAsEndpoints(ProsodyResource resource) => !resource.IsRunMode;

    /// <summary>
    /// In run mode Aspire creates a database of the app model once its server is up; a published model has nobody to
    /// do that, so the server container is told the database's name.
    /// </summary>
    public static bool CreatesDatabaseOnServer(ProsodyResource resource) => !resource.IsRunMode;

    /// <summary>
    /// A published model asks for the certificate and key as parameters unless a certificates directory is mounted;
    /// run mode never does.
    /// </summary>
    public static bool NeedsDeploymentTlsParameters(ProsodyResource resource) =>
        !resource.IsRunMode && resource.Settings.Certificates?.Directory is null;

    /// <summary>
    /// Run mode: the AppHost runs the container, so it watches it: it forwards <c>/metrics</c> to the dashboard,
    /// reports the crashes the entrypoint wrapper restarted, and refuses two endpoints on one host port. A platform
    /// that runs a published model scrapes, counts restarts and binds ports itself.
    /// </summary>
    public static bool IsWatchedByAppHost(ProsodyResource resource) => resource.IsRunMode;

    /// <summary>
    /// A published model becomes a derived image with its configuration built in, and probes, because a platform
    /// starts only what the manifest says; run mode starts the official image through the entrypoint wrapper, with
    /// the configuration as container files and the certificate Aspire gives the resource.
    /// </summary>
    public static bool PublishesDerivedImage(ProsodyResource resource) => !resource.IsRunMode;

    /// <summary>Run mode lets the container runtime publish the ports, not Aspire's proxy (<see cref="Endpoints.ProsodyEndpoints"/>).</summary>
    public static bool PublishesPortsWithoutProxy(ProsodyResource resource) => resource.IsRunMode;

    /// <summary>
    /// Run mode binds an external federation port on all of the host's interfaces instead of loopback; a published
    /// model only marks the endpoint external and leaves binding to the platform.
    /// </summary>
    public static bool BindsExternalPortsOnAllInterfaces(ProsodyResource resource) => resource.IsRunMode;

    /// <summary>Run mode may open <c>/metrics</c> to every address (the port is published on loopback only); a deployment may not.</summary>
    public static bool AllowsMetricsFromEveryAddress(ProsodyResource resource) => resource.IsRunMode;

    /// <summary>The configuration in the mode the app model was built for: what every callback renders from.</summary>
    public static ProsodyConfiguration For(ProsodyResource resource) => new(resource, resource.IsRunMode);

    /// <summary>
    /// What the builder methods recorded. Renderers read plain values (log level, rates, archive days, file share,
    /// group chat, TURN, storage) here, straight from the settings; everything the properties below decide, such as
    /// anything that depends on the mode, they read from the decision.
    /// </summary>
    public ProsodySettings Settings { get; }

    /// <summary>The CA files trusted for secure server-to-server authentication; none while federation is off.</summary>
    public IReadOnlyList<string> FederationTrustFiles => Settings.Federation is null ? [] : Settings.FederationTrust;

    /// <summary>Run mode: the app model's other federating Prosody resources, whose certificates this one trusts.</summary>
    public IReadOnlyList<ProsodyResource> FederationSiblings => Settings.Federation is not null && IsRunMode ? Settings.FederationSiblings : [];

    /// <summary>
    /// Whether there are certificates to trust besides the system's CAs: the trust files, and siblings that present
    /// a certificate the app model knows (a mounted certificates directory is the user's to trust).
    /// </summary>
    public bool TrustsPeerCertificates => FederationTrustFiles.Count > 0
        || FederationSiblings.Any(sibling => sibling.Settings.Certificates is null or { CertificatePath: not null });

    /// <summary>
    /// Run mode: the names other containers resolve this one by, besides the resource name: the domain and the
    /// components' domains, so that clients and servers on the container network reach it by its XMPP names.
    /// </summary>
    public IReadOnlyList<string> NetworkAliases => IsRunMode
        ? [Settings.Domain, .. Components.Select(c => c.Name), .. ExternalComponents.Select(c => c.Domain)]
        : [];

    /// <summary>
    /// Run mode publishes the HTTP endpoint on the developer's loopback only, so sign-in over <c>ws://</c> and BOSH
    /// is allowed there; a deployment terminates TLS itself.
    /// </summary>
    public bool ConsidersWebTransportsSecure => IsRunMode && (Settings.WebSocket || Settings.Bosh);

    /// <summary>Run mode adds local-development conveniences; publish mode never does.</summary>
    public bool IsRunMode { get; }

    /// <summary>The per-client rate limit; null keeps Prosody's 10kb/s.</summary>
    public string? ClientRateLimit { get; }

    /// <summary>
    /// The variable the database client library reads its password from. mod_storage_sql logs its connection
    /// settings as a URL at debug level, so the password stays out of Prosody's <c>sql</c> table.
    /// </summary>
    public string? SqlPasswordVariable => Settings.Storage switch
    {
        { HasServer: true, Driver: ProsodyStorage.PostgreSql } => "PGPASSWORD",
        { HasServer: true, Driver: ProsodyStorage.MySql } => "MYSQL_PWD",
        _ => null,
    };

    public bool MetricsEnabled { get; }

    /// <summary>Who may read <c>/metrics</c> besides loopback; null leaves Prosody's loopback-only default.</summary>
    public string? MetricsAllowedNetwork { get; }

    public IReadOnlyList<ProsodyAccountBinding> Accounts { get; }

    public IReadOnlyList<string> Admins { get; }

    public IReadOnlyList<string> EnabledModules { get; }

    public IReadOnlyList<string> DisabledModules { get; }

    public IReadOnlyList<ProsodyComponent> Components { get; }

    public IReadOnlyList<string> MultiUserChatModules { get; }

    /// <summary>User configuration, included after the generated settings in the order it was added.</summary>
    public IReadOnlyList<ProsodyIncludedFile> IncludedFiles { get; }

    public IReadOnlyList<ProsodyExternalComponent> ExternalComponents { get; }

    /// <summary>
    /// Run mode creates a self-signed certificate so that clients can use STARTTLS out of the box, unless the app
    /// model brings its own.
    /// </summary>
    public bool UsesDevelopmentCertificate => IsRunMode && Settings.Certificates is null;

    /// <summary>
    /// Run mode without the app model's own certificates also takes the certificate Aspire gives the resource (the
    /// trusted .NET developer certificate) when there is one: it serves HTTPS, and client connections when it names
    /// the domain. The self-signed certificate stays for everything else (federation, components' names).
    /// </summary>
    public bool UsesAspireServerCertificate => UsesDevelopmentCertificate;

    /// <summary>
    /// A published model gets its certificate and key from parameters, as environment variables the entrypoint
    /// wrapper writes to files at start, so that no key is baked into an image; null in run mode, and when the
    /// certificates come from a mounted directory.
    /// </summary>
    public ProsodyDeploymentTls? TlsFromEnvironment => IsRunMode ? null : Settings.DeploymentTls;

    /// <summary>
    /// Run mode starts Prosody through the entrypoint wrapper, which starts it again when it crashes: nobody has to
    /// click Start after a segfault or a kill. A deployment leaves restarts to the platform, where they are counted.
    /// </summary>
    public bool RestartsOnCrash => IsRunMode;

    /// <summary>
    /// Where <c>http_external_url</c>, the base of every link Prosody hands out or announces (uploads, websocket and
    /// BOSH, modules' pages), comes from. Run mode: always the endpoints as published on the developer's machine,
    /// through <see cref="HttpExternalUrlVariable"/> (the host port is known only at start), never the container's
    /// 5281. Publish mode: the app model's public URL, written as a literal or, from a parameter, through the same
    /// variable; without one Prosody's own view stays (<c>https://{domain}:5281/</c>).
    /// </summary>
    public ProsodyExternalUrl ExternalUrl => IsRunMode
        ? (AnnouncesPublishedEndpoint ? ProsodyExternalUrl.PublishedEndpoint : ProsodyExternalUrl.None)
        : Settings.PublicUrl?.Value switch
        {
            string => ProsodyExternalUrl.Literal,
            ParameterResource => ProsodyExternalUrl.Parameter,
            _ => ProsodyExternalUrl.None,
        };

    /// <summary>
    /// Run mode: whether the published http endpoint can be announced. A persistent container outlives the AppHost and
    /// is recreated whenever its configuration changes, and the port Aspire publishes it on changes with every run
    /// unless the app model fixes it; such a container keeps Prosody's own view rather than be recreated every run.
    /// </summary>
    public bool AnnouncesPublishedEndpoint { get; }

    /// <summary>What <see cref="HttpExternalUrlVariable"/> carries: the published endpoint, the parameter, or nothing.</summary>
    public object? ExternalUrlVariableValue => ExternalUrl switch
    {
        ProsodyExternalUrl.PublishedEndpoint => PublishedHttpUrl,
        ProsodyExternalUrl.Parameter => PublicUrlParameter,
        _ => null,
    };

    /// <summary>
    /// Run mode with federation: other servers are found through the container network's DNS server and
    /// <c>/etc/hosts</c>, where the app model's other Prosody containers are; a deployment keeps Prosody's resolver.
    /// </summary>
    public bool ResolvesPeersOnContainerNetwork => IsRunMode && Settings.Federation is not null;

    /// <summary>
    /// Which certificate files the container gets in <see cref="CertificatesDirectory"/>: run mode copies the app
    /// model's PEM files or the development certificate; publish mode copies none, since a key must never reach an
    /// image (<see cref="TlsFromEnvironment"/>), and a mounted directory needs none.
    /// </summary>
    public ProsodyCertificateFiles CertificateFiles => !IsRunMode ? ProsodyCertificateFiles.None
        : Settings.Certificates is { CertificatePath: not null, KeyPath: not null } ? ProsodyCertificateFiles.AppModel
        : UsesDevelopmentCertificate ? ProsodyCertificateFiles.Development
        : ProsodyCertificateFiles.None;

    /// <summary>Run mode replaces the image's entrypoint with the wrapper, which drops the image's command: it is given again.</summary>
    public bool StartsThroughWrapper => IsRunMode;

    /// <summary>The deployment's public URL when the app model gave it as text (validated, with a trailing slash).</summary>
    public string? PublicUrlLiteral => IsRunMode ? null : Settings.PublicUrl?.Value as string;

    /// <summary>The deployment's public URL when it is a parameter, resolved where the container runs.</summary>
    public ParameterResource? PublicUrlParameter => IsRunMode ? null : Settings.PublicUrl?.Value as ParameterResource;

    /// <summary>Whether registration with an invitation is on: otherwise every registration module is off.</summary>
    public bool InviteOnlyRegistration => Settings.Registration == ProsodyRegistration.InviteOnly;

    /// <summary>The HTTP endpoint's URL as it is published on the host, e.g. <c>http://localhost:12345/</c>.</summary>
    public ReferenceExpression PublishedHttpUrl { get; }

}

/// <summary>An account, its full JID and the environment variable that carries its password.</summary>
internal sealed record ProsodyAccountBinding(string Jid, string PasswordVariable, ParameterResource Password, bool IsAdmin);

/// <summary>Where <c>http_external_url</c> comes from.</summary>
internal enum ProsodyExternalUrl
{
    /// <summary>Not set: Prosody derives links from its own ports and the domain.</summary>
    None,

    /// <summary>A validated literal in the generated configuration.</summary>
    Literal,

    /// <summary>Run mode: the http endpoint as published on the developer's loopback, through <see cref="ProsodyConfiguration.HttpExternalUrlVariable"/>.</summary>
    PublishedEndpoint,

    /// <summary>Publish mode: a parameter, through <see cref="ProsodyConfiguration.HttpExternalUrlVariable"/>, checked by the entrypoint wrapper.</summary>
    Parameter,
}

/// <summary>Which certificate files the container gets.</summary>
internal enum ProsodyCertificateFiles
{
    None,

    /// <summary>The PEM files given to <c>WithCertificate</c>.</summary>
    AppModel,

    /// <summary>The self-signed development certificate.</summary>
    Development,
}

internal sealed record ProsodyComponent(string Name, string Type);

/// <summary>An external component, and the environment variable that carries its secret.</summary>
internal sealed record ProsodyExternalComponent(string Domain, string SecretVariable, ParameterResource Secret);

internal sealed record ProsodyIncludedFile(string Name, string? Contents, string? SourcePath);
