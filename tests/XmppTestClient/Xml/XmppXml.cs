using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace XmppTestClient.Xml;

/// <summary>Reading and writing the XML that goes over the wire.</summary>
internal static class XmppXml
{
    private const string Redacted = "[redacted]";

    /// <summary>
    /// Settings for everything we parse. XMPP forbids DTDs, comments and processing instructions
    /// (RFC 6120 section 11.1); refusing DTDs also rules out entity-expansion attacks.
    /// Fragment conformance because a stream is one never-ending root element, and WebSocket
    /// frames are stand-alone elements.
    /// </summary>
    public static XmlReaderSettings ReaderSettings { get; } = new()
    {
        Async = true,
        ConformanceLevel = ConformanceLevel.Fragment,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CheckCharacters = true,
        CloseInput = false,
    };

    /// <summary>
    /// Settings for everything we write. CheckCharacters makes characters that XML cannot carry
    /// (e.g. U+0000) throw before anything reaches the socket; Entitize keeps CR, LF and TAB in
    /// attribute values and CR in text intact, which a parser would otherwise normalise away.
    /// </summary>
    private static readonly XmlWriterSettings WriterSettings = new()
    {
        OmitXmlDeclaration = true,
        ConformanceLevel = ConformanceLevel.Fragment,
        CheckCharacters = true,
        NewLineHandling = NewLineHandling.Entitize,
        Encoding = new UTF8Encoding(false),
    };

    // Throws on lone surrogates instead of quietly sending U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Serialises one element to text, escaping every value as needed.</summary>
    /// <exception cref="ArgumentException">The element contains characters that are not allowed in XML.</exception>
    public static string Serialize(XElement element)
    {
        var builder = new StringBuilder();
        using (var writer = XmlWriter.Create(builder, WriterSettings))
        {
            element.WriteTo(writer);
        }

        var text = builder.ToString();

        // The writer checks XML's character ranges but lets a lone surrogate through; UTF-8
        // cannot encode one, so this throws EncoderFallbackException (an ArgumentException).
        StrictUtf8.GetByteCount(text);
        return text;
    }

    /// <summary>Escapes a value for use inside a single- or double-quoted attribute (both quotes are escaped).</summary>
    public static string EscapeAttribute(string value) => System.Security.SecurityElement.Escape(value);

