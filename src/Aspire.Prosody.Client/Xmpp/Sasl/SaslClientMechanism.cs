namespace Aspire.Prosody.Client.Xmpp.Sasl;

/// <summary>
/// The client side of one SASL exchange (RFC 4422). XMPP carries the payloads base64-encoded in &lt;auth/&gt;,
/// &lt;challenge/&gt;, &lt;response/&gt; and &lt;success/&gt; (RFC 6120 section 6.4). Payloads are never logged.
/// </summary>
internal abstract class SaslClientMechanism
{
    public const string ScramSha256 = "SCRAM-SHA-256";
    public const string ScramSha1 = "SCRAM-SHA-1";
    public const string Plain = "PLAIN";

    /// <summary>The IANA name, e.g. <c>SCRAM-SHA-1</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The payload sent in &lt;auth/&gt; (both our mechanisms are client-first).</summary>
    public abstract byte[] GetInitialResponse();

    /// <summary>The payload to send in &lt;response/&gt; for a server &lt;challenge/&gt;.</summary>
    /// <exception cref="XmppAuthenticationException">The challenge is malformed or proves the server wrong.</exception>
    public abstract byte[] RespondToChallenge(byte[] challenge);

    /// <summary>Checks the additional data of &lt;success/&gt;; throws if the server did not prove it knows the credentials.</summary>
    public virtual void VerifySuccess(byte[] additionalData)
    {
    }

    /// <summary>
    /// Picks the mechanism: SCRAM-SHA-256, then SCRAM-SHA-1, and PLAIN only when the server offers no SCRAM (this client
    /// authenticates only over TLS, so PLAIN never travels in clear). The -PLUS variants are not used: .NET cannot produce
    /// the tls-exporter binding TLS 1.3 needs, so the GS2 header says "n" (no channel binding support).
    /// </summary>
    /// <exception cref="XmppAuthenticationException">No supported mechanism is offered.</exception>
    public static SaslClientMechanism Choose(IReadOnlyCollection<string> offered, string username, string password)
    {
        if (offered.Contains(ScramSha256))
        {
            return new ScramMechanism(ScramMechanism.Sha256, username, password);
        }

        if (offered.Contains(ScramSha1))
        {
            return new ScramMechanism(ScramMechanism.Sha1, username, password);
        }

        if (offered.Contains(Plain))
        {
            return new PlainMechanism(username, password);
        }

        throw new XmppAuthenticationException("(none)", "invalid-mechanism",
            $"the server offers no mechanism this client supports (SCRAM-SHA-256, SCRAM-SHA-1, PLAIN); it offers: {(offered.Count == 0 ? "none" : string.Join(", ", offered))}");
    }
}
