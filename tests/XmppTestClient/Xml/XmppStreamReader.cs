using System.Xml;
using System.Xml.Linq;

namespace XmppTestClient.Xml;

/// <summary>
/// Incremental parser for one XML stream (from <c>&lt;stream:stream&gt;</c> to its end tag).
/// A new instance is needed after each stream restart (STARTTLS, SASL success): the server then
/// sends a new stream header, which would be a second root element to the old reader.
/// </summary>
internal sealed class XmppStreamReader : IDisposable
{
    private readonly XmlReader _reader;

    public XmppStreamReader(Stream stream)
    {
        // The reader never closes the stream (CloseInput = false) so it can be replaced on restart.
        _reader = XmlReader.Create(stream, XmppXml.ReaderSettings);
    }

    /// <summary>
    /// Reads up to and including the server's stream header and returns it as an empty element
    /// carrying its attributes (id, from, version...).
    /// </summary>
    /// <exception cref="XmppException">The server sent something other than a stream header.</exception>
    public async Task<XElement> ReadStreamHeaderAsync()
    {
        while (await _reader.ReadAsync().ConfigureAwait(false))
        {
            if (_reader.NodeType != XmlNodeType.Element)
            {
                continue; // the XML declaration and whitespace before the header
            }

            var name = XName.Get(_reader.LocalName, _reader.NamespaceURI);
            if (name != XmppNamespaces.Streams + "stream")
            {
                throw new XmppException($"Expected a stream header but received <{_reader.Name}>.");
            }

            var header = new XElement(name);
            while (_reader.MoveToNextAttribute())
            {
                header.Add(XmppXml.CreateAttribute(_reader));
            }

            _reader.MoveToElement();
            return header;
        }

        throw new XmppException("The server closed the connection before sending a stream header.");
    }

    /// <summary>Reads the next top-level element, or <see langword="null"/> when the stream ended.</summary>
    public Task<XElement?> ReadElementAsync() => XmppXml.ReadElementAsync(_reader);

    public void Dispose() => _reader.Dispose();
}
