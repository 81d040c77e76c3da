using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace XmppTestClient.Transport;

/// <summary>
/// XMPP over WebSocket (RFC 7395): subprotocol <c>xmpp</c>, every text message is exactly one
/// complete element, and the stream is delimited by &lt;open/&gt; and &lt;close/&gt; instead of
/// a stream header. There is no STARTTLS; TLS comes from wss://.
/// </summary>
internal sealed class WebSocketTransport : XmppTransport
{
    private const string SubProtocol = "xmpp";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;
    private readonly bool _secure;

    private WebSocketTransport(ClientWebSocket socket, HttpMessageInvoker invoker, bool secure, Action<string>? log)
        : base(log)
    {
        _socket = socket;
        _invoker = invoker;
        _secure = secure;
    }

    public override bool IsSecure => _secure;

    public static async Task<WebSocketTransport> ConnectAsync(
        Uri uri,
        RemoteCertificateValidationCallback? validation,
        Action<string>? log,
        CancellationToken cancellationToken)
    {
        var secure = uri.Scheme == Uri.UriSchemeWss;
        if (!secure && uri.Scheme != Uri.UriSchemeWs)
        {
            throw new ArgumentException($"Expected a ws:// or wss:// URI, got '{uri}'.", nameof(uri));
        }

        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        X509Certificate2? certificate = null;
        var handler = new SocketsHttpHandler { ConnectCallback = ConnectAsync };
        if (secure)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (sender, cert, chain, errors) =>
            {
                certificate = AsCertificate2(cert);
                return (validation ?? AcceptAnyCertificate)(sender, cert, chain, errors);
            };
        }

        var invoker = new HttpMessageInvoker(handler);
        try
        {
            await socket.ConnectAsync(uri, invoker, cancellationToken).ConfigureAwait(false);

            // RFC 7395 section 3.1: without the subprotocol the server does not speak XMPP framing.
            if (socket.SubProtocol != SubProtocol)
            {
                throw new XmppException($"The server at {uri} did not accept the '{SubProtocol}' WebSocket subprotocol.");
            }
        }
        catch
        {
            socket.Dispose();
            invoker.Dispose();
            throw;
        }

        return new WebSocketTransport(socket, invoker, secure, log) { ServerCertificate = certificate };
    }

    /// <summary>
    /// Names under <c>.localhost</c> are loopback (RFC 6761), as browsers resolve them, while the URI's host stays the
    /// TLS name (SNI) and the Host header: <c>wss://chat.dev.localhost:port/</c> reaches a server published on this
    /// machine and checks its certificate for that name.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            var endpoint = context.DnsEndPoint;
            if (endpoint.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            {
                await socket.ConnectAsync(IPAddress.Loopback, endpoint.Port, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override async Task<XElement> OpenStreamAsync(string domain, CancellationToken cancellationToken)
    {
        await SendAsync(
            new XElement(
                XmppTestNamespaces.Framing + "open",
                new XAttribute("to", domain),
                new XAttribute("version", "1.0")),
            cancellationToken).ConfigureAwait(false);

        var open = await ReadElementAsync(cancellationToken).ConfigureAwait(false);
        if (open?.Name != XmppTestNamespaces.Framing + "open")
        {
            throw open?.Name == XmppNamespaces.Streams + "error"
                ? new XmppStreamException(open)
                : new XmppException($"Expected <open/> from the server but received {(open is null ? "the end of the stream" : $"<{open.Name.LocalName}/>")}.");
        }

        return open;
    }

    public override async Task<XElement?> ReadElementAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var text = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
            if (text is null)
            {
                Log?.Invoke("RECV (WebSocket closed)");
                return null;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue; // RFC 7395 forbids whitespace keep-alives, but tolerating them costs nothing
            }

            var element = WireXml.ParseElement(text);
            LogReceived(element);

            // <close/> is the end of the stream, like </stream:stream> on TCP (it may carry a
            // see-other-uri, which the tests have no use for).
            return element.Name == XmppTestNamespaces.Framing + "close" ? null : element;
        }
    }

    public override Task CloseStreamAsync(CancellationToken cancellationToken)
        => SendAsync(new XElement(XmppTestNamespaces.Framing + "close"), cancellationToken);

    protected override Task WriteCoreAsync(byte[] data, CancellationToken cancellationToken)
        => _socket.SendAsync(data.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).AsTask();

    public override async ValueTask DisposeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                // Completes the WebSocket closing handshake; after our <close/> the server is
                // expected to start it (RFC 7395 section 3.6), but we do not wait forever.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer is gone or slow; disposing aborts the connection.
            }
        }

        _socket.Dispose();
        _invoker.Dispose();
    }

    /// <summary>Receives one whole text message; <see langword="null"/> once the server closed the WebSocket.</summary>
    private async Task<string?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return StrictUtf8.GetString(message.GetBuffer(), 0, (int)message.Length);
            }
        }
    }
}
