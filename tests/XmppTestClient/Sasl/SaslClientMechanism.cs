namespace XmppTestClient.Sasl;

/// <summary>
/// The client side of one SASL exchange (RFC 4422). XMPP carries the payloads base64-encoded in
/// &lt;auth/&gt;, &lt;challenge/&gt;, &lt;response/&gt; and &lt;success/&gt; (RFC 6120 section 6.4).
/// </summary>
internal abstract class SaslClientMechanism
{
    /// <summary>The IANA name, e.g. <c>SCRAM-SHA-1</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The payload sent in &lt;auth/&gt; (both our mechanisms are client-first).</summary>
    public abstract byte[] GetInitialResponse();

    /// <summary>The payload to send in &lt;response/&gt; for a server &lt;challenge/&gt;.</summary>
    /// <exception cref="XmppAuthenticationException">The challenge is malformed or proves the server wrong.</exception>
    public abstract byte[] RespondToChallenge(byte[] challenge);

    /// <summary>
    /// Called with the additional data of &lt;success/&gt; (empty if none); throws if the server
    /// did not prove that it knows the credentials.
    /// </summary>
    public virtual void VerifySuccess(byte[] additionalData)
    {
    }

    /// <summary>Creates the mechanism named <paramref name="name"/> (one of <see cref="SaslMechanisms"/>).</summary>
    public static SaslClientMechanism Create(string name, string username, string password) => name switch
    {
        SaslMechanisms.ScramSha256 => new ScramMechanism(ScramMechanism.Sha256, username, password),
        SaslMechanisms.ScramSha1 => new ScramMechanism(ScramMechanism.Sha1, username, password),
        SaslMechanisms.Plain => new PlainMechanism(username, password),
        _ => throw new ArgumentException(
            $"Unsupported SASL mechanism '{name}'; supported: {string.Join(", ", SaslMechanisms.StrongestFirst)}.",
            nameof(name)),
    };

    /// <summary>
    /// Picks the mechanism to use from those the server offers: the requested one, or else the
    /// strongest we support.
    /// </summary>
    /// <exception cref="XmppException">The requested (or any supported) mechanism is not offered.</exception>
    public static string Choose(IReadOnlyCollection<string> offered, string? requested)
    {
        if (requested is not null)
        {
            // Whether we implement it was checked before connecting (and again by Create).
            return offered.Contains(requested)
                ? requested
                : throw new XmppException($"The server does not offer SASL {requested}; it offers: {Describe(offered)}.");
        }

        return SaslMechanisms.StrongestFirst.FirstOrDefault(offered.Contains)
            ?? throw new XmppException($"The server offers no SASL mechanism this client supports; it offers: {Describe(offered)}.");
    }

    private static string Describe(IReadOnlyCollection<string> offered)
        => offered.Count == 0 ? "none (is TLS required first?)" : string.Join(", ", offered);
}