    /// <summary>
    /// Reads the next complete element from <paramref name="reader"/>, or returns
    /// <see langword="null"/> when the enclosing element (the stream) ends or input ends.
    /// </summary>
    /// <remarks>
    /// The tree is built by hand rather than with <see cref="XNode.ReadFromAsync"/> because that
    /// method moves the reader past the end tag, i.e. it waits for the NEXT stanza to arrive before
    /// returning this one. Here we stop exactly at the end tag.
    /// </remarks>
    public static async Task<XElement?> ReadElementAsync(XmlReader reader)
    {
        XElement? root = null;
        XElement? current = null;
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var element = CreateElement(reader, isRoot: current is null);
                    if (current is null)
                    {
                        root = element;
                    }
                    else
                    {
                        current.Add(element);
                    }

                    if (reader.IsEmptyElement)
                    {
                        if (current is null)
                        {
                            return root;
                        }
                    }
                    else
                    {
                        current = element;
                    }

                    break;

                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    // Whitespace between stanzas is a keep-alive; inside an element it is content.
                    current?.Add(new XText(reader.Value));
                    break;

                case XmlNodeType.EndElement:
                    if (current is null)
                    {
                        return null; // </stream:stream>
                    }

                    if (current == root)
                    {
                        return root;
                    }

                    current = current.Parent;
                    break;
            }
        }

        return null;
    }

    /// <summary>Parses one stand-alone element, e.g. a WebSocket frame.</summary>
    /// <remarks>
    /// The frame is parsed as if it were inside a client stream: the <c>stream</c> prefix is
    /// pre-declared and the default namespace is <c>jabber:client</c>. RFC 7395 wants every frame
    /// to declare its namespaces, but Prosody 13.0 sends <c>&lt;stream:error&gt;</c> without
    /// declaring the prefix, which would otherwise hide the actual error behind an XmlException.
    /// </remarks>
    /// <exception cref="XmlException">The text is not a single well-formed element.</exception>
    public static XElement ParseElement(string text)
    {
        var names = new NameTable();
        var namespaces = new XmlNamespaceManager(names);
        namespaces.AddNamespace("", XmppNamespaces.Client.NamespaceName);
        namespaces.AddNamespace("stream", XmppNamespaces.Streams.NamespaceName);
        var context = new XmlParserContext(names, namespaces, null, XmlSpace.None);

        using var reader = XmlReader.Create(new StringReader(text), ReaderSettings, context);

        // Completes synchronously: the whole input is already in memory.
        var element = ReadElementAsync(reader).GetAwaiter().GetResult()
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

    /// <summary>
    /// Puts un-namespaced elements of an outgoing stanza into <c>jabber:client</c>: on a TCP stream
    /// they would inherit that default namespace textually, but WebSocket frames stand alone
    /// (RFC 7395 section 3.3.3), so we make it explicit and both transports behave the same.
    /// </summary>
    public static XElement WithClientNamespace(XElement stanza)
    {
        if (stanza.Name.Namespace != XNamespace.None)
        {
            return stanza;
        }

        var copy = new XElement(stanza);
        foreach (var element in copy.DescendantsAndSelf().Where(e => e.Name.Namespace == XNamespace.None))
        {
            element.Name = XmppNamespaces.Client + element.Name.LocalName;
        }

        return copy;
    }

    /// <summary>Text for <see cref="XmppClientOptions.Log"/>: the element with secrets blanked out.</summary>
    public static string ForLog(XElement element)
    {
        var copy = new XElement(element);
        foreach (var e in copy.DescendantsAndSelf())
        {
            // SASL auth/response/challenge/success carry credentials or their derivatives; a
            // password element appears in in-band registration and legacy auth; a component's
            // handshake carries a hash of its secret.
            var secret = (e.Name.Namespace == XmppNamespaces.Sasl && e.Name.LocalName is ("auth" or "response" or "challenge" or "success") && !e.IsEmpty)
                || (e.Name == XmppNamespaces.ComponentAccept + "handshake" && !e.IsEmpty)
                || e.Name.LocalName == "password";
            if (secret)
            {
                e.Value = Redacted;
            }
        }

        try
        {
            return Serialize(copy);
        }
        catch (ArgumentException)
        {
            return copy.ToString(SaveOptions.DisableFormatting);
        }
    }

    /// <summary>The attribute the reader is positioned on.</summary>
    internal static XAttribute CreateAttribute(XmlReader reader)
    {
        // LINQ to XML spells a default namespace declaration as the plain name "xmlns"; the
        // reader reports it in the xmlns namespace, which XAttribute refuses.
        var name = reader is { Prefix: "", LocalName: "xmlns" }
            ? XName.Get("xmlns")
            : XName.Get(reader.LocalName, reader.NamespaceURI);
        return new XAttribute(name, reader.Value);
    }

    private static XElement CreateElement(XmlReader reader, bool isRoot)
    {
        var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                // Namespace declarations are kept so prefixes survive a round trip; the names of
                // elements and attributes already carry their namespace URIs either way.
                element.Add(CreateAttribute(reader));
            }
            while (reader.MoveToNextAttribute());

            reader.MoveToElement();
        }

        // Children of <stream:stream> (features, error) use the prefix declared on the stream
        // header; declaring it again keeps logs readable instead of showing a generated "p1:".
        if (isRoot && element.Name.Namespace == XmppNamespaces.Streams && element.Attribute(XNamespace.Xmlns + "stream") is null)
        {
            element.Add(new XAttribute(XNamespace.Xmlns + "stream", XmppNamespaces.Streams.NamespaceName));
        }

        return element;
    }
}
