using System.Diagnostics;
using System.Globalization;
using Aspire.Prosody.Client.Xmpp;
using Aspire.Prosody.Client.Xmpp.StreamManagement;
using Aspire.Prosody.Client.Xmpp.Telemetry;
using Aspire.Prosody.Client.Xmpp.Xml;

namespace Aspire.Prosody.Client;

// A live session: sending with stream management, the receive loop, keepalive pings, reconnecting and closing.
public sealed partial class XmppClient
{
    private static readonly byte[] AckRequest = XmppXml.Serialize(new XElement(Sm + "r"));

    /// <summary>One signed-in connection and the loops that serve it.</summary>
    private sealed class Session(XmppConnection connection)
    {
        public XmppConnection Connection { get; } = connection;

        public CancellationTokenSource Lifetime { get; } = new();

        /// <summary>Stanzas that arrived during negotiation, handled first by the receive loop.</summary>
        public List<XElement> Early { get; } = [];

        /// <summary>An <c>&lt;r/&gt;</c> is outstanding (guarded by the client's lock).</summary>
        public bool AckRequested { get; set; }

        /// <summary>The receive loop waits for a consumer to take a message: the silence is ours, not the server's.</summary>
        public volatile bool WaitingForConsumer;

        public Task ReceiveLoop { get; set; } = Task.CompletedTask;
    }

