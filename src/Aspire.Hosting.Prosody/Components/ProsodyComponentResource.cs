namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// An external component (XEP-0114) of a Prosody server: a service of yours that connects to Prosody's component
/// port with a shared secret and then owns the domain <c>{subdomain}.{server domain}</c>.
/// </summary>
/// <remarks>
/// Apps that reference it receive what they need to connect: the connection string
/// <c>Host=…;Port=…;Domain=…;Secret=…</c> and the connection properties <c>Host</c>, <c>Port</c>, <c>Domain</c> and
/// <c>Secret</c>.
/// </remarks>
[AspireExport(ExposeProperties = true)]
public sealed class ProsodyComponentResource : Resource, IResourceWithParent<ProsodyResource>, IResourceWithConnectionString
{
    /// <summary>
    /// Creates an external component resource.
    /// </summary>
    /// <param name="name">The name of the resource.</param>
    /// <param name="subdomain">The component's subdomain label under the server's domain.</param>
    /// <param name="parent">The Prosody server.</param>
    /// <param name="secret">The secret the component authenticates with.</param>
    public ProsodyComponentResource(string name, string subdomain, ProsodyResource parent, ParameterResource secret) : base(name)
    {
        ArgumentException.ThrowIfNullOrEmpty(subdomain);
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(secret);
        Subdomain = subdomain;
        Parent = parent;
        SecretParameter = secret;
    }

    /// <summary>Gets the Prosody server the component connects to.</summary>
    public ProsodyResource Parent { get; }

    /// <summary>Gets the component's subdomain label.</summary>
    public string Subdomain { get; }

    /// <summary>Gets the component's domain, <c>{subdomain}.{server domain}</c>.</summary>
    public string Domain => $"{Subdomain}.{Parent.Domain}";

    /// <summary>Gets the parameter that holds the component's secret.</summary>
    public ParameterResource SecretParameter { get; }

    /// <summary>Gets the server's component endpoint (container port 5347).</summary>
    public EndpointReference Endpoint => Parent.ComponentEndpoint;

    /// <summary>Gets the connection string: <c>Host=…;Port=…;Domain=…;Secret=…</c>.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host={Endpoint.Property(EndpointProperty.Host)};Port={Endpoint.Property(EndpointProperty.Port)};Domain={Domain};Secret={SecretParameter}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.Host)}")),
        new("Port", ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.Port)}")),
        new("Domain", ReferenceExpression.Create($"{Domain}")),
        new("Secret", ReferenceExpression.Create($"{SecretParameter}")),
    ];
}
