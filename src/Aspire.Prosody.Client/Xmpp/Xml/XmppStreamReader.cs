using System.Xml;

namespace Aspire.Prosody.Client.Xmpp.Xml;

/// <summary>
/// Incremental parser for one XML stream, from the server's <c>&lt;stream:stream&gt;</c> to its end tag. A stream
/// restart (after STARTTLS and after SASL) needs a new instance: the new header is a second root to the old parser.
/// </summary>
internal sealed class XmppStreamReader
{
    private readonly StanzaLimitStream _input;
    private readonly XmlReader _reader;

    public XmppStreamReader(Stream stream, int maxStanzaBytes)
    {
        _input = new StanzaLimitStream(stream, maxStanzaBytes);
        _reader = XmlReader.Create(_input, XmppXml.ReaderSettings);
    }

    /// <summary>Whether the peer closed the connection.</summary>
    public bool EndOfStream => _input.EndOfStream;

    /// <summary>Reads up to the server's stream header and returns it as an empty element with its attributes.</summary>
    /// <exception cref="XmppException">Something other than a stream header arrived, or the connection closed.</exception>
    public async Task<XElement> ReadStreamHeaderAsync()
    {
        _input.StartStanza();
        while (await _reader.ReadAsync().ConfigureAwait(false))
        {
            if (_reader.NodeType != XmlNodeType.Element)
            {
                continue; // the XML declaration and whitespace
            }

            var name = XName.Get(_reader.LocalName, _reader.NamespaceURI);
            if (name != XmppNamespaces.Streams + "stream")
            {
                throw new XmppException($"Expected a stream header but received <{_reader.LocalName}>.");
            }

            var header = new XElement(name);
            while (_reader.MoveToNextAttribute())
            {
                if (_reader.NamespaceURI != XNamespace.Xmlns.NamespaceName)
                {
                    header.Add(XmppXml.CreateAttribute(_reader));
                }
            }

            _reader.MoveToElement();
            return header;
        }

        throw new XmppException("The server closed the connection before sending a stream header.");
    }

    /// <summary>Reads the next top-level element, or <see langword="null"/> when the stream ended.</summary>
    public Task<XElement?> ReadElementAsync()
    {
        _input.StartStanza();
        return XmppXml.ReadElementAsync(_reader);
    }
}
