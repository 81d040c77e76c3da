using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Channels;
using Aspire.Prosody.Client.Xmpp;
using Aspire.Prosody.Client.Xmpp.StreamManagement;
using Aspire.Prosody.Client.Xmpp.Telemetry;
using Aspire.Prosody.Client.Xmpp.Xml;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Aspire.Prosody.Client;

/// <summary>
/// A long-lived XMPP client connection (RFC 6120/6121) for one account: STARTTLS with certificate validation always on,
/// SASL SCRAM, stream management (XEP-0198) with resumption, automatic reconnects, messages, presence, IQ, ping, group
/// chat (XEP-0045) and HTTP upload (XEP-0363). Thread-safe; meant to be a singleton.
/// </summary>
/// <remarks>
/// <para><b>Delivery.</b> A stanza a send method accepted is kept until the server acknowledges it (XEP-0198) and is sent
/// again after a reconnect: on <c>&lt;resumed/&gt;</c> only what the server did not count, after a failed resume (e.g.
/// the server restarted) every unacknowledged stanza, with its original id, so a receiver may see a duplicate but never a
/// gap. Stanzas can be lost only when (1) they are still unacknowledged when the client is disposed or the process ends
/// (call <see cref="FlushAsync"/> first), or (2) the server does not offer stream management: then anything written after
/// the last answered ping may be lost with the connection.</para>
/// <para><b>Receiving.</b> Messages with a body go to a bounded buffer (<see cref="XmppClientOptions.ReceiveBufferCapacity"/>)
/// read with <see cref="ReceiveMessagesAsync"/>; group chat messages of a room joined with <see cref="JoinRoomAsync"/> go
/// to that room's own buffer instead. When a buffer is full the client stops reading the network until a message is
/// taken (nothing is dropped); pings and acknowledgements already read are answered first. A message counts as handled
/// for stream management once it is in the buffer.</para>
/// </remarks>
public sealed partial class XmppClient : IAsyncDisposable
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string ActivitySourceName = "Aspire.Prosody.Client";

    private readonly XmppClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _connectPipeline;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly OutboundQueue _queue = new();
    private readonly Channel<XmppMessage> _messages;
    private readonly ConcurrentDictionary<string, PendingIq> _iqs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Jid, XmppRoom> _rooms = new();
    private readonly CancellationTokenSource _disposing = new();

    private Session? _session;
    private bool _live;
    private XmppConnectionState _state;
    private Task? _connecting;
    private Jid? _jid;
    private long _lastPingTicks;
    private XElement? _presence;
    private int _disposed;

    /// <summary>Creates a client; nothing is sent until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">Connection details and policies; copied, so later changes have no effect.</param>
    /// <param name="loggerFactory">Where to log (category <c>Aspire.Prosody.Client</c>); nothing is logged when null.</param>
    /// <param name="timeProvider">The clock for timeouts, pings and backoff; the system clock when null.</param>
    /// <exception cref="ArgumentException">An option is missing or invalid; the message names it.</exception>
    public XmppClient(XmppClientOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(Log.Category);
        _time = timeProvider ?? TimeProvider.System;
        _messages = Channel.CreateBounded<XmppMessage>(new BoundedChannelOptions(_options.ReceiveBufferCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _connectPipeline = CreateConnectPipeline();
    }

    /// <summary>The full JID the server bound, or <see langword="null"/> before the first sign-in.</summary>
    public Jid? Jid => _jid;

    /// <summary>The connection state.</summary>
    public XmppConnectionState State => _state;

    /// <summary>Raised on every change of <see cref="State"/>.</summary>
    public event EventHandler<XmppConnectionState>? StateChanged;

    /// <summary>
    /// When the server last answered a ping (the client pings every <see cref="XmppClientOptions.PingInterval"/>), or
    /// <see langword="null"/> if it has not yet. A health check: signed in and a recent answer.
    /// </summary>
    public DateTimeOffset? LastPingAnswered
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastPingTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Optional handler for incoming IQ get/set requests other than ping (which is always answered): return the
    /// <c>type='result'</c> stanza, or <see langword="null"/> to answer <c>service-unavailable</c>. It runs outside the
    /// receive loop. Without a handler every such request is answered <c>service-unavailable</c> (RFC 6120 section 8.2.3).
    /// </summary>
    public Func<XElement, Task<XElement?>>? IqHandler { get; set; }

    /// <summary>
    /// Connects and signs in (TCP, STARTTLS, SASL, resource binding, stream management, initial presence). Idempotent:
    /// returns at once when signed in or reconnecting, and joins an attempt already under way. Failed attempts are
    /// retried with exponential backoff per <see cref="XmppClientOptions.MaxReconnectAttempts"/>.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (and stops retrying, for the call that started the attempt).</param>
    /// <exception cref="XmppAuthenticationException">The credentials were refused; never retried.</exception>
    /// <exception cref="XmppTlsException">The server's certificate does not validate, or it offers no STARTTLS; never retried.</exception>
    /// <exception cref="TimeoutException">An attempt exceeded <see cref="XmppClientOptions.ConnectTimeout"/> and retries are exhausted.</exception>
    public Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Task connecting;
        lock (_gate)
        {
            if (_state is XmppConnectionState.SignedIn or XmppConnectionState.Reconnecting)
            {
                return Task.CompletedTask;
            }

            connecting = _connecting ??= ConnectFirstAsync(cancellationToken);
        }

        return connecting.WaitAsync(cancellationToken);
    }

    /// <summary>Sends a message; returns its stanza id (random, unique).</summary>
    /// <param name="to">The addressee: a bare JID (the server picks the account's resources) or a full JID.</param>
    /// <param name="body">The text; any characters XML can carry (markup is escaped, never interpreted).</param>
    /// <param name="type">The message type.</param>
    /// <param name="cancellationToken">Stops waiting for the turn to write.</param>
    /// <exception cref="ArgumentException">The body contains characters XML cannot carry, or <paramref name="to"/> is empty; nothing was sent.</exception>
    /// <exception cref="InvalidOperationException">The client is not connected (see <see cref="SendAsync"/>).</exception>
    public async Task<string> SendMessageAsync(Jid to, string body, XmppMessageType type = XmppMessageType.Chat, CancellationToken cancellationToken = default)
    {
        var message = CreateMessage(to, body, type, out var id);
        await SendStanzaAsync(message, via: null, cancellationToken).ConfigureAwait(false);
        XmppTelemetry.MessagesSent.Add(1);
        return id;
    }

    /// <summary>
    /// Sends any stanza (elements without a namespace are put into <c>jabber:client</c>). Returns once the stanza is
    /// written, or queued while reconnecting; it is tracked by stream management and resent after a reconnect until
    /// acknowledged (<see cref="FlushAsync"/> waits for that).
    /// </summary>
    /// <param name="stanza">A <c>message</c>, <c>presence</c> or <c>iq</c> element.</param>
    /// <param name="cancellationToken">Stops waiting for the turn to write.</param>
    /// <exception cref="ArgumentException">Not a stanza, or it contains characters XML cannot carry; nothing was sent.</exception>
    /// <exception cref="InvalidOperationException">Not connected: <see cref="ConnectAsync"/> was not called, or reconnecting gave up.</exception>
    public async Task SendAsync(XElement stanza, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        if (stanza.Name.LocalName is not ("message" or "presence" or "iq")
            || (stanza.Name.Namespace != XNamespace.None && stanza.Name.Namespace != XmppNamespaces.Client))
        {
            throw new ArgumentException("Only message, presence and iq stanzas (in jabber:client or no namespace) can be sent.", nameof(stanza));
        }

        await SendStanzaAsync(stanza, via: null, cancellationToken).ConfigureAwait(false);
        if (stanza.Name.LocalName == "message")
        {
            XmppTelemetry.MessagesSent.Add(1);
        }
    }

    /// <summary>
    /// Completes when the server has acknowledged (XEP-0198 <c>&lt;a h/&gt;</c>) every stanza accepted so far, across
    /// reconnects. Without stream management on the server it completes after a ping round trip, which at least proves
    /// the server received everything written before it.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Task acknowledged;
        bool streamManagement;
        lock (_gate)
        {
            acknowledged = _queue.WhenAllAcknowledged();
            streamManagement = _queue.Enabled;
        }

        await acknowledged.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!streamManagement)
        {
            await PingAsync(null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Every incoming message with a body (chat, normal, headline, and groupchat from rooms not joined through
    /// <see cref="JoinRoomAsync"/>), buffered from sign-in on. With several concurrent readers each message goes to one
    /// of them. Ends when the client is disposed.
    /// </summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    public IAsyncEnumerable<XmppMessage> ReceiveMessagesAsync(CancellationToken cancellationToken = default)
        => _messages.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Sends presence (RFC 6121 section 4); it is also sent again after a new session.</summary>
    /// <param name="show">The availability.</param>
    /// <param name="status">An optional status text.</param>
    /// <param name="cancellationToken">Stops waiting for the turn to write.</param>
    public async Task SendPresenceAsync(XmppPresenceShow show = XmppPresenceShow.Available, string? status = null, CancellationToken cancellationToken = default)
    {
        var presence = new XElement(XmppNamespaces.Client + "presence");
        if (show != XmppPresenceShow.Available)
        {
            presence.Add(new XElement(XmppNamespaces.Client + "show", show switch
            {
                XmppPresenceShow.Away => "away",
                XmppPresenceShow.Chat => "chat",
                XmppPresenceShow.DoNotDisturb => "dnd",
                XmppPresenceShow.ExtendedAway => "xa",
                _ => throw new ArgumentOutOfRangeException(nameof(show), show, "Unknown presence show value."),
            }));
        }

        if (status is not null)
        {
            presence.Add(new XElement(XmppNamespaces.Client + "status", status));
        }

        await SendStanzaAsync(presence, via: null, cancellationToken).ConfigureAwait(false);
        _presence = presence;
    }

    /// <summary>Pings (XEP-0199) the server or <paramref name="to"/> and returns the round-trip time.</summary>
    /// <param name="to">Whom to ping; the server when null.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="TimeoutException">No answer within <see cref="XmppClientOptions.RequestTimeout"/>.</exception>
    /// <exception cref="XmppStanzaException">The entity answered with an error (e.g. <c>service-unavailable</c>).</exception>
    public async Task<TimeSpan> PingAsync(Jid? to = null, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        await SendIqAsync(CreatePing(to), null, cancellationToken).ConfigureAwait(false);
        var elapsed = _time.GetElapsedTime(started);
        if (to is null)
        {
            Interlocked.Exchange(ref _lastPingTicks, _time.GetUtcNow().UtcTicks);
        }

        return elapsed;
    }

    /// <summary>
    /// Sends an IQ request (<c>type</c> get or set; an <c>id</c> is added when missing) and returns the
    /// <c>type='result'</c> answer.
    /// </summary>
    /// <param name="iq">The request.</param>
    /// <param name="timeout">How long to wait; <see cref="XmppClientOptions.RequestTimeout"/> when null.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="XmppStanzaException">The answer is <c>type='error'</c>; <see cref="XmppStanzaException.Condition"/> says why.</exception>
    /// <exception cref="TimeoutException">No answer in time.</exception>
    public Task<XElement> SendIqAsync(XElement iq, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => SendIqCoreAsync(iq, via: null, timeout, cancellationToken);

    private static XElement CreateMessage(Jid to, string body, XmppMessageType type, out string id)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (to.Domain.Length == 0)
        {
            throw new ArgumentException("The addressee is an empty JID.", nameof(to));
        }

        id = NewId();
        return new XElement(XmppNamespaces.Client + "message",
            new XAttribute("to", to.ToString()),
            new XAttribute("type", type switch
            {
                XmppMessageType.Chat => "chat",
                XmppMessageType.Normal => "normal",
                XmppMessageType.GroupChat => "groupchat",
                XmppMessageType.Headline => "headline",
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown message type."),
            }),
            new XAttribute("id", id),
            new XElement(XmppNamespaces.Client + "body", body));
    }

    private static XElement CreatePing(Jid? to)
    {
        var iq = new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", "get"), new XElement(XmppNamespaces.Ping + "ping"));
        if (to is { } target)
        {
            iq.SetAttributeValue("to", target.ToString());
        }

        return iq;
    }

    /// <summary>A random stanza id (96 bits, URL-safe base64).</summary>
    internal static string NewId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', '-').Replace('/', '_');

    private void SetState(XmppConnectionState state)
    {
        lock (_gate)
        {
            if (_state == state || (_state == XmppConnectionState.Closed))
            {
                return;
            }

            _state = state;
        }

        StateChanged?.Invoke(this, state);
    }

    /// <summary>An IQ waiting for its answer; the answer must come from the entity it was sent to.</summary>
    private sealed record PendingIq(string? To, TaskCompletionSource<XElement> Answer);
}
