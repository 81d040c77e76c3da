using System.Xml.Linq;
using Microsoft.Extensions.Logging;

namespace Aspire.Prosody.Client;

/// <summary>
/// A long-lived XMPP client connection (RFC 6120/6121) to one account: STARTTLS with certificate validation, SASL SCRAM,
/// stream management (XEP-0198) with resumption, automatic reconnects, messages, presence, IQ, ping, group chat and
/// HTTP upload. Thread-safe.
/// </summary>
public sealed partial class XmppClient : IAsyncDisposable
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> and of the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string ActivitySourceName = "Aspire.Prosody.Client";

    /// <summary>Creates a client; nothing is sent until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">Connection details and policies; copied, so later changes have no effect.</param>
    /// <param name="loggerFactory">Where to log (category <c>Aspire.Prosody.Client</c>); nothing is logged when null.</param>
    /// <param name="timeProvider">The clock for timeouts, pings and backoff; the system clock when null.</param>
    /// <exception cref="ArgumentException">An option is missing or invalid.</exception>
    public XmppClient(XmppClientOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        throw new NotImplementedException();
    }

    /// <summary>The full JID the server bound, or <see langword="null"/> before the first sign-in.</summary>
    public Jid? Jid => throw new NotImplementedException();

    /// <summary>The connection state.</summary>
    public XmppConnectionState State => throw new NotImplementedException();

    /// <summary>Raised on every change of <see cref="State"/>, on the thread that made the change.</summary>
    public event EventHandler<XmppConnectionState>? StateChanged { add { } remove { } }

    /// <summary>When the server last answered a ping, or <see langword="null"/> if it has not yet.</summary>
    public DateTimeOffset? LastPingAnswered => throw new NotImplementedException();

    /// <summary>
    /// Optional handler for incoming IQ get/set requests other than ping: return the result stanza (or
    /// <see langword="null"/> to answer <c>service-unavailable</c>). Without a handler every such request is answered
    /// <c>service-unavailable</c>, as RFC 6120 section 8.2.3 requires.
    /// </summary>
    public Func<XElement, Task<XElement?>>? IqHandler { get; set; }

    /// <summary>Signs in. Idempotent; retries per the reconnect policy.</summary>
    public Task ConnectAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Sends a message and returns its stanza id.</summary>
    public Task<string> SendMessageAsync(Jid to, string body, XmppMessageType type = XmppMessageType.Chat, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Sends any stanza.</summary>
    public Task SendAsync(XElement stanza, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Completes when the server has acknowledged every stanza sent so far.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Incoming messages with a body.</summary>
    public IAsyncEnumerable<XmppMessage> ReceiveMessagesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Sends presence.</summary>
    public Task SendPresenceAsync(XmppPresenceShow show = XmppPresenceShow.Available, string? status = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Pings (XEP-0199) and returns the round-trip time.</summary>
    public Task<TimeSpan> PingAsync(Jid? to = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Sends an IQ and returns the result.</summary>
    public Task<XElement> SendIqAsync(XElement iq, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Joins a room.</summary>
    public Task<XmppRoom> JoinRoomAsync(Jid room, string nickname, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Requests an HTTP upload slot.</summary>
    public Task<HttpUploadSlot> RequestUploadSlotAsync(string fileName, long size, string? contentType = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Uploads a file and returns its download URL.</summary>
    public Task<Uri> UploadFileAsync(string fileName, Stream content, long size, string? contentType = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Closes the stream.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
