namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// An account on a Prosody server for a service of the app model: Prosody creates it at start, and every app that
/// references it receives the account's JID and password, so nobody copies a password by hand.
/// </summary>
/// <remarks>
/// Apps that reference it receive the connection string
/// <c>Host=…;Port=…;Domain=…;Username=…;Password=…</c>, the form <c>AddProsodyClient</c> of the
/// Aspire.Prosody.Client package reads, and the connection properties <c>Host</c>, <c>Port</c>, <c>Domain</c>, <c>Username</c>, <c>Jid</c> and <c>Password</c>.
/// The password is a secret parameter: the manifest holds only its placeholder.
/// </remarks>
[AspireExport(ExposeProperties = true)]
public sealed class ProsodyAccountResource : Resource, IResourceWithParent<ProsodyResource>, IResourceWithConnectionString
{
    /// <summary>
    /// Creates an account resource.
    /// </summary>
    /// <param name="name">The name of the resource.</param>
    /// <param name="userName">The user name: the local part of the account's JID.</param>
    /// <param name="parent">The Prosody server that holds the account.</param>
    /// <param name="password">The parameter that holds the account's password.</param>
    public ProsodyAccountResource(string name, string userName, ProsodyResource parent, ParameterResource password) : base(name)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(password);
        UserName = userName;
        Parent = parent;
        PasswordParameter = password;
    }

    /// <summary>Gets the Prosody server that holds the account.</summary>
    public ProsodyResource Parent { get; }

    /// <summary>Gets the user name: the local part of the account's JID.</summary>
    public string UserName { get; }

    /// <summary>Gets the account's bare JID, <c>{user name}@{server domain}</c>.</summary>
    public string Jid => $"{UserName}@{Parent.Domain}";

    /// <summary>Gets the parameter that holds the account's password.</summary>
    public ParameterResource PasswordParameter { get; }

    /// <summary>
    /// Gets the connection string: <c>Host=…;Port=…;Domain=…;Username=…;Password=…</c>. A password that would end
    /// its value early (one with <c>;</c>, or quotes or spaces at either end) stops the server's start.
    /// </summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent.ConnectionStringExpression};Username={UserName};Password={PasswordParameter}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Parent.Host}")),
        new("Port", ReferenceExpression.Create($"{Parent.Port}")),
        new("Domain", ReferenceExpression.Create($"{Parent.Domain}")),
        new("Username", ReferenceExpression.Create($"{UserName}")),
        new("Jid", ReferenceExpression.Create($"{Jid}")),
        new("Password", ReferenceExpression.Create($"{PasswordParameter}")),
    ];
}
