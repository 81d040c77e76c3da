using System.Collections.Concurrent;
using XmppTestClient.Transport;

namespace XmppTestClient;

/// <summary>
/// A logged-in XMPP session for tests: send stanzas, wait for incoming ones, make iq requests.
/// Create it with <see cref="ConnectAsync"/> or <see cref="ConnectWebSocketAsync"/>; dispose it to
/// close the stream politely.
/// </summary>
/// <remarks>
/// A background loop reads everything the server sends. Responses to <see cref="SendIqAsync"/>
/// go to their caller, server pings are answered, and every other stanza is kept until a
/// <see cref="WaitForStanzaAsync"/> call claims it, so nothing that arrives early is lost.
/// All members are safe to call concurrently.
/// </remarks>
public sealed partial class XmppClient : IAsyncDisposable
{
    private readonly XmppTransport _transport;
    private readonly XmppClientOptions _options;
    private readonly StanzaBuffer _stanzas = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<XElement>> _pendingIqs = new(StringComparer.Ordinal);
    private readonly Task _receiveLoop;
    private int _disposed;
    private volatile bool _closed;
    private Exception? _closeReason;

    private XmppClient(XmppTransport transport, XmppClientOptions options, Jid jid, string saslMechanism, XElement features)
    {
        _transport = transport;
        _options = options;
        Jid = jid;
        SaslMechanism = saslMechanism;
        StreamFeatures = features;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The full JID the server bound for this session (e.g. <c>alice@example.com/abc123</c>).</summary>
    public Jid Jid { get; }

    /// <summary>The SASL mechanism that authenticated this session, e.g. <c>SCRAM-SHA-1</c>.</summary>
    public string SaslMechanism { get; }

    /// <summary>True when the connection is encrypted: STARTTLS on TCP, or a wss:// WebSocket.</summary>
    public bool IsTlsEstablished => _transport.IsSecure;

    /// <summary>The certificate the server presented, if TLS is in use.</summary>
    public X509Certificate2? ServerCertificate => _transport.ServerCertificate;

    /// <summary>The &lt;stream:features/&gt; of the authenticated stream (bind, session, sm, csi...).</summary>
    public XElement StreamFeatures { get; }

    /// <summary>False once the stream has ended, by <see cref="DisposeAsync"/> or from the server's side.</summary>
    public bool IsConnected => !_closed;

    /// <summary>Sends any stanza. Elements without a namespace are put into <c>jabber:client</c>.</summary>
    /// <exception cref="ArgumentException">The stanza contains characters XML cannot carry; nothing was sent.</exception>
    public Task SendAsync(XElement stanza, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_closed)
        {
            // Say why, rather than surfacing a bare socket error from the write.
            throw new XmppException("The connection is closed.", _closeReason);
        }

        return _transport.SendAsync(XmppXml.WithClientNamespace(stanza), cancellationToken);
    }

    /// <summary>Sends a &lt;message/&gt; with a body.</summary>
    public Task SendMessageAsync(string to, string body, string type = "chat", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(body);
        return SendAsync(
            new XElement(
                XmppNamespaces.Client + "message",
                new XAttribute("to", to),
                new XAttribute("type", type),
                new XAttribute("id", NewId()),
                new XElement(XmppNamespaces.Client + "body", body)),
            cancellationToken);
    }

    /// <summary>
    /// Sends a &lt;presence/&gt;. Without arguments it is the initial presence that makes the
    /// session available; with <paramref name="type"/> <c>subscribe</c>, <c>subscribed</c>,
    /// <c>unsubscribe</c>, <c>unsubscribed</c> or <c>unavailable</c> it manages subscriptions.
    /// </summary>
    public Task SendPresenceAsync(string? to = null, string? type = null, CancellationToken cancellationToken = default)
    {
        var presence = new XElement(XmppNamespaces.Client + "presence");
        if (to is not null)
        {
            presence.SetAttributeValue("to", to);
        }

        if (type is not null)
        {
            presence.SetAttributeValue("type", type);
        }

        return SendAsync(presence, cancellationToken);
    }

    /// <summary>
    /// Sends an iq request (<c>get</c> or <c>set</c>) and returns the matching <c>result</c>.
    /// An <c>id</c> is assigned if the element has none.
    /// </summary>
    /// <exception cref="XmppStanzaException">The answer was <c>type='error'</c>.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="XmppClientOptions.Timeout"/>.</exception>
    public async Task<XElement> SendIqAsync(XElement iq, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(iq);
        iq = XmppXml.WithClientNamespace(iq);
        if (iq.Name != XmppNamespaces.Client + "iq" || iq.Attribute("type")?.Value is not ("get" or "set"))
        {
            throw new ArgumentException("Expected an <iq/> of type 'get' or 'set'.", nameof(iq));
        }

        var id = iq.Attribute("id")?.Value;
        if (string.IsNullOrEmpty(id))
        {
            // Copy rather than modify the caller's element.
            iq = new XElement(iq);
            iq.SetAttributeValue("id", id = NewId());
        }

        var response = new TaskCompletionSource<XElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pendingIqs.TryAdd(id, response))
        {
            throw new InvalidOperationException($"An iq with id '{id}' is already waiting for its response.");
        }

