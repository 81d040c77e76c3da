namespace Aspire.Hosting.Prosody.Configuration;

/// <summary>
/// What the app model asks of one Prosody server. Builder methods only record intent here;
/// <see cref="ProsodyConfiguration"/> turns it into environment variables and configuration.
/// </summary>
internal sealed class ProsodySettings(string resourceName, ParameterResource adminPassword)
{
    // ".localhost" names resolve to loopback (RFC 6761) and never to the container's random hostname; the .NET
    // developer certificate names "*.dev.localhost", so clients can validate the default domain's certificate.
    public string Domain { get; set; } = $"{resourceName.ToLowerInvariant()}.dev.localhost";

    /// <summary>The administrator account (<c>admin</c> unless renamed), listed in <c>PROSODY_ADMINS</c>.</summary>
    public ProsodyAccount Administrator { get; set; } = new("admin", adminPassword, IsAdmin: true);

    /// <summary>The accounts added with <c>WithUser</c>, in call order.</summary>
    public List<ProsodyAccount> Users { get; } = [];

    /// <summary>Every account Prosody creates at start: the administrator first.</summary>
    public IEnumerable<ProsodyAccount> Accounts => [Administrator, .. Users];

    public SortedSet<string> EnabledModules { get; } = new(StringComparer.Ordinal);

    public SortedSet<string> DisabledModules { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Folders of Prosody modules on the AppHost's machine (full paths, in call order), whose modules are copied onto
    /// Prosody's plugin path each time the container is created.
    /// </summary>
    public List<string> ModuleFolders { get; } = [];

    public ProsodyLogLevel? LogLevel { get; set; }

    public string? ClientRateLimit { get; set; }

    public string? ServerRateLimit { get; set; }

    public int? ArchiveRetentionDays { get; set; }

    public ProsodyMultiUserChatSettings? MultiUserChat { get; set; }

    public ProsodyFileShareSettings? FileShare { get; set; }

    public bool WebSocket { get; set; } = true;

    /// <summary>Who may create an account over XMPP: nobody unless the app model asks for invitations.</summary>
    public ProsodyRegistration Registration { get; set; } = ProsodyRegistration.Closed;

    /// <summary>
    /// The public base URL of Prosody's HTTP services in a deployment (<c>http_external_url</c>): a validated string
    /// or a parameter. Null leaves Prosody's own view (<c>https://{domain}:5281/</c>).
    /// </summary>
    public ProsodyValue? PublicUrl { get; set; }

    public bool Bosh { get; set; }

    /// <summary>Server-to-server settings; null while federation is off.</summary>
    public ProsodyFederationSettings? Federation { get; set; }

    /// <summary>CA certificate files (PEM, full paths) whose certificates this server trusts for federation.</summary>
    public List<string> FederationTrust { get; } = [];

    /// <summary>
    /// Run mode: the other Prosody resources of the app model that federate too, found when the app starts; their
    /// certificates are trusted so that secure server-to-server authentication works between them by default.
    /// </summary>
    public List<ProsodyResource> FederationSiblings { get; } = [];

    /// <summary>Certificates the user brings: PEM files or a directory. Null means the run-mode development certificate.</summary>
    public ProsodyCertificates? Certificates { get; set; }

    /// <summary>
    /// Publish mode only: the parameters that carry the certificate chain and its key to a deployment. Null in run
    /// mode, and when a certificates directory is mounted instead.
    /// </summary>
    public ProsodyDeploymentTls? DeploymentTls { get; set; }

    public List<ProsodyComponentResource> ExternalComponents { get; } = [];

    /// <summary>The subdomains taken by group chat, the file share and external components.</summary>
    public IEnumerable<string> ComponentSubdomains =>
        new[] { MultiUserChat?.Subdomain, FileShare?.Subdomain }.Concat(ExternalComponents.Select(c => c.Subdomain)).OfType<string>();

    /// <summary>Statistics and the OpenMetrics endpoint; null means on in run mode and off in publish mode.</summary>
    public bool? Metrics { get; set; }

    /// <summary>The one network (CIDR) allowed to read <c>/metrics</c>, besides loopback.</summary>
    public string? MetricsAllowedNetwork { get; set; }

    /// <summary>Null keeps the image's default: internal file storage in the data directory.</summary>
    public ProsodyStorage? Storage { get; set; }

    /// <summary>The TURN service whose credentials Prosody hands to clients (XEP-0215); null for none.</summary>
    public ProsodyTurn? Turn { get; set; }

    /// <summary>WithExtraConfiguration's texts and WithConfigurationFile's files, in the order of the calls.</summary>
    public List<ProsodyInclude> Includes { get; } = [];
}

/// <summary>Configuration of the user's own, included after the generated one: a text, or a file on the AppHost's machine.</summary>
internal sealed record ProsodyInclude(string? Lua, string? SourcePath);

/// <summary>An account Prosody creates at start (or whose password it resets to the parameter's value).</summary>
internal sealed record ProsodyAccount(string UserName, ParameterResource Password, bool IsAdmin);

/// <summary>
/// A value the container gets: text the app model wrote, or a reference (a parameter, an endpoint property, an
/// expression) that Aspire resolves where the container runs, so that publish mode writes a placeholder. Nothing
/// else can be made into one.
/// </summary>
internal readonly record struct ProsodyValue
{
    private ProsodyValue(object value) => Value = value;

    /// <summary>What the environment gets: the string, the parameter or the expression as the app model gave it.</summary>
    public object Value { get; }

    public static implicit operator ProsodyValue(string text) => new(text);

    public static implicit operator ProsodyValue(ParameterResource parameter) => new(parameter);

    public static implicit operator ProsodyValue(ReferenceExpression expression) => new(expression);

    public static implicit operator ProsodyValue(EndpointReferenceExpression property) => new(property);
}

/// <summary>
/// SQL storage. Values are references resolved where the container runs, never strings resolved in the AppHost:
/// publish mode then writes placeholders.
/// </summary>
internal sealed record ProsodyStorage(string Driver, ProsodyValue Database, ProsodyValue? Host = null, ProsodyValue? Port = null, ProsodyValue? UserName = null, ProsodyValue? Password = null)
{
    public const string PostgreSql = "PostgreSQL";
    public const string MySql = "MySQL";
    public const string Sqlite = "SQLite3";

