using System.Text;
using System.Xml;

namespace Aspire.Prosody.Client.Xmpp.Xml;

/// <summary>Reading and writing the XML that goes over the wire; never by joining strings.</summary>
internal static class XmppXml
{
    /// <summary>Deepest element nesting accepted in one stanza (MUC, forms and forwarded messages stay well below).</summary>
    public const int MaxDepth = 32;

    /// <summary>Most attributes (namespace declarations included) accepted on one element.</summary>
    public const int MaxAttributes = 64;

    /// <summary>
    /// XMPP forbids DTDs, comments and processing instructions (RFC 6120 section 11.1); prohibiting DTDs also rules out
    /// entity expansion, and no resolver means nothing is ever fetched. Fragment conformance: a stream is one root
    /// element that never closes until the end.
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

    // CheckCharacters makes characters XML cannot carry (e.g. U+0000) throw before anything reaches the socket;
    // Entitize keeps CR, LF and TAB in attributes intact instead of letting the peer's parser normalise them.
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

    /// <summary>Serialises one element to UTF-8, escaping every value.</summary>
    /// <exception cref="ArgumentException">The element contains characters XML cannot carry; nothing was sent.</exception>
    public static byte[] Serialize(XElement element)
    {
        var builder = new StringBuilder();
        try
        {
            using var writer = XmlWriter.Create(builder, WriterSettings);
            element.WriteTo(writer);
        }
        catch (Exception e) when (e is XmlException or InvalidOperationException)
        {
            throw new ArgumentException($"The stanza cannot be written as XML: {e.Message}", nameof(element), e);
        }

        try
        {
            return StrictUtf8.GetBytes(builder.ToString());
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("The stanza contains a lone surrogate character, which XML cannot carry.", nameof(element), e);
        }
    }

    /// <summary>
    /// The client's stream header (RFC 6120 section 4.7) as bytes: an XML declaration and the start tag of
    /// <c>&lt;stream:stream&gt;</c>, left open. Written with <see cref="XmlWriter"/> so the domain is escaped.
    /// </summary>
    public static byte[] StreamHeader(string domain, string? from)
    {
        var builder = new StringBuilder("<?xml version='1.0'?>");
        var writer = XmlWriter.Create(builder, WriterSettings);
        writer.WriteStartElement("stream", "stream", XmppNamespaces.Streams.NamespaceName);
        writer.WriteAttributeString("xmlns", XmppNamespaces.Client.NamespaceName);
        writer.WriteAttributeString("to", domain);
        if (from is not null)
        {
            writer.WriteAttributeString("from", from);
        }

        writer.WriteAttributeString("version", "1.0");
        writer.WriteAttributeString("xml", "lang", null, "en");
        writer.WriteString(""); // closes the start tag ('>') without closing the element
        writer.Flush();
        // The writer is abandoned, not disposed: disposing would close the element.
        return StrictUtf8.GetBytes(builder.ToString());
    }

    /// <summary>
    /// Puts un-namespaced elements into <c>jabber:client</c>, so that a stanza built with plain names serialises without
    /// <c>xmlns=""</c> on its children.
    /// </summary>
    public static XElement WithClientNamespace(XElement stanza)
    {
        if (!stanza.DescendantsAndSelf().Any(e => e.Name.Namespace == XNamespace.None))
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

    /// <summary>
    /// Reads the next complete top-level element, or <see langword="null"/> when the stream's root ends or input ends.
    /// Built by hand because <see cref="XNode.ReadFromAsync"/> waits for the next stanza before returning this one.
    /// </summary>
    /// <exception cref="XmppStreamException">The element nests deeper than <see cref="MaxDepth"/> or has too many attributes.</exception>
    public static async Task<XElement?> ReadElementAsync(XmlReader reader)
    {
        XElement? root = null;
        XElement? current = null;
        var depth = 0;
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var element = CreateElement(reader);
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
                        if (++depth > MaxDepth)
                        {
                            throw new XmppStreamException("policy-violation", $"The server sent a stanza nested deeper than {MaxDepth} elements.");
                        }

                        current = element;
                    }

                    break;

                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    // Whitespace between stanzas is a keepalive; inside an element it is content.
                    current?.Add(new XText(reader.Value));
                    break;

                case XmlNodeType.EndElement:
                    if (current is null)
                    {
                        return null; // </stream:stream>
                    }

                    depth--;
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

    /// <summary>The attribute the reader is positioned on.</summary>
    public static XAttribute CreateAttribute(XmlReader reader)
    {
        // LINQ to XML spells a default namespace declaration as plain "xmlns".
        var name = reader is { Prefix: "", LocalName: "xmlns" }
            ? XName.Get("xmlns")
            : XName.Get(reader.LocalName, reader.NamespaceURI);
        return new XAttribute(name, reader.Value);
    }

    private static XElement CreateElement(XmlReader reader)
    {
        var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
        if (reader.AttributeCount > MaxAttributes)
        {
            throw new XmppStreamException("policy-violation", $"The server sent an element with more than {MaxAttributes} attributes.");
        }

        if (reader.MoveToFirstAttribute())
        {
            do
            {
                // Namespace declarations are dropped: names already carry their namespace URIs, and a stanza must
                // stand alone when it is queued, logged or resent.
                if (reader.NamespaceURI != XNamespace.Xmlns.NamespaceName)
                {
                    element.Add(CreateAttribute(reader));
                }
            }
            while (reader.MoveToNextAttribute());

            reader.MoveToElement();
        }

        return element;
    }
}
