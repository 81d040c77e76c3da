using System.Text;

namespace Aspire.Prosody.Client.Xmpp.Sasl;

/// <summary>PLAIN (RFC 4616): <c>authzid NUL authcid NUL password</c> in a single message.</summary>
internal sealed class PlainMechanism(string username, string password) : SaslClientMechanism
{
    public override string Name => Plain;

    // The authorization identity is left empty: we act as the account we authenticate as.
    public override byte[] GetInitialResponse() => Encoding.UTF8.GetBytes($"\0{username}\0{password}");

    public override byte[] RespondToChallenge(byte[] challenge)
        => throw new XmppAuthenticationException(Name, "malformed-request", "PLAIN does not expect a challenge.");
}
