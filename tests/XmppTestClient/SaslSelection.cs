using Aspire.Prosody.Client.Xmpp.Sasl;

namespace XmppTestClient;

/// <summary>
/// Picks the SASL mechanism for a test session. The package always takes the strongest one the server offers; a test
/// may force one (<see cref="XmppClientOptions.SaslMechanism"/>), e.g. to prove that the server offers PLAIN over TLS.
/// The mechanisms themselves are the package's.
/// </summary>
internal static class SaslSelection
{
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

    /// <summary>The requested mechanism, or else the strongest one offered that the package implements.</summary>
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
