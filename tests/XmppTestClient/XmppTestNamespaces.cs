namespace XmppTestClient;

/// <summary>
/// The XML namespaces only this test layer speaks; everything a service uses is in
/// <see cref="Aspire.Prosody.Client.XmppNamespaces"/>.
/// </summary>
public static class XmppTestNamespaces
{
    /// <summary><c>jabber:component:accept</c>: the namespace of stanzas on an external component's stream (XEP-0114).</summary>
    public static readonly XNamespace ComponentAccept = "jabber:component:accept";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-session</c>: legacy session establishment (RFC 3921).</summary>
    public static readonly XNamespace Session = "urn:ietf:params:xml:ns:xmpp-session";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-framing</c>: WebSocket framing (RFC 7395).</summary>
    public static readonly XNamespace Framing = "urn:ietf:params:xml:ns:xmpp-framing";

    /// <summary><c>jabber:iq:roster</c>: roster management.</summary>
    public static readonly XNamespace Roster = "jabber:iq:roster";

    /// <summary><c>http://jabber.org/protocol/commands</c>: ad-hoc commands (XEP-0050).</summary>
    public static readonly XNamespace Commands = "http://jabber.org/protocol/commands";

    /// <summary><c>urn:xmpp:extdisco:2</c>: external service discovery, STUN and TURN services (XEP-0215).</summary>
    public static readonly XNamespace ExtDisco = "urn:xmpp:extdisco:2";

    /// <summary><c>urn:xmpp:mam:2</c>: message archive management (XEP-0313).</summary>
    public static readonly XNamespace Mam = "urn:xmpp:mam:2";

    /// <summary><c>urn:xmpp:forward:0</c>: stanza forwarding, which archive results are wrapped in (XEP-0297).</summary>
    public static readonly XNamespace Forward = "urn:xmpp:forward:0";

    /// <summary><c>jabber:iq:last</c>: last activity (XEP-0012).</summary>
    public static readonly XNamespace LastActivity = "jabber:iq:last";
}
