using System.Net.Sockets;

namespace XmppTestClient.Transport;

/// <summary>XMPP over TCP (RFC 6120): one XML stream per direction, upgraded in place by STARTTLS.</summary>
internal sealed class TcpTransport : XmppTransport
{
    // Generous: tests read archive pages and disco results, and a server's misbehaviour is what they look for.
    private const int MaxStanzaBytes = 16 * 1024 * 1024;

    private readonly Socket _socket;
    private Stream _stream;
    private SslStream? _tls;
    private XmppStreamReader? _reader;

    private TcpTransport(Socket socket, Action<string>? log)
        : base(log)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public override bool IsSecure => _tls is { IsAuthenticated: true, IsEncrypted: true };

    public override bool CanStartTls => _tls is null;

    public static async Task<TcpTransport> ConnectAsync(string host, int port, Action<string>? log, CancellationToken cancellationToken)
    {
        // Dual-mode socket with a host name: tries every resolved address (::1 and 127.0.0.1 for localhost).
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new TcpTransport(socket, log);
    }

    public override Task<XElement> OpenStreamAsync(string domain, CancellationToken cancellationToken)
        => OpenAsync(XmppXml.StreamHeader(domain, from: null), cancellationToken);

    /// <summary>
    /// Opens an external component's stream (XEP-0114 section 3): the <c>jabber:component:accept</c> namespace and
    /// no version, so the server sends a stream id to hash instead of stream features.
    /// </summary>
    public Task<XElement> OpenComponentStreamAsync(string domain, CancellationToken cancellationToken)
        => OpenAsync(WireXml.ComponentStreamHeader(domain), cancellationToken);

    private async Task<XElement> OpenAsync(byte[] header, CancellationToken cancellationToken)
    {
        // A restart means a new document: the old reader would reject a second root element.
        _reader = new XmppStreamReader(_stream, MaxStanzaBytes);
        await WriteAsync(header, Encoding.UTF8.GetString(header), cancellationToken).ConfigureAwait(false);

        var serverHeader = await _reader.ReadStreamHeaderAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        // Logged as the open start tag it is on the wire, not as an empty element.
        Log?.Invoke("RECV " + serverHeader.ToString(SaveOptions.DisableFormatting)[..^2].TrimEnd() + ">");
        return serverHeader;
    }

    public override async Task<XElement?> ReadElementAsync(CancellationToken cancellationToken)
    {
        var reader = _reader ?? throw new InvalidOperationException("The stream is not open.");

        // XmlReader.ReadAsync takes no token; WaitAsync abandons the read on cancellation, after
        // which the connection is unusable and the caller disposes it.
        var element = await reader.ReadElementAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (element is null)
        {
            Log?.Invoke("RECV </stream:stream>");
        }
        else
        {
            LogReceived(element);
        }

        return element;
    }

    public override async Task StartTlsAsync(string domain, RemoteCertificateValidationCallback? validation, CancellationToken cancellationToken)
    {
        // Nothing else is in flight: the server sent <proceed/> and now waits for our ClientHello,
        // so the plain-text XML reader holds no unread bytes that could be lost here.
        _tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        await _tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = domain, // SNI: Prosody picks the VirtualHost's certificate by name
                RemoteCertificateValidationCallback = validation ?? AcceptAnyCertificate,
            },
            cancellationToken).ConfigureAwait(false);
        _stream = _tls;
        ServerCertificate = AsCertificate2(_tls.RemoteCertificate);
    }

    public override Task CloseStreamAsync(CancellationToken cancellationToken)
        => WriteAsync("</stream:stream>"u8.ToArray(), "</stream:stream>", cancellationToken);

    protected override async Task WriteCoreAsync(byte[] data, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_tls is { IsAuthenticated: true })
        {
            try
            {
                // TLS close_notify, so the server sees an orderly shutdown rather than a truncation.
                await _tls.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or TimeoutException or InvalidOperationException)
            {
                // The peer may already be gone; we are closing anyway.
            }
        }

        // Closing the stream (and with it the socket) also ends any read still pending in the
        // receive loop. The XmlReader itself owns nothing and is left to the garbage collector,
        // since disposing it while a read is pending is not allowed.
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
