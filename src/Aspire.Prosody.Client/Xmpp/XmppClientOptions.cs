using System.Security.Cryptography.X509Certificates;

namespace Aspire.Prosody.Client;

/// <summary>Options of an <see cref="XmppClient"/>. Every property has a usable default except the connection details.</summary>
public sealed class XmppClientOptions
{
    /// <summary>The TCP host to dial, e.g. <c>localhost</c> or a container name.</summary>
    public string Host { get; set; } = "";

    /// <summary>The TCP port of client-to-server connections. The default is 5222.</summary>
    public int Port { get; set; } = 5222;

    /// <summary>
    /// The XMPP domain: the stream's <c>to</c> and the name the server's TLS certificate must carry (it is also the SNI),
    /// which may differ from <see cref="Host"/>.
    /// </summary>
    public string Domain { get; set; } = "";

    /// <summary>The account's local part, e.g. <c>alice</c> for <c>alice@example.com</c>.</summary>
    public string Username { get; set; } = "";

    /// <summary>The account's password. Never logged and never part of an exception message.</summary>
    public string Password { get; set; } = "";

    /// <summary>The resource to bind, or <see langword="null"/> to let the server choose one.</summary>
    public string? Resource { get; set; }

    /// <summary>How long one connection attempt (TCP, TLS, SASL and binding together) may take. The default is 30 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an IQ request (including pings) waits for its answer. The default is 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the client pings the server (XEP-0199). A ping unanswered within <see cref="RequestTimeout"/> means the
    /// connection is dead (this also catches a peer that stops in the middle of a stanza) and the client reconnects.
    /// The default is 60 seconds.
    /// </summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The first delay before reconnecting; later delays grow exponentially with jitter. The default is 1 second.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between reconnect attempts. The default is 30 seconds.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times to retry a failed connection before giving up, or <see langword="null"/> (the default) to keep
    /// trying until the client is disposed. Authentication and certificate errors are never retried.
    /// </summary>
    public int? MaxReconnectAttempts { get; set; }

    /// <summary>
    /// Extra trust anchors, e.g. the self-signed certificate of a development server. Validation is always on: the
    /// certificate must chain to the system store or to one of these, and carry <see cref="Domain"/> as its name.
    /// </summary>
    public X509Certificate2Collection TrustedCertificates { get; } = [];

    /// <summary>
    /// The largest stanza the client accepts, in bytes as read from the network; a larger one closes the connection.
    /// The default is 1 MiB.
    /// </summary>
    public int MaxStanzaBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How many received messages are buffered for <see cref="XmppClient.ReceiveMessagesAsync"/> (and per room); when the
    /// buffer is full the client stops reading from the network until a message is taken. The default is 1000.
    /// </summary>
    public int ReceiveBufferCapacity { get; set; } = 1000;

    /// <summary>Checks the options; called by <see cref="XmppClient"/>'s constructor.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range; the message names it.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("XmppClientOptions.Host is required: the TCP host of the XMPP server.", "options");
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"XmppClientOptions.Port must be between 1 and 65535 (was {Port}).", "options");
        }

        if (!Jid.TryParse(Domain, out var domain) || domain.Local is not null || domain.Resource is not null)
        {
            throw new ArgumentException($"XmppClientOptions.Domain must be an XMPP domain such as 'example.com' (was '{Domain}').", "options");
        }

        if (string.IsNullOrEmpty(Username) || !Jid.TryParse(Username + "@" + domain.Domain, out var user) || user.Local != Username)
        {
            throw new ArgumentException("XmppClientOptions.Username must be the account's local part (e.g. 'alice'), without '@', '/', spaces or quotes.", "options");
        }

        if (string.IsNullOrEmpty(Password))
        {
            throw new ArgumentException("XmppClientOptions.Password is required.", "options");
        }

        if (Resource is not null && !Jid.TryParse(domain.Domain + "/" + Resource, out _))
        {
            throw new ArgumentException("XmppClientOptions.Resource must be a non-empty resource without control characters, or null.", "options");
        }

        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(RequestTimeout, nameof(RequestTimeout));
        RequirePositive(PingInterval, nameof(PingInterval));
        RequirePositive(ReconnectMinDelay, nameof(ReconnectMinDelay));
        if (ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentException("XmppClientOptions.ReconnectMaxDelay must not be shorter than ReconnectMinDelay.", "options");
        }

        if (MaxReconnectAttempts is < 0)
        {
            throw new ArgumentException("XmppClientOptions.MaxReconnectAttempts must be 0 or more, or null for no limit.", "options");
        }

        if (MaxStanzaBytes < 10_000)
        {
            throw new ArgumentException("XmppClientOptions.MaxStanzaBytes must be at least 10000 (what a server may send before sign-in).", "options");
        }

        if (ReceiveBufferCapacity < 1)
        {
            throw new ArgumentException("XmppClientOptions.ReceiveBufferCapacity must be at least 1.", "options");
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"XmppClientOptions.{name} must be positive (was {value}).", "options");
        }
    }

    /// <summary>A copy, so that later changes by the caller do not affect a running client.</summary>
    internal XmppClientOptions Clone()
    {
        var copy = new XmppClientOptions
        {
            Host = Host,
            Port = Port,
            Domain = Domain,
            Username = Username,
            Password = Password,
            Resource = Resource,
            ConnectTimeout = ConnectTimeout,
            RequestTimeout = RequestTimeout,
            PingInterval = PingInterval,
            ReconnectMinDelay = ReconnectMinDelay,
            ReconnectMaxDelay = ReconnectMaxDelay,
            MaxReconnectAttempts = MaxReconnectAttempts,
            MaxStanzaBytes = MaxStanzaBytes,
            ReceiveBufferCapacity = ReceiveBufferCapacity,
        };
        copy.TrustedCertificates.AddRange(TrustedCertificates);
        return copy;
    }
}
