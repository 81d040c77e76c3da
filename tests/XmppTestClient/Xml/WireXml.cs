using System.Xml;

namespace XmppTestClient.Xml;

/// <summary>
/// The XML pieces only the test layer needs: websocket frames, the component stream header and the redacted log text.
/// Reading and writing stanzas is the package's <see cref="XmppXml"/>.
/// </summary>
internal static class WireXml
{
    private const string Redacted = "[redacted]";

    // The package's writer settings, minus the declaration: the component header is written as one piece of text.
    private static readonly XmlWriterSettings HeaderSettings = new()
    {
        OmitXmlDeclaration = true,
        ConformanceLevel = ConformanceLevel.Fragment,
        CheckCharacters = true,
        NewLineHandling = NewLineHandling.Entitize,
    };

    /// <summary>
    /// An external component's stream header (XEP-0114 section 3): the <c>jabber:component:accept</c> namespace and no
    /// version, so the server sends a stream id to hash instead of stream features. Written with <see cref="XmlWriter"/>
    /// so the domain is escaped; the start tag stays open.
    /// </summary>
    public static byte[] ComponentStreamHeader(string domain)
    {
        var builder = new StringBuilder("<?xml version='1.0'?>");
        var writer = XmlWriter.Create(builder, HeaderSettings);
        writer.WriteStartElement("stream", "stream", XmppNamespaces.Streams.NamespaceName);
        writer.WriteAttributeString("xmlns", XmppTestNamespaces.ComponentAccept.NamespaceName);
        writer.WriteAttributeString("to", domain);
        writer.WriteString(""); // closes the start tag without closing the element
        writer.Flush();
        // The writer is abandoned, not disposed: disposing would close the element.
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Parses one stand-alone element, e.g. a WebSocket frame.</summary>
    /// <remarks>
    /// The frame is parsed as if it were inside a client stream: the <c>stream</c> prefix is pre-declared and the
    /// default namespace is <c>jabber:client</c>. RFC 7395 wants every frame to declare its namespaces, but Prosody 13.0
    /// sends <c>&lt;stream:error&gt;</c> without declaring the prefix, which would otherwise hide the actual error behind
    /// an XmlException.
    /// </remarks>
    /// <exception cref="XmlException">The text is not a single well-formed element.</exception>
    public static XElement ParseElement(string text)
    {
        var names = new NameTable();
        var namespaces = new XmlNamespaceManager(names);
        namespaces.AddNamespace("", XmppNamespaces.Client.NamespaceName);
        namespaces.AddNamespace("stream", XmppNamespaces.Streams.NamespaceName);
        var context = new XmlParserContext(names, namespaces, null, XmlSpace.None);

        using var reader = XmlReader.Create(new StringReader(text), XmppXml.ReaderSettings, context);

        // Completes synchronously: the whole input is already in memory.
        var element = XmppXml.ReadElementAsync(reader).GetAwaiter().GetResult()
            ?? throw new XmlException("Expected an XML element.");
        // Anything but whitespace after the element means the frame was not exactly one element.
        while (reader.Read())
        {
            if (reader.NodeType is not (XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace))
            {
                throw new XmlException("Expected exactly one XML element.");
            }
        }

        return element;
    }

    /// <summary>Text for <see cref="XmppClientOptions.Log"/>: the element with secrets blanked out.</summary>
    public static string ForLog(XElement element)
    {
        var copy = new XElement(element);
        foreach (var e in copy.DescendantsAndSelf())
        {
            // SASL auth/response/challenge/success carry credentials or their derivatives; a password element appears
            // in in-band registration and legacy auth; a component's handshake carries a hash of its secret.
            var secret = (e.Name.Namespace == XmppNamespaces.Sasl && e.Name.LocalName is ("auth" or "response" or "challenge" or "success") && !e.IsEmpty)
                || (e.Name == XmppTestNamespaces.ComponentAccept + "handshake" && !e.IsEmpty)
                || e.Name.LocalName == "password";
            if (secret)
            {
                e.Value = Redacted;
            }
        }

        try
        {
            return Encoding.UTF8.GetString(XmppXml.Serialize(copy));
        }
        catch (ArgumentException)
        {
            return copy.ToString(SaveOptions.DisableFormatting);
        }
    }
}
