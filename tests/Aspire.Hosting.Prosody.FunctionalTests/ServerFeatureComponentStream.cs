using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using XmppTestClient;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// The server side of an external component (XEP-0114, <c>jabber:component:accept</c>): what a service of the app
/// does to own <c>{subdomain}.{domain}</c>. Connects, completes the handshake, then sends and reads stanzas.
/// </summary>
internal sealed class ServerFeatureComponentStream : IAsyncDisposable
{
    public static readonly XNamespace Accept = "jabber:component:accept";
    private static readonly XNamespace Streams = "http://etherx.jabber.org/streams";

    /// <summary>For connecting and for the handshake, generous for a loaded machine.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        Async = true,
        ConformanceLevel = ConformanceLevel.Fragment,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly XmlReader _reader;
    private readonly Action<string> _log;

    private ServerFeatureComponentStream(TcpClient tcp, Action<string> log)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = XmlReader.Create(_stream, ReaderSettings);
        _log = log;
    }

    /// <summary>The stream id the server sent, which the handshake hashes.</summary>
    public string StreamId { get; private set; } = "";

    /// <summary>Connects to the component port and opens the stream; <see cref="HandshakeAsync"/> authenticates it.</summary>
    public static async Task<ServerFeatureComponentStream> OpenAsync(string host, int port, string domain, Action<string> log, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, timeout.Token);
            var component = new ServerFeatureComponentStream(tcp, log);
            await component.WriteAsync(
                $"<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='{System.Security.SecurityElement.Escape(domain)}'>",
                timeout.Token);
            component.StreamId = await component.ReadStreamIdAsync().WaitAsync(timeout.Token);
            return component;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>XEP-0114 section 3: &lt;handshake&gt; carries hex(SHA-1(stream id + secret)); the server answers with an empty &lt;handshake/&gt;.</summary>
    /// <exception cref="XmppException">The server answered with something else, typically &lt;stream:error&gt;&lt;not-authorized/&gt;.</exception>
    public async Task HandshakeAsync(string secret, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var digest = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(StreamId + secret)));
        await SendAsync(new XElement(Accept + "handshake", digest), timeout.Token, logAs: "<handshake>[redacted]</handshake>");
        var answer = await ReadAsync(timeout.Token);
        if (answer?.Name != Accept + "handshake")
        {
            throw new XmppException($"The component handshake was refused: {answer?.ToString(SaveOptions.DisableFormatting) ?? "the stream ended"}");
        }
    }

    public Task SendAsync(XElement stanza, CancellationToken cancellationToken) => SendAsync(stanza, cancellationToken, logAs: null);

    /// <summary>Reads the next top-level element; null when the server ends the stream.</summary>
    public async Task<XElement?> ReadAsync(CancellationToken cancellationToken)
    {
        var element = await ReadElementAsync().WaitAsync(cancellationToken);
        _log($"RECV {element?.ToString(SaveOptions.DisableFormatting) ?? "</stream:stream>"}");
        return element;
    }

    /// <summary>Reads until an element matches, skipping others (such as presence probes).</summary>
    public async Task<XElement> ReadAsync(Func<XElement, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            var element = await ReadAsync(limit.Token) ?? throw new XmppException("The server ended the component stream.");
            if (predicate(element))
            {
                return element;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await WriteAsync("</stream:stream>", timeout.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closing the socket ends the stream regardless.
        }

        _tcp.Dispose();
    }

    private async Task SendAsync(XElement stanza, CancellationToken cancellationToken, string? logAs)
    {
        var text = stanza.ToString(SaveOptions.DisableFormatting | SaveOptions.OmitDuplicateNamespaces);
        _log($"SEND {logAs ?? text}");
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    private async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        _log($"SEND {text}");
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    private async Task<string> ReadStreamIdAsync()
    {
        while (await _reader.ReadAsync())
        {
            if (_reader.NodeType == XmlNodeType.Element)
            {
                if (_reader.LocalName != "stream" || _reader.NamespaceURI != Streams.NamespaceName)
                {
                    throw new XmppException($"Expected a stream header but received <{_reader.Name}>.");
                }

                var id = _reader.GetAttribute("id") ?? throw new XmppException("The component stream header has no id.");
                _log($"RECV <stream:stream id='{id}' from='{_reader.GetAttribute("from")}'>");
                return id;
            }
        }

        throw new XmppException("The server closed the connection before sending a stream header.");
    }

    /// <summary>
    /// Builds the next element by hand and returns at its end tag: XNode.ReadFrom would wait for the next node
    /// (the next stanza) before returning this one.
    /// </summary>
    private async Task<XElement?> ReadElementAsync()
    {
        XElement? root = null;
        XElement? current = null;
        while (await _reader.ReadAsync())
        {
            switch (_reader.NodeType)
            {
                case XmlNodeType.Element:
                    var element = new XElement(XName.Get(_reader.LocalName, _reader.NamespaceURI));
                    var isEmpty = _reader.IsEmptyElement;
                    while (_reader.MoveToNextAttribute())
                    {
                        if (_reader.NamespaceURI != "http://www.w3.org/2000/xmlns/")
                        {
                            element.SetAttributeValue(XName.Get(_reader.LocalName, _reader.NamespaceURI), _reader.Value);
                        }
                    }

                    _reader.MoveToElement();
                    if (current is null)
                    {
                        root = element;
                    }
                    else
                    {
                        current.Add(element);
                    }

                    if (!isEmpty)
                    {
                        current = element;
                    }
                    else if (current is null)
                    {
                        return root;
                    }

                    break;

                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    current?.Add(new XText(_reader.Value));
                    break;

                case XmlNodeType.EndElement:
                    if (current is null)
                    {
                        return null;
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
}
