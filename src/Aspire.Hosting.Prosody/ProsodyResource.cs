namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Prosody XMPP server running in a container.
/// </summary>
/// <remarks>
/// The primary endpoint is client-to-server XMPP (c2s, container port 5222). The <c>http</c> endpoint
/// (container port 5280) serves the websocket (<c>/xmpp-websocket</c>) and BOSH (<c>/http-bind</c>) endpoints, and
/// the <c>https</c> endpoint (5281) the same over TLS, with the developer certificate in run mode when there is one.
/// Apps that reference this resource receive a connection string of the form
/// <c>Host=…;Port=…;Domain=…</c> and the connection properties <c>Host</c>, <c>Port</c>, <c>Domain</c> and,
/// while the websocket is on, <c>WebSocketUri</c> and <c>SecureWebSocketUri</c>.
/// </remarks>
[AspireExport(ExposeProperties = true)]
public sealed class ProsodyResource : ContainerResource, IResourceWithConnectionString
{
    internal const string ClientEndpointName = "c2s";
    internal const string HttpEndpointName = "http";
    internal const string ServerEndpointName = "s2s";
    internal const string ComponentEndpointName = "component";
    internal const int ComponentTargetPort = 5347;
    internal const int ClientTargetPort = 5222;
    internal const int HttpTargetPort = 5280;
    internal const int ServerTargetPort = 5269;
    internal const string HttpsEndpointName = "https";
    internal const int HttpsTargetPort = 5281;

    /// <summary>
    /// Creates a Prosody resource.
    /// </summary>
    /// <param name="name">The name of the resource.</param>
    /// <param name="adminPassword">The parameter that holds the administrator account's password.</param>
    public ProsodyResource(string name, ParameterResource adminPassword) : base(name)
    {
        ArgumentNullException.ThrowIfNull(adminPassword);
        PrimaryEndpoint = new(this, ClientEndpointName);
        HttpEndpoint = new(this, HttpEndpointName);
        Settings = new ProsodySettings(name, adminPassword);
    }

    /// <summary>Gets the client-to-server (c2s) XMPP endpoint.</summary>
    public EndpointReference PrimaryEndpoint { get; }

    /// <summary>Gets the plain HTTP endpoint (websocket, BOSH, file share).</summary>
    public EndpointReference HttpEndpoint { get; }

    /// <summary>
    /// Gets the component endpoint (container port 5347, XEP-0114). As with Aspire's <c>GetEndpoint</c>, the reference
    /// is always returned but the endpoint exists only once <see cref="ProsodyBuilderExtensions.AddExternalComponent"/>
    /// was called: check <see cref="EndpointReference.Exists"/> before resolving its properties, which otherwise throws.
    /// </summary>
    public EndpointReference ComponentEndpoint => new(this, ComponentEndpointName);

    /// <summary>Gets the host of the c2s endpoint, resolved in the network of whoever reads it.</summary>
    public EndpointReferenceExpression Host => PrimaryEndpoint.Property(EndpointProperty.Host);

    /// <summary>Gets the port of the c2s endpoint, resolved in the network of whoever reads it.</summary>
    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    /// <summary>Gets the XMPP domain the server hosts (its virtual host), for example <c>chat.dev.localhost</c>.</summary>
    public string Domain => Settings.Domain;

    /// <summary>Gets the user name of the administrator account.</summary>
    public string AdminUserName => Settings.Administrator.UserName;

    /// <summary>Gets the parameter that holds the administrator account's password.</summary>
    public ParameterResource AdminPasswordParameter => Settings.Administrator.Password;

    /// <summary>Gets the websocket URI (RFC 7395) clients connect to, for example <c>ws://localhost:5280/xmpp-websocket</c>.</summary>
    public ReferenceExpression WebSocketUri =>
        ReferenceExpression.Create($"ws://{HttpEndpoint.Property(EndpointProperty.HostAndPort)}/xmpp-websocket");

    /// <summary>
    /// Gets the websocket URI over TLS (<c>wss://</c>) on the <c>https</c> endpoint, named by the XMPP domain, for
    /// example <c>wss://chat.dev.localhost:61234/xmpp-websocket</c>: Prosody picks its certificate by that name, and
    /// browsers resolve a name under <c>.localhost</c> to this machine. In a deployment with a literal
    /// <see cref="ProsodyBuilderExtensions.WithPublicUrl(IResourceBuilder{ProsodyResource}, Uri)"/> it is that URL's
    /// websocket (<c>wss://chat.example.com/xmpp-websocket</c>).
    /// </summary>
    public ReferenceExpression SecureWebSocketUri => ProsodyConfiguration.For(this).PublicUrlLiteral is { } publicUrl
        ? ReferenceExpression.Create($"{(publicUrl.StartsWith("https:", StringComparison.Ordinal) ? "wss" : "ws")}{publicUrl[publicUrl.IndexOf(':', StringComparison.Ordinal)..]}xmpp-websocket")
        : ReferenceExpression.Create($"wss://{Domain}:{HttpsEndpoint.Property(EndpointProperty.Port)}/xmpp-websocket");

    /// <summary>Gets the HTTPS endpoint (container port 5281): websocket, BOSH and file share over TLS.</summary>
    public EndpointReference HttpsEndpoint => new(this, HttpsEndpointName);

    /// <summary>
    /// Gets the OpenMetrics endpoint (<c>/metrics</c> on the <c>http</c> endpoint), a scrape target for Prometheus.
    /// It answers only when metrics are on (<see cref="ProsodyBuilderExtensions.WithMetrics"/>), and only to allowed networks.
    /// </summary>
    public ReferenceExpression MetricsUri =>
        ReferenceExpression.Create($"http://{HttpEndpoint.Property(EndpointProperty.HostAndPort)}/metrics");

    /// <summary>Gets the connection string: <c>Host=…;Port=…;Domain=…</c>.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host={Host};Port={Port};Domain={Domain}");

    internal ProsodySettings Settings { get; }

    /// <summary>Whether the app model runs (rather than publishes): the one place the mode is read from.</summary>
    internal bool IsRunMode { get; init; } = true;

    /// <summary>Whether Prosody serves metrics: decided, like everything else, by <see cref="ProsodyConfiguration"/>.</summary>
    internal bool MetricsEnabled => ProsodyConfiguration.For(this).MetricsEnabled;

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties()
    {
        yield return new("Host", ReferenceExpression.Create($"{Host}"));
        yield return new("Port", ReferenceExpression.Create($"{Port}"));
        yield return new("Domain", ReferenceExpression.Create($"{Domain}"));
        if (Settings.WebSocket)
        {
            yield return new("WebSocketUri", WebSocketUri);
            // Only where it is known to lead somewhere: a deployment whose public URL is a parameter gets no guess.
            if (ProsodyConfiguration.For(this).ExternalUrl != ProsodyExternalUrl.Parameter)
            {
                yield return new("SecureWebSocketUri", SecureWebSocketUri);
            }
        }

        if (MetricsEnabled)
        {
            yield return new("MetricsUri", MetricsUri);
        }
    }
}