    public bool HasServer => Host is not null;

    /// <summary>The database resource of the app model this storage is, which Prosody waits for; null for parameters or SQLite.</summary>
    public IResourceWithConnectionString? DatabaseResource { get; init; }

    /// <summary>What choosing that database added to the Prosody resource (its waits and reference), removed when replaced.</summary>
    public IReadOnlyList<IResourceAnnotation> Annotations { get; init; } = [];
}

/// <summary>
/// A TURN server as clients reach it: <paramref name="Host"/> and <paramref name="Port"/> are text, a parameter, or
/// endpoint properties resolved on the host's network, never the container network's alias.
/// </summary>
internal sealed record ProsodyTurn(ProsodyValue Host, ProsodyValue Port, ParameterResource Secret, bool Tcp)
{
    /// <summary>
    /// Where Prosody's own container reaches the server (coturn's container-network endpoint), when that differs from
    /// what clients are told: in run mode clients get 127.0.0.1, which inside Prosody's container is Prosody itself.
    /// Null for a TURN service outside the app model.
    /// </summary>
    public EndpointReference? ContainerNetworkEndpoint { get; init; }

    /// <summary>The coturn container <c>WithTurnServer</c> added; null for a TURN service outside the app model.</summary>
    public CoturnResource? Container { get; init; }

    /// <summary>The coturn container's health check, taken back out when a later TURN call replaces it.</summary>
    public Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration? ContainerHealthCheck { get; init; }
}

internal sealed record ProsodyMultiUserChatSettings(string Subdomain, ProsodyRoomCreation RoomCreation, int? HistoryMessages);

internal sealed record ProsodyFederationSettings(bool RequireEncryption, bool SecureAuthentication, bool External = false);

/// <summary>Either a certificate and key (PEM files, copied in at start) or a directory mounted read-only.</summary>
internal sealed record ProsodyCertificates(string? CertificatePath, string? KeyPath, string? Directory);

internal sealed record ProsodyFileShareSettings(string Subdomain, int? SizeLimitMegabytes, int? QuotaGigabytes, int? ExpiryDays);

/// <summary>The certificate chain (PEM, not secret) and its private key (PEM, secret) of a deployment.</summary>
internal sealed record ProsodyDeploymentTls(ParameterResource Certificate, ParameterResource Key);
