namespace Aspire.Prosody.Client;

/// <summary>XML namespaces used on the wire, for building and inspecting stanzas.</summary>
public static class XmppNamespaces
{
    /// <summary><c>jabber:client</c>: message, presence and iq on a client stream.</summary>
    public static readonly XNamespace Client = "jabber:client";

    /// <summary><c>http://etherx.jabber.org/streams</c>: stream header, features and errors.</summary>
    public static readonly XNamespace Streams = "http://etherx.jabber.org/streams";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-streams</c>: stream error conditions.</summary>
    public static readonly XNamespace StreamErrors = "urn:ietf:params:xml:ns:xmpp-streams";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-stanzas</c>: stanza error conditions.</summary>
    public static readonly XNamespace StanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-tls</c>: STARTTLS.</summary>
    public static readonly XNamespace Tls = "urn:ietf:params:xml:ns:xmpp-tls";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-sasl</c>: SASL.</summary>
    public static readonly XNamespace Sasl = "urn:ietf:params:xml:ns:xmpp-sasl";

    /// <summary><c>urn:ietf:params:xml:ns:xmpp-bind</c>: resource binding.</summary>
    public static readonly XNamespace Bind = "urn:ietf:params:xml:ns:xmpp-bind";

    /// <summary><c>urn:xmpp:sm:3</c>: stream management (XEP-0198).</summary>
    public static readonly XNamespace StreamManagement = "urn:xmpp:sm:3";

    /// <summary><c>urn:xmpp:ping</c>: XMPP ping (XEP-0199).</summary>
    public static readonly XNamespace Ping = "urn:xmpp:ping";

    /// <summary><c>http://jabber.org/protocol/disco#info</c>: service discovery (XEP-0030).</summary>
    public static readonly XNamespace DiscoInfo = "http://jabber.org/protocol/disco#info";

    /// <summary><c>http://jabber.org/protocol/disco#items</c>: service discovery items (XEP-0030).</summary>
    public static readonly XNamespace DiscoItems = "http://jabber.org/protocol/disco#items";

    /// <summary><c>http://jabber.org/protocol/muc</c>: joining a room (XEP-0045).</summary>
    public static readonly XNamespace Muc = "http://jabber.org/protocol/muc";

    /// <summary><c>http://jabber.org/protocol/muc#user</c>: occupants and status codes (XEP-0045).</summary>
    public static readonly XNamespace MucUser = "http://jabber.org/protocol/muc#user";

    /// <summary><c>http://jabber.org/protocol/muc#owner</c>: room configuration (XEP-0045).</summary>
    public static readonly XNamespace MucOwner = "http://jabber.org/protocol/muc#owner";

    /// <summary><c>jabber:x:data</c>: data forms (XEP-0004).</summary>
    public static readonly XNamespace DataForms = "jabber:x:data";

    /// <summary><c>urn:xmpp:delay</c>: delayed delivery (XEP-0203).</summary>
    public static readonly XNamespace Delay = "urn:xmpp:delay";

    /// <summary><c>urn:xmpp:http:upload:0</c>: HTTP file upload (XEP-0363).</summary>
    public static readonly XNamespace Upload = "urn:xmpp:http:upload:0";
}