        try
        {
            // Registered before sending: the answer can arrive before SendAsync returns.
            await SendAsync(iq, cancellationToken).ConfigureAwait(false);
            var answer = await response.Task.WaitAsync(_options.Timeout, cancellationToken).ConfigureAwait(false);
            return answer.Attribute("type")?.Value == "error" ? throw new XmppStanzaException(answer) : answer;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"No response to iq '{id}' within {_options.Timeout}: {WireXml.ForLog(iq)}", e);
        }
        finally
        {
            _pendingIqs.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Returns the first received stanza matching <paramref name="predicate"/>, including ones that
    /// arrived before this call, and removes it so that the next wait sees the next one.
    /// </summary>
    /// <exception cref="TimeoutException">Nothing matched in time; the message lists what did arrive.</exception>
    /// <exception cref="XmppException">The connection ended before a match arrived.</exception>
    public Task<XElement> WaitForStanzaAsync(Func<XElement, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
        => _stanzas.WaitAsync(predicate, timeout, cancellationToken);

    /// <summary>
    /// Waits for a &lt;message/&gt; matching <paramref name="predicate"/> (any message when null).
    /// The timeout defaults to <see cref="XmppClientOptions.Timeout"/>.
    /// </summary>
    public Task<XElement> WaitForMessageAsync(Func<XElement, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _stanzas.WaitAsync(s => s.IsMessage() && (predicate?.Invoke(s) ?? true), timeout ?? _options.Timeout, cancellationToken);

    /// <summary>
    /// Waits for a &lt;presence/&gt; matching <paramref name="predicate"/> (any presence when null).
    /// The timeout defaults to <see cref="XmppClientOptions.Timeout"/>.
    /// </summary>
    public Task<XElement> WaitForPresenceAsync(Func<XElement, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _stanzas.WaitAsync(s => s.IsPresence() && (predicate?.Invoke(s) ?? true), timeout ?? _options.Timeout, cancellationToken);

    /// <summary>Fetches the roster (RFC 6121 section 2.2).</summary>
    public async Task<IReadOnlyList<RosterItem>> GetRosterAsync(CancellationToken cancellationToken = default)
    {
        var result = await SendIqAsync(Iq("get", null, new XElement(XmppTestNamespaces.Roster + "query")), cancellationToken).ConfigureAwait(false);
        return [.. (result.Element(XmppTestNamespaces.Roster + "query")?.Elements(XmppTestNamespaces.Roster + "item") ?? []).Select(RosterItem.FromElement)];
    }

    /// <summary>Adds or updates a roster item (RFC 6121 section 2.3). This does not subscribe to presence.</summary>
    public Task AddRosterItemAsync(string jid, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jid);
        var item = new XElement(XmppTestNamespaces.Roster + "item", new XAttribute("jid", jid));
        if (name is not null)
        {
            item.SetAttributeValue("name", name);
        }

        return SendIqAsync(Iq("set", null, new XElement(XmppTestNamespaces.Roster + "query", item)), cancellationToken);
    }

    /// <summary>Asks an entity what it is and supports (XEP-0030); the server itself when <paramref name="jid"/> is null.</summary>
    /// <exception cref="XmppStanzaException">The entity answered with an error, e.g. <c>service-unavailable</c>.</exception>
    public async Task<DiscoInfo> DiscoInfoAsync(string? jid = null, string? node = null, CancellationToken cancellationToken = default)
    {
        var query = new XElement(XmppNamespaces.DiscoInfo + "query");
        if (node is not null)
        {
            query.SetAttributeValue("node", node);
        }

        var result = await SendIqAsync(Iq("get", jid ?? Jid.Domain, query), cancellationToken).ConfigureAwait(false);
        return DiscoInfo.FromQuery(result.Element(XmppNamespaces.DiscoInfo + "query") ?? query);
    }

    /// <summary>
    /// Runs an ad-hoc command (XEP-0050) and returns the &lt;command/&gt; element of the answer,
    /// whose <c>status</c> is <c>completed</c>, or <c>executing</c> with a form to submit via
    /// <see cref="SendIqAsync"/>.
    /// </summary>
    public async Task<XElement> ExecuteCommandAsync(string jid, string node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jid);
        ArgumentNullException.ThrowIfNull(node);
        var command = new XElement(XmppTestNamespaces.Commands + "command", new XAttribute("node", node), new XAttribute("action", "execute"));
        var result = await SendIqAsync(Iq("set", jid, command), cancellationToken).ConfigureAwait(false);
        return result.Element(XmppTestNamespaces.Commands + "command")
            ?? throw new XmppException($"The answer to command '{node}' carries no <command/>.");
    }

    /// <summary>Pings an entity (XEP-0199), the server when <paramref name="jid"/> is null; returns the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(string? jid = null, CancellationToken cancellationToken = default)
    {
        var started = TimeProvider.System.GetTimestamp();
        await SendIqAsync(Iq("get", jid ?? Jid.Domain, new XElement(XmppNamespaces.Ping + "ping")), cancellationToken).ConfigureAwait(false);
        return TimeProvider.System.GetElapsedTime(started);
    }

    /// <summary>
    /// Ends the stream politely (&lt;/stream:stream&gt; or &lt;close/&gt;), waits briefly for the
    /// server to do the same, then closes the connection.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_closed)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _transport.CloseStreamAsync(timeout.Token).ConfigureAwait(false);

                // The server answers with its own end of stream, which ends the receive loop.
                await _receiveLoop.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException
                or System.Net.WebSockets.WebSocketException or InvalidOperationException)
            {
                // The server did not play along; closing the socket below ends it regardless.
            }
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false); // never throws; see ReceiveLoopAsync
    }

    private static XElement Iq(string type, string? to, XElement payload)
    {
        var iq = new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", type), new XAttribute("id", NewId()), payload);
        if (to is not null)
        {
            iq.SetAttributeValue("to", to);
        }

        return iq;
    }

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];

    /// <summary>Reads until the stream ends; the only reader of the transport after login.</summary>
    private async Task ReceiveLoopAsync()
    {
        Exception reason;
        try
        {
            while (true)
            {
                var element = await _transport.ReadElementAsync(CancellationToken.None).ConfigureAwait(false);
                if (element is null)
                {
                    reason = new XmppException("The server closed the stream.");
                    break;
                }

                if (element.Name == XmppNamespaces.Streams + "error")
                {
                    reason = new XmppStreamException(element);
                    break;
                }

                await DispatchAsync(element).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Includes the expected failure of a pending read when DisposeAsync closes the socket.
            reason = _disposed != 0 ? new ObjectDisposedException("The client was disposed.", e) : new XmppException("The connection was lost.", e);
        }

        _closeReason = reason;
        _closed = true;
        _stanzas.Complete(reason);
        foreach (var pending in _pendingIqs.Values)
        {
            pending.TrySetException(new XmppException("The connection closed before the iq was answered.", reason));
        }

        if (_disposed == 0)
        {
            // The server ended the stream (or broke it) without us asking: end our side too,
            // as RFC 6120 section 4.4 expects. Best effort, the server may be gone already.
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _transport.CloseStreamAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Nothing more to do; DisposeAsync releases the socket.
            }
        }
    }

    private async Task DispatchAsync(XElement stanza)
    {
        if (stanza.IsIq())
        {
            var type = stanza.GetStanzaType();
            var id = stanza.Attribute("id")?.Value;

            if (type is "result" or "error" && id is not null && _pendingIqs.TryGetValue(id, out var pending))
            {
                pending.TrySetResult(stanza);
                return;
            }

            // XEP-0199: servers ping idle clients and drop them if no answer comes.
            if (type == "get" && stanza.Element(XmppNamespaces.Ping + "ping") is not null)
            {
                await ReplyResultAsync(stanza).ConfigureAwait(false);
                return;
            }

            // RFC 6121 section 2.1.6: roster pushes must be acknowledged; tests may still wait for them.
            if (type == "set" && stanza.Element(XmppTestNamespaces.Roster + "query") is not null && IsFromOwnAccount(stanza))
            {
                await ReplyResultAsync(stanza).ConfigureAwait(false);
            }
        }

        _stanzas.Add(stanza);
    }

    private bool IsFromOwnAccount(XElement stanza)
    {
        // A push has no 'from', or comes from our own bare JID; anything else is spoofed (RFC 6121 section 2.1.6).
        var from = stanza.GetFrom();
        return from is null || from == Jid.Bare;
    }

    private async Task ReplyResultAsync(XElement request)
    {
        var reply = new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", "result"), new XAttribute("id", request.Attribute("id")?.Value ?? ""));
        if (request.Attribute("from") is { } from)
        {
            reply.SetAttributeValue("to", from.Value);
        }

        try
        {
            await _transport.SendAsync(reply, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
        {
            // The connection is going away; the receive loop will notice on its next read.
        }
    }
}
