namespace XmppTestClient.Transport;

/// <summary>
/// Moves XML elements between the client and the server. The two implementations differ only in
/// framing: TCP carries one long XML document, WebSocket one element per message (RFC 7395).
/// </summary>
internal abstract class XmppTransport : IAsyncDisposable
{
    // One writer at a time: a stanza must never be interleaved with another one on the wire.
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    protected XmppTransport(Action<string>? log) => Log = log;

    protected Action<string>? Log { get; }

    /// <summary>True once the connection is encrypted (STARTTLS done, or wss://).</summary>
    public abstract bool IsSecure { get; }

    /// <summary>The certificate the server presented during the TLS handshake, if any.</summary>
    public X509Certificate2? ServerCertificate { get; protected set; }

    /// <summary>Whether <see cref="StartTlsAsync"/> is possible on this transport.</summary>
    public virtual bool CanStartTls => false;

    /// <summary>Sends a stream header (or &lt;open/&gt;) and returns the server's one.</summary>
    public abstract Task<XElement> OpenStreamAsync(string domain, CancellationToken cancellationToken);

    /// <summary>Reads the next top-level element; <see langword="null"/> when the server closed the stream.</summary>
    public abstract Task<XElement?> ReadElementAsync(CancellationToken cancellationToken);

    /// <summary>Upgrades the connection after the server answered &lt;proceed/&gt;.</summary>
    public virtual Task StartTlsAsync(string domain, RemoteCertificateValidationCallback? validation, CancellationToken cancellationToken)
        => throw new NotSupportedException("This transport has no STARTTLS.");

    /// <summary>Ends our side of the stream (&lt;/stream:stream&gt; or &lt;close/&gt;).</summary>
    public abstract Task CloseStreamAsync(CancellationToken cancellationToken);

    /// <summary>Serialises and sends one element.</summary>
    /// <exception cref="ArgumentException">The element contains characters XML cannot carry; nothing was sent.</exception>
    public Task SendAsync(XElement element, CancellationToken cancellationToken)
    {
        // Serialise before taking the lock so that a bad stanza fails without touching the stream.
        var data = XmppXml.Serialize(element);
        return WriteAsync(data, WireXml.ForLog(element), cancellationToken);
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Writes raw UTF-8 (already valid XML) and logs <paramref name="logText"/>.</summary>
    protected async Task WriteAsync(byte[] data, string logText, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Log?.Invoke("SEND " + logText);
            await WriteCoreAsync(data, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    protected abstract Task WriteCoreAsync(byte[] data, CancellationToken cancellationToken);

    protected void LogReceived(XElement element) => Log?.Invoke("RECV " + WireXml.ForLog(element));

    /// <summary>Default certificate policy: accept anything, the test servers use self-signed certificates.</summary>
    protected static bool AcceptAnyCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        => true;

    protected static X509Certificate2? AsCertificate2(X509Certificate? certificate)
        => certificate switch
        {
            null => null,
            X509Certificate2 certificate2 => certificate2,
            _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
        };
}
