using Aspire.Prosody.Client.Xmpp.Sasl;

namespace XmppTestClient;

/// <summary>When the TCP transport upgrades the connection with STARTTLS.</summary>
public enum StartTlsPolicy
{
    /// <summary>Upgrade, and fail if the server does not offer STARTTLS (the default).</summary>
    Required,

    /// <summary>Upgrade only if the server offers STARTTLS.</summary>
    IfOffered,

    /// <summary>Never upgrade; useful to check that the server refuses to authenticate in plain text.</summary>
    Never,
}

/// <summary>Names of the SASL mechanisms this client implements.</summary>
public static class SaslMechanisms
{
    /// <summary>SCRAM-SHA-256 (RFC 7677).</summary>
    public const string ScramSha256 = SaslClientMechanism.ScramSha256;

    /// <summary>SCRAM-SHA-1 (RFC 5802).</summary>
    public const string ScramSha1 = SaslClientMechanism.ScramSha1;

    /// <summary>PLAIN (RFC 4616); servers only offer it over TLS.</summary>
    public const string Plain = SaslClientMechanism.Plain;

    /// <summary>The supported mechanisms, strongest first: the order used for automatic selection.</summary>
    public static IReadOnlyList<string> StrongestFirst { get; } = [ScramSha256, ScramSha1, Plain];
}

/// <summary>Where and how to connect. A record, so a second account is <c>options with { Username = "bob" }</c>.</summary>
public sealed record XmppClientOptions
{
    /// <summary>Host name or address to open the TCP connection to.</summary>
    public string Host { get; init; } = "localhost";

    /// <summary>TCP port of the client-to-server listener.</summary>
    public int Port { get; init; } = 5222;

    /// <summary>The XMPP domain (the VirtualHost) put in the stream header and used for TLS SNI.</summary>
    public string Domain { get; init; } = "localhost";

    /// <summary>Account name (local part of the JID) used for SASL.</summary>
    public string? Username { get; init; }

    /// <summary>Account password used for SASL.</summary>
    public string? Password { get; init; }

    /// <summary>Resource to ask for when binding; <see langword="null"/> lets the server choose one.</summary>
    public string? Resource { get; init; }

    /// <summary>STARTTLS behaviour on TCP; ignored for WebSocket (use wss:// for TLS there).</summary>
    public StartTlsPolicy StartTls { get; init; } = StartTlsPolicy.Required;

    /// <summary>
    /// Validates the server certificate for STARTTLS and wss://. <see langword="null"/> (the default)
    /// accepts any certificate; <see cref="ServerCertificates.TrustOnly"/> accepts only one that names the host
    /// and chains to a certificate the caller trusts.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }

    /// <summary>
    /// The SASL mechanism to use (see <see cref="SaslMechanisms"/>); <see langword="null"/> picks the
    /// strongest one the server offers. Connecting fails if the requested one is not offered.
    /// </summary>
    public string? SaslMechanism { get; init; }

    /// <summary>Limit for connecting and negotiating, and the default wait for iq responses and stanzas.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Receives every XML fragment sent (<c>SEND ...</c>) and received (<c>RECV ...</c>), with SASL
    /// payloads and password elements redacted. Called from the I/O path, so keep it quick.
    /// </summary>
    public Action<string>? Log { get; init; }
}
