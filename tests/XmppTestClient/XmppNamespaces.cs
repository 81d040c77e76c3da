using System.Xml.Linq;

namespace XmppTestClient;

/// <summary>XML namespaces used on the wire, for building and inspecting stanzas in tests.</summary>
public static class XmppNamespaces
{
    /// <summary><c>jabber:client</c>: the namespace of message, presence and iq stanzas on a client stream.</summary>
    public static readonly XNamespace Client = "jabber:client";

    /// <summary><c>http://etherx.jabber.org/streams</c>: stream header, features and stream errors.</summary>
    public static readonly XNamespace Streams = "http://etherx.jabber.org/streams";

    /// <summary><c>jabber:component:accept</c>: the namespace of stanzas on an external component's stream (XEP-0114).</summary>
    public static readonly XNamespace ComponentAccept = "jabber:component:accept";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-streams</c>: stream error conditions.</summary>
    public static readonly XNamespace StreamErrors = "urn:ietf:params:xml:ns:xmpp-streams";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-stanzas</c>: stanza error conditions.</summary>
    public static readonly XNamespace StanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-tls</c>: STARTTLS negotiation.</summary>
    public static readonly XNamespace Tls = "urn:ietf:params:xml:ns:xmpp-tls";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-sasl</c>: SASL negotiation.</summary>
    public static readonly XNamespace Sasl = "urn:ietf:params:xml:ns:xmpp-sasl";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-bind</c>: resource binding.</summary>
    public static readonly XNamespace Bind = "urn:ietf:params:xml:ns:xmpp-bind";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-session</c>: legacy session establishment (RFC 3921).</summary>
    public static readonly XNamespace Session = "urn:ietf:params:xml:ns:xmpp-session";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-framing</c>: WebSocket framing (RFC 7395).</summary>
    public static readonly XNamespace Framing = "urn:ietf:params:xml:ns:xmpp-framing";

    /// <summary><c>jabber:iq:roster</c>: roster management.</summary>
    public static readonly XNamespace Roster = "jabber:iq:roster";

    /// <summary><c>http://jabber.org/protocol/disco#info</c>: service discovery (XEP-0030).</summary>
    public static readonly XNamespace DiscoInfo = "http://jabber.org/protocol/disco#info";

    /// <summary><c>http://jabber.org/protocol/disco#items</c>: service discovery items (XEP-0030).</summary>
    public static readonly XNamespace DiscoItems = "http://jabber.org/protocol/disco#items";

    /// <summary><c>http://jabber.org/protocol/commands</c>: ad-hoc commands (XEP-0050).</summary>
    public static readonly XNamespace Commands = "http://jabber.org/protocol/commands";

    /// <summary><c>urn:xmpp:ping</c>: XMPP ping (XEP-0199).</summary>
    public static readonly XNamespace Ping = "urn:xmpp:ping";

    /// <summary><c>http://jabber.org/protocol/muc</c>: multi-user chat, joining a room (XEP-0045).</summary>
    public static readonly XNamespace Muc = "http://jabber.org/protocol/muc";

    /// <summary><c>http://jabber.org/protocol/muc#user</c>: multi-user chat, occupants and status codes (XEP-0045).</summary>
    public static readonly XNamespace MucUser = "http://jabber.org/protocol/muc#user";

    /// <summary><c>http://jabber.org/protocol/muc#owner</c>: multi-user chat, room configuration (XEP-0045).</summary>
    public static readonly XNamespace MucOwner = "http://jabber.org/protocol/muc#owner";

    /// <summary><c>jabber:x:data</c>: data forms (XEP-0004).</summary>
    public static readonly XNamespace DataForms = "jabber:x:data";

    /// <summary><c>urn:xmpp:delay</c>: delayed delivery stamps (XEP-0203).</summary>
    public static readonly XNamespace Delay = "urn:xmpp:delay";

    /// <summary><c>urn:xmpp:mam:2</c>: message archive management (XEP-0313).</summary>
    public static readonly XNamespace Mam = "urn:xmpp:mam:2";

    /// <summary><c>urn:xmpp:forward:0</c>: stanza forwarding, which archive results are wrapped in (XEP-0297).</summary>
    public static readonly XNamespace Forward = "urn:xmpp:forward:0";

    /// <summary><c>urn:xmpp:http:upload:0</c>: HTTP file upload (XEP-0363).</summary>
    public static readonly XNamespace Upload = "urn:xmpp:http:upload:0";

    /// <summary><c>jabber:iq:last</c>: last activity (XEP-0012).</summary>
    public static readonly XNamespace LastActivity = "jabber:iq:last";

    /// <summary><c>urn:xmpp:extdisco:2</c>: external service discovery, STUN and TURN services (XEP-0215).</summary>
    public static readonly XNamespace ExtDisco = "urn:xmpp:extdisco:2";
}