    /// <summary>Starts the loops and sends what waited: after a resume the unacknowledged stanzas, after a new session
    /// presence, room joins and then every stanza to resend.</summary>
    private async Task GoLiveAsync(Session session, bool resumed, CancellationToken ct)
    {
        lock (_gate)
        {
            _session = session;
            _live = false;
        }

        session.ReceiveLoop = Task.Run(() => ReceiveLoopAsync(session), CancellationToken.None);
        _ = Task.Run(() => KeepaliveLoopAsync(session), CancellationToken.None);

        if (resumed)
        {
            await _sendLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                List<OutboundStanza> unacked;
                lock (_gate)
                {
                    unacked = _queue.Unacked();
                }

                // They keep their sequence numbers: the server counts them again from its h.
                foreach (var stanza in unacked)
                {
                    await session.Connection.WriteAsync(stanza.Bytes, ct).ConfigureAwait(false);
                }

                XmppTelemetry.StanzasResent.Add(unacked.Count);
                await FlushPendingLockedAsync(session, ct).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        else
        {
            // Presence first (so the server routes messages to us), then rooms (so resent groupchat messages are
            // accepted), then everything that was accepted but not acknowledged, in its original order.
            await SendStanzaAsync(_presence ?? new XElement(XmppNamespaces.Client + "presence"), session, ct).ConfigureAwait(false);
            await RejoinRoomsAsync(session, ct).ConfigureAwait(false);
            await _sendLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var resent = await FlushPendingLockedAsync(session, ct).ConfigureAwait(false);
                XmppTelemetry.StanzasResent.Add(resent);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        SetState(XmppConnectionState.SignedIn);
    }

    /// <summary>Writes every pending stanza and opens the session to callers. Holds <see cref="_sendLock"/>.</summary>
    private async Task<int> FlushPendingLockedAsync(Session session, CancellationToken ct)
    {
        List<OutboundStanza> pending;
        lock (_gate)
        {
            pending = _queue.TakePending();
            foreach (var stanza in pending)
            {
                _queue.MarkSent(stanza);
            }

            if (_session == session)
            {
                _live = true;
            }
        }

        foreach (var stanza in pending)
        {
            await session.Connection.WriteAsync(stanza.Bytes, ct).ConfigureAwait(false);
        }

        await RequestAckAsync(session).ConfigureAwait(false);
        return pending.Count;
    }

    /// <summary>
    /// Accepts a stanza: written now when a session is live (or to <paramref name="via"/>), otherwise queued until the
    /// next session. Serialised before anything else so a stanza XML cannot carry is refused with nothing sent.
    /// </summary>
    private async Task SendStanzaAsync(XElement stanza, Session? via, CancellationToken cancellationToken)
    {
        stanza = XmppXml.WithClientNamespace(stanza);
        var bytes = XmppXml.Serialize(stanza);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        Session? session;
        try
        {
            OutboundStanza entry;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed != 0, this);
                if (via is not null && via != _session)
                {
                    throw new XmppException("The connection was lost.");
                }

                if (via is null && _state is XmppConnectionState.Disconnected && _connecting is null)
                {
                    throw new InvalidOperationException("The XMPP client is not connected: call ConnectAsync first (or again, after reconnecting gave up).");
                }

                session = via ?? (_live ? _session : null);
                entry = _queue.Accept(stanza, bytes);
                if (session is null)
                {
                    _queue.AddPending(entry);
                    return;
                }

                _queue.MarkSent(entry);
            }

            try
            {
                await session.Connection.WriteAsync(bytes, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (via is null && e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // Accepted: with stream management it is in the unacknowledged queue and will be resent; without, it
                // goes back to the pending list (it may arrive twice, never zero times as far as we can tell).
                lock (_gate)
                {
                    if (!_queue.Enabled)
                    {
                        _queue.AddPending(entry);
                    }
                }

                await session.Connection.DisposeAsync().ConfigureAwait(false);
                return;
            }
        }
        finally
        {
            _sendLock.Release();
        }

        await RequestAckAsync(session).ConfigureAwait(false);
    }

    /// <summary>Asks for an acknowledgement unless one is already outstanding: one <c>&lt;r/&gt;</c> per round trip.</summary>
    private async Task RequestAckAsync(Session session)
    {
        lock (_gate)
        {
            if (!_queue.Enabled || session.AckRequested || _queue.UnackedCount == 0 || _session != session)
            {
                return;
            }

            session.AckRequested = true;
        }

        await WriteNonzaAsync(session, AckRequest).ConfigureAwait(false);
    }

    private static async Task WriteNonzaAsync(Session session, byte[] bytes)
    {
        try
        {
            await session.Connection.WriteAsync(bytes, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The receive loop notices the dead connection and reconnects.
        }
    }

    private async Task<XElement> SendIqCoreAsync(XElement iq, Session? via, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(iq);
        var type = (string?)iq.Attribute("type");
        if (iq.Name.LocalName != "iq" || type is not ("get" or "set"))
        {
            throw new ArgumentException("An IQ request is an <iq/> element with type 'get' or 'set'.", nameof(iq));
        }

        iq = XmppXml.WithClientNamespace(new XElement(iq));
        var id = (string?)iq.Attribute("id");
        if (string.IsNullOrEmpty(id) || _iqs.ContainsKey(id))
        {
            id = NewId();
            iq.SetAttributeValue("id", id);
        }

        var payload = iq.Elements().FirstOrDefault()?.Name.NamespaceName ?? "";
        using var activity = XmppTelemetry.ActivitySource.StartActivity("xmpp iq", ActivityKind.Client);
        activity?.SetTag("xmpp.iq.type", type);
        activity?.SetTag("xmpp.iq.namespace", payload);
        var started = _time.GetTimestamp();

        var answer = new TaskCompletionSource<XElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _iqs[id] = new PendingIq((string?)iq.Attribute("to"), answer);
        var limit = timeout ?? _options.RequestTimeout;
        try
        {
            await SendStanzaAsync(iq, via, cancellationToken).ConfigureAwait(false);
            XElement result;
            try
            {
                result = await answer.Task.WaitAsync(limit, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"No answer to the IQ ({payload}) within {limit}.", e);
            }

            if ((string?)result.Attribute("type") == "error")
            {
                throw new XmppStanzaException(result);
            }

            return result;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            _iqs.TryRemove(id, out _);
            XmppTelemetry.IqDuration.Record(_time.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("xmpp.iq.type", type), new KeyValuePair<string, object?>("xmpp.iq.namespace", payload));
        }
    }

    private async Task ReceiveLoopAsync(Session session)
    {
        Exception? failure = null;
        try
        {
            foreach (var element in session.Early)
            {
                await HandleAsync(session, element, countForAck: false).ConfigureAwait(false);
            }

            session.Early.Clear();
            while (true)
            {
                var element = await session.Connection.ReadElementAsync().ConfigureAwait(false)
                    ?? throw new XmppException("The server closed the stream.");
                await HandleAsync(session, element, countForAck: true).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        await OnSessionEndedAsync(session, failure).ConfigureAwait(false);
    }

    private async Task HandleAsync(Session session, XElement element, bool countForAck)
    {
        if (element.Name == XmppNamespaces.Streams + "error")
        {
            throw new XmppStreamException(element);
        }

        if (element.Name.Namespace == Sm)
        {
            await HandleStreamManagementAsync(session, element).ConfigureAwait(false);
            return;
        }

        if (element.Name.Namespace != XmppNamespaces.Client)
        {
            Log.DroppedStanza(_logger, $"unexpected top-level element in {element.Name.NamespaceName}");
            return;
        }

        switch (element.Name.LocalName)
        {
            case "iq":
                await HandleIqAsync(session, element).ConfigureAwait(false);
                break;
            case "message":
                await HandleMessageAsync(session, element).ConfigureAwait(false);
                break;
            case "presence":
                HandlePresence(element);
                break;
            default:
                Log.DroppedStanza(_logger, $"unknown stanza <{element.Name.LocalName}>");
                break;
        }

        // Counted once handled (for a message: once it is in the receive buffer), per XEP-0198 section 4.
        if (countForAck)
        {
            lock (_gate)
            {
                if (_queue.Enabled)
                {
                    _queue.InboundCount++;
                }
            }
        }
    }

    private async Task HandleStreamManagementAsync(Session session, XElement element)
    {
        switch (element.Name.LocalName)
        {
            case "r":
                uint h;
                lock (_gate)
                {
                    h = _queue.InboundCount;
                }

                await WriteNonzaAsync(session, XmppXml.Serialize(new XElement(Sm + "a", new XAttribute("h", h)))).ConfigureAwait(false);
                break;
            case "a":
                lock (_gate)
                {
                    _queue.Acknowledge(ParseH(element));
                    session.AckRequested = false;
                }

                // Stanzas sent while the request was outstanding need one more.
                await RequestAckAsync(session).ConfigureAwait(false);
                break;
        }
    }

    private async Task HandleIqAsync(Session session, XElement iq)
    {
        var type = (string?)iq.Attribute("type");
        var id = (string?)iq.Attribute("id");
        if (type is "result" or "error")
        {
            if (id is not null && _iqs.TryGetValue(id, out var pending) && IsFromExpected(iq, pending.To))
            {
                pending.Answer.TrySetResult(iq);
            }
            else
            {
                Log.DroppedStanza(_logger, "an IQ answer nobody waits for (or from the wrong sender)");
            }

            return;
        }

        if (type is not ("get" or "set") || id is null)
        {
            return;
        }

        if (type == "get" && iq.Element(XmppNamespaces.Ping + "ping") is not null)
        {
            await ReplyAsync(session, IqReply(iq, "result")).ConfigureAwait(false);
            return;
        }

        if (IqHandler is { } handler)
        {
            // Off the receive loop: a slow handler must not stall pings and acknowledgements.
            _ = Task.Run(async () =>
            {
                XElement reply;
                try
                {
                    reply = await handler(new XElement(iq)).ConfigureAwait(false) is { } result
                        ? PrepareReply(iq, result)
                        : IqError(iq, "cancel", "service-unavailable");
                }
                catch (Exception e)
                {
                    Log.IqHandlerFailed(_logger, e);
                    reply = IqError(iq, "wait", "internal-server-error");
                }

                await ReplyAsync(session, reply).ConfigureAwait(false);
            });
            return;
        }

        await ReplyAsync(session, IqError(iq, "cancel", "service-unavailable")).ConfigureAwait(false);
    }

    private async Task ReplyAsync(Session session, XElement reply)
    {
        try
        {
            await SendStanzaAsync(reply, session, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is XmppException or ObjectDisposedException or ArgumentException)
        {
            Log.DroppedStanza(_logger, $"could not answer an IQ: {e.Message}");
        }
    }

    private static XElement PrepareReply(XElement request, XElement reply)
    {
        reply = XmppXml.WithClientNamespace(new XElement(reply));
        reply.SetAttributeValue("id", (string?)request.Attribute("id"));
        reply.SetAttributeValue("to", (string?)request.Attribute("from"));
        reply.SetAttributeValue("type", (string?)reply.Attribute("type") is "error" ? "error" : "result");
        return reply;
    }

    private static XElement IqReply(XElement request, string type)
    {
        var reply = new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", type), new XAttribute("id", (string?)request.Attribute("id") ?? ""));
        if ((string?)request.Attribute("from") is { } from)
        {
            reply.SetAttributeValue("to", from);
        }

        return reply;
    }

    private static XElement IqError(XElement request, string errorType, string condition)
    {
        var reply = IqReply(request, "error");
        reply.Add(new XElement(XmppNamespaces.Client + "error", new XAttribute("type", errorType),
            new XElement(XmppNamespaces.StanzaErrors + condition)));
        return reply;
    }

    /// <summary>An IQ answer must come from the entity asked (RFC 6120 section 8.1.2.1); the server answers for our account.</summary>
    private bool IsFromExpected(XElement answer, string? to)
    {
        var from = (string?)answer.Attribute("from");
        if (to is null || (_jid is { } own && (to == own.Bare.ToString() || to == own.Domain)))
        {
            return from is null || (_jid is { } me && (from == me.Bare.ToString() || from == me.Domain || from == me.ToString()));
        }

        return Client.Jid.TryParse(from, out var f) && Client.Jid.TryParse(to, out var t) && f == t;
    }

    private async Task HandleMessageAsync(Session session, XElement stanza)
    {
        var body = stanza.Element(XmppNamespaces.Client + "body")?.Value;
        var type = ParseMessageType((string?)stanza.Attribute("type"));
        if (body is null || type is null)
        {
            return; // no body (chat states, receipts, subjects) or type='error'
        }

        var fromText = (string?)stanza.Attribute("from");
        Jid from;
        if (fromText is null)
        {
            from = _jid?.Bare ?? default;
        }
        else if (!Client.Jid.TryParse(fromText, out from))
        {
            Log.DroppedStanza(_logger, "a message whose 'from' is not a valid JID");
            return;
        }

        Jid? to = Client.Jid.TryParse((string?)stanza.Attribute("to"), out var t) ? t : null;
        var message = new XmppMessage(from, to, (string?)stanza.Attribute("id"), type.Value, body, stanza);
        XmppTelemetry.MessagesReceived.Add(1);

        var writer = type == XmppMessageType.GroupChat && _rooms.TryGetValue(from.Bare, out var room)
            ? room.Buffer.Writer
            : _messages.Writer;
        if (writer.TryWrite(message))
        {
            return;
        }

        // Full buffer: wait for the consumer (nothing is dropped). Keepalive pings pause meanwhile, since the silence
        // is ours; the read stops, so TCP pushes back on the server.
        session.WaitingForConsumer = true;
        try
        {
            await writer.WriteAsync(message, session.Lifetime.Token).ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The room was left or the client disposed.
        }
        finally
        {
            session.WaitingForConsumer = false;
        }
    }

    private static XmppMessageType? ParseMessageType(string? type) => type switch
    {
        null or "normal" => XmppMessageType.Normal,
        "chat" => XmppMessageType.Chat,
        "groupchat" => XmppMessageType.GroupChat,
        "headline" => XmppMessageType.Headline,
        _ => null,
    };

    /// <summary>Pings the server every <see cref="XmppClientOptions.PingInterval"/>; no answer within
    /// <see cref="XmppClientOptions.RequestTimeout"/> means the connection is dead (also a peer stuck mid-stanza).</summary>
    private async Task KeepaliveLoopAsync(Session session)
    {
        var token = session.Lifetime.Token;
        try
        {
            while (true)
            {
                await Task.Delay(_options.PingInterval, _time, token).ConfigureAwait(false);
                if (session.WaitingForConsumer)
                {
                    continue;
                }

                try
                {
                    await SendIqCoreAsync(CreatePing(null), session, _options.RequestTimeout, token).ConfigureAwait(false);
                    Interlocked.Exchange(ref _lastPingTicks, _time.GetUtcNow().UtcTicks);
                }
                catch (XmppStanzaException)
                {
                    // An error answer still proves the server is there.
                    Interlocked.Exchange(ref _lastPingTicks, _time.GetUtcNow().UtcTicks);
                }
                catch (TimeoutException) when (!session.WaitingForConsumer)
                {
                    Log.PingTimedOut(_logger, _options.RequestTimeout);
                    await session.Connection.DisposeAsync().ConfigureAwait(false); // ends the receive loop, which reconnects
                    return;
                }
                catch (TimeoutException)
                {
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or XmppException or ObjectDisposedException)
        {
            // The session ended.
        }
    }

    private async Task OnSessionEndedAsync(Session session, Exception? failure)
    {
        lock (_gate)
        {
            if (_session != session)
            {
                return;
            }

            _session = null;
            _live = false;
        }

        await session.Lifetime.CancelAsync().ConfigureAwait(false);
        await session.Connection.DisposeAsync().ConfigureAwait(false);
        if (_disposed != 0)
        {
            return;
        }

        Log.ConnectionLost(_logger, _options.Host, _options.Port, Log.Reason(failure));
        foreach (var room in _rooms.Values)
        {
            room.MarkDisconnected();
        }

        SetState(XmppConnectionState.Reconnecting);
        _ = Task.Run(ReconnectAsync);
    }

    private async Task ReconnectAsync()
    {
        try
        {
            await _connectPipeline.ExecuteAsync(async ct => await AttemptAsync(ct).ConfigureAwait(false), _disposing.Token).ConfigureAwait(false);
            XmppTelemetry.Reconnects.Add(1);
        }
        catch (Exception e)
        {
            if (_disposed != 0)
            {
                return;
            }

            Log.GaveUp(_logger, e, _options.Host, _options.Port);
            SetState(XmppConnectionState.Disconnected);
        }
    }

    /// <summary>
    /// Closes the stream politely (<c>&lt;/stream:stream&gt;</c>) and releases everything. Stanzas not yet acknowledged
    /// are not sent again: call <see cref="FlushAsync"/> first to be sure they arrived.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        Session? session;
        int unacked;
        lock (_gate)
        {
            session = _session;
            _session = null;
            _live = false;
            unacked = _queue.UnackedCount + _queue.PendingCount;
            _queue.FailWaiters(new ObjectDisposedException(nameof(XmppClient)));
        }

        SetState(XmppConnectionState.Closed);
        lock (_gate)
        {
            _state = XmppConnectionState.Closed;
        }

        if (session is not null)
        {
            await session.Connection.CloseStreamAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            await session.Lifetime.CancelAsync().ConfigureAwait(false);
            await session.Connection.DisposeAsync().ConfigureAwait(false);
            await session.ReceiveLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        foreach (var pending in _iqs.Values)
        {
            pending.Answer.TrySetException(new ObjectDisposedException(nameof(XmppClient)));
        }

        _messages.Writer.TryComplete();
        foreach (var room in _rooms.Values)
        {
            room.Buffer.Writer.TryComplete();
        }

        _http?.Dispose();
        Log.Closed(_logger, unacked);
    }
}
