using System.Net.Sockets;
using System.Security.Cryptography;
using XmppTestClient.Transport;

namespace XmppTestClient;

/// <summary>
/// The other mode of this client: an external component (XEP-0114, <c>jabber:component:accept</c>), which is what a
/// service does to own <c>{subdomain}.{domain}</c>. Connects, completes the handshake, then sends and reads stanzas.
/// It shares the client's TCP transport, so the XML on the wire is read and written exactly as a client's is.
/// </summary>
public sealed class XmppComponent : IAsyncDisposable
{
    /// <summary>For connecting and for the handshake, generous for a loaded machine.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TcpTransport _transport;

    private XmppComponent(TcpTransport transport, string streamId)
    {
        _transport = transport;
        StreamId = streamId;
    }

    /// <summary>The stream id the server sent, which the handshake hashes.</summary>
    public string StreamId { get; }

    /// <summary>Connects to the component port and opens the stream; <see cref="HandshakeAsync"/> authenticates it.</summary>
    /// <param name="host">The server's host name or address.</param>
    /// <param name="port">The server's component port.</param>
    /// <param name="domain">The component's domain, e.g. <c>bot.example.com</c>.</param>
    /// <param name="log">Receives every element sent and received; the handshake's hash is redacted.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <exception cref="XmppException">The server answered with something other than a stream header with an id.</exception>
    public static async Task<XmppComponent> OpenAsync(string host, int port, string domain, Action<string>? log, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var transport = await TcpTransport.ConnectAsync(host, port, log, timeout.Token).ConfigureAwait(false);
        try
        {
            var header = await transport.OpenComponentStreamAsync(domain, timeout.Token).ConfigureAwait(false);
            var id = (string?)header.Attribute("id") ?? throw new XmppException("The component stream header has no id.");
            return new XmppComponent(transport, id);
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The handshake's content (XEP-0114 section 3): hex(SHA-1(stream id + secret)), in lower case.</summary>
    public static string HandshakeDigest(string streamId, string secret) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(streamId + secret)));

    /// <summary>Authenticates the stream: sends &lt;handshake&gt; and expects the server's empty &lt;handshake/&gt;.</summary>
    /// <exception cref="XmppException">The server answered with something else, typically &lt;stream:error&gt;&lt;not-authorized/&gt;.</exception>
    public async Task HandshakeAsync(string secret, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await SendAsync(new XElement(XmppTestNamespaces.ComponentAccept + "handshake", HandshakeDigest(StreamId, secret)), timeout.Token).ConfigureAwait(false);
        var answer = await ReadAsync(timeout.Token).ConfigureAwait(false);
        if (answer?.Name != XmppTestNamespaces.ComponentAccept + "handshake")
        {
            throw new XmppException($"The component handshake was refused: {answer?.ToString(SaveOptions.DisableFormatting) ?? "the stream ended"}");
        }
    }

    /// <summary>Sends one stanza; give it the <see cref="XmppTestNamespaces.ComponentAccept"/> namespace.</summary>
    public Task SendAsync(XElement stanza, CancellationToken cancellationToken) => _transport.SendAsync(stanza, cancellationToken);

    /// <summary>Reads the next top-level element; <see langword="null"/> when the server ends the stream.</summary>
    public Task<XElement?> ReadAsync(CancellationToken cancellationToken) => _transport.ReadElementAsync(cancellationToken);

    /// <summary>Reads until an element matches, skipping others (such as presence probes).</summary>
    /// <exception cref="XmppException">The server ended the stream first.</exception>
    public async Task<XElement> ReadAsync(Func<XElement, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            var element = await ReadAsync(limit.Token).ConfigureAwait(false) ?? throw new XmppException("The server ended the component stream.");
            if (predicate(element))
            {
                return element;
            }
        }
    }

    /// <summary>Ends the stream and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _transport.CloseStreamAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closing the socket ends the stream regardless.
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
    }
}
