namespace Aspire.Prosody.Client;

/// <summary>
/// The settings of the XMPP client that <c>AddProsodyClient</c> registers, bound from the <c>Aspire:Prosody:Client</c>
/// configuration section, then from <c>Aspire:Prosody:Client:{connectionName}</c>, then from
/// <c>ConnectionStrings:{connectionName}</c>, then from the delegate given to <c>AddProsodyClient</c>.
/// </summary>
public sealed class ProsodyClientSettings
{
    /// <summary>
    /// Gets or sets the connection string, as an AppHost hands it over with <c>WithReference</c>:
    /// <c>Host=…;Port=…;Domain=…</c> for a server, plus <c>Username=…;Password=…</c> for an account made with
    /// <c>AddAccount</c>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the host to connect to. Set from the connection string's <c>Host</c>.</summary>
    public string? Host { get; set; }

    /// <summary>Gets or sets the client-to-server port. The default value is 5222.</summary>
    public int Port { get; set; } = 5222;

    /// <summary>
    /// Gets or sets the XMPP domain, for example <c>chat.dev.localhost</c>. The server's certificate is validated
    /// against this name, not against <see cref="Host"/>.
    /// </summary>
    public string? Domain { get; set; }

    /// <summary>Gets or sets the account's user name (the local part of its JID).</summary>
    public string? Username { get; set; }

    /// <summary>Gets or sets the account's password. It is never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Gets or sets the resource to bind; when null the server assigns one.</summary>
    public string? Resource { get; set; }

    /// <summary>
    /// Gets or sets the path of a PEM file with certificates to trust as roots, in addition to the system's, for a
    /// server whose certificate the system does not trust (a self-signed one). Validation cannot be turned off.
    /// </summary>
    public string? TrustedCertificatesPath { get; set; }

    /// <summary>Gets or sets how long one connection attempt (TCP, TLS, sign-in, bind) may take. The default value is 30 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long an IQ request waits for its answer. The default value is 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how often the client pings the server to detect a dead connection. The default value is 60 seconds.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how many reconnect attempts follow a lost connection; null (the default) keeps trying.</summary>
    public int? MaxReconnectAttempts { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the client stays unconnected until the app calls
    /// <c>XmppClient.ConnectAsync</c>. The default value is false: it connects in the background when the host starts.
    /// </summary>
    public bool DisableAutoConnect { get; set; }

    /// <summary>Gets or sets a value indicating whether the health check is off. The default value is false.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Gets or sets a value indicating whether tracing is off. The default value is false.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>Gets or sets a value indicating whether metrics are off. The default value is false.</summary>
    public bool DisableMetrics { get; set; }
}
