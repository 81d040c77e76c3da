using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Xml;
using Aspire.Prosody.Client.Xmpp.Tls;
using Aspire.Prosody.Client.Xmpp.Xml;

namespace Aspire.Prosody.Client.Xmpp;

/// <summary>
/// One TCP connection carrying XMPP streams: socket, TLS, the current stream's parser and serialised writes (an
/// <see cref="SslStream"/> allows only one pending write).
/// </summary>
internal sealed class XmppConnection : IAsyncDisposable
{
    private static readonly byte[] StreamEnd = "</stream:stream>"u8.ToArray();

    private readonly Socket _socket;
    private readonly int _maxStanzaBytes;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Stream _stream;
    private XmppStreamReader? _reader;
    private int _disposed;

    private XmppConnection(Socket socket, int maxStanzaBytes)
    {
        _socket = socket;
        _maxStanzaBytes = maxStanzaBytes;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Whether STARTTLS completed.</summary>
    public bool IsEncrypted => _stream is SslStream;

    /// <summary>The negotiated TLS version once encrypted.</summary>
    public SslProtocols TlsProtocol => (_stream as SslStream)?.SslProtocol ?? SslProtocols.None;

    public static async Task<XmppConnection> ConnectAsync(string host, int port, int maxStanzaBytes, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new XmppConnection(socket, maxStanzaBytes);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens (or restarts) the stream and returns the server's header; a new parser reads the new stream.</summary>
    public async Task<XElement> OpenStreamAsync(string domain, string? from, CancellationToken cancellationToken)
    {
        _reader = new XmppStreamReader(_stream, _maxStanzaBytes);
        await WriteAsync(XmppXml.StreamHeader(domain, from), cancellationToken).ConfigureAwait(false);
        return await Guard(_reader, _reader.ReadStreamHeaderAsync()).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the next top-level element, or <see langword="null"/> when the server closed the stream. After a
    /// cancellation the connection is unusable (a parser read cannot be cancelled) and must be disposed.
    /// </summary>
    public Task<XElement?> ReadElementAsync(CancellationToken cancellationToken = default)
    {
        var reader = _reader ?? throw new InvalidOperationException("The stream is not open.");
        var read = Guard(reader, reader.ReadElementAsync());
        return cancellationToken.CanBeCanceled ? read.WaitAsync(cancellationToken) : read;
    }

    /// <summary>Upgrades to TLS 1.2 or later, validating the server's certificate against <paramref name="domain"/>.</summary>
    /// <exception cref="XmppTlsException">The handshake failed; the message says why (e.g. which name was expected).</exception>
    public async Task StartTlsAsync(string domain, X509Certificate2Collection anchors, CancellationToken cancellationToken)
    {
        // Nothing else is in flight: the server sent <proceed/> and waits for our ClientHello, so the plain-text parser
        // holds no unread bytes that would be lost.
        var validator = new CertificateValidator(anchors);
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = domain, // the name validated, and the SNI Prosody selects its certificate by
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    RemoteCertificateValidationCallback = validator.Validate,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException e)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new XmppTlsException(
                validator.Failure is { } failure
                    ? $"TLS with the XMPP server for '{domain}' failed: {failure}."
                    : $"TLS with the XMPP server for '{domain}' failed: {e.Message}",
                e);
        }

        _stream = tls;
    }

    /// <summary>Writes bytes, one writer at a time. The caller's token only bounds the wait for the turn.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            // Not cancellable once started: a half-written TLS record would corrupt the stream.
            await _stream.WriteAsync(data, CancellationToken.None).ConfigureAwait(false);
            await _stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends <c>&lt;/stream:stream&gt;</c> (best effort).</summary>
    public async Task CloseStreamAsync(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await WriteAsync(StreamEnd, cts.Token).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or TimeoutException or SocketException)
        {
            // The peer may already be gone; we are closing anyway.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Closing the socket also ends a read pending in the receive loop. The parser owns nothing and is left to the
        // garbage collector, as disposing it during a pending read is not allowed.
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
        }
    }

    /// <summary>Turns the parser's exceptions into the stream errors they mean.</summary>
    private static async Task<T> Guard<T>(XmppStreamReader reader, Task<T> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (XmlException) when (reader.EndOfStream)
        {
            throw new XmppException("The server closed the connection without closing the stream.");
        }
        catch (XmlException e)
        {
            // Includes a DTD or entity declaration, which XMPP forbids and the parser refuses.
            throw new XmppStreamException("not-well-formed", $"The server sent XML this client refuses: {e.Message}");
        }
    }
}
