namespace XmppTestClient;

/// <summary>Shorthands for reading stanzas in test predicates and assertions.</summary>
public static class StanzaExtensions
{
    /// <summary>The <c>from</c> address, or <see langword="null"/> if absent or unparsable.</summary>
    public static Jid? GetFrom(this XElement stanza)
        => Jid.TryParse(stanza.Attribute("from")?.Value, out var jid) ? jid : null;

    /// <summary>The <c>to</c> address, or <see langword="null"/> if absent or unparsable.</summary>
    public static Jid? GetTo(this XElement stanza)
        => Jid.TryParse(stanza.Attribute("to")?.Value, out var jid) ? jid : null;

    /// <summary>The <c>type</c> attribute, or <see langword="null"/> if absent.</summary>
    public static string? GetStanzaType(this XElement stanza) => stanza.Attribute("type")?.Value;

    /// <summary>The text of the first <c>&lt;body/&gt;</c>, or <see langword="null"/> if there is none.</summary>
    public static string? GetBody(this XElement stanza) => stanza.Element(XmppNamespaces.Client + "body")?.Value;

    /// <summary>
    /// Whether the stanza comes from <paramref name="jid"/>: a full JID must match exactly, a bare
    /// JID matches any resource of that account.
    /// </summary>
    public static bool IsFrom(this XElement stanza, string jid)
    {
        var expected = Jid.Parse(jid);
        return stanza.GetFrom() is { } from && (expected.IsBare ? from.Bare == expected : from == expected);
    }

    /// <summary>Whether this is a <c>jabber:client</c> message.</summary>
    public static bool IsMessage(this XElement stanza) => stanza.Name == XmppNamespaces.Client + "message";

    /// <summary>Whether this is a <c>jabber:client</c> presence.</summary>
    public static bool IsPresence(this XElement stanza) => stanza.Name == XmppNamespaces.Client + "presence";

    /// <summary>Whether this is a <c>jabber:client</c> iq.</summary>
    public static bool IsIq(this XElement stanza) => stanza.Name == XmppNamespaces.Client + "iq";
}
