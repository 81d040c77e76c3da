namespace Aspire.Prosody.Client;

/// <summary>The <c>type</c> of a message stanza (RFC 6121 section 5.2.2).</summary>
public enum XmppMessageType
{
    /// <summary>One-to-one conversation (<c>chat</c>).</summary>
    Chat,

    /// <summary>A stand-alone message (<c>normal</c>, also the meaning of a missing type).</summary>
    Normal,

    /// <summary>A multi-user chat room message (<c>groupchat</c>).</summary>
    GroupChat,

    /// <summary>An alert that expects no reply (<c>headline</c>).</summary>
    Headline,
}

/// <summary>The availability sent with presence (RFC 6121 section 4.7.2.1).</summary>
public enum XmppPresenceShow
{
    /// <summary>Online, no <c>&lt;show/&gt;</c> element.</summary>
    Available,

    /// <summary><c>away</c>.</summary>
    Away,

    /// <summary><c>chat</c>: free to chat.</summary>
    Chat,

    /// <summary><c>dnd</c>: do not disturb.</summary>
    DoNotDisturb,

    /// <summary><c>xa</c>: extended away.</summary>
    ExtendedAway,
}

/// <summary>Where an <see cref="XmppClient"/> is in its life.</summary>
public enum XmppConnectionState
{
    /// <summary>Not connected: before <see cref="XmppClient.ConnectAsync"/>, or after reconnecting gave up.</summary>
    Disconnected,

    /// <summary>The first sign-in is under way.</summary>
    Connecting,

    /// <summary>Signed in: stanzas flow.</summary>
    SignedIn,

    /// <summary>The connection was lost and the client is reconnecting; sends are queued meanwhile.</summary>
    Reconnecting,

    /// <summary>Disposed; the client cannot be used again.</summary>
    Closed,
}

/// <summary>A message with a body received from the server.</summary>
/// <param name="From">The sender (for a room: <c>room@service/nickname</c>).</param>
/// <param name="To">The addressee, normally this client's JID.</param>
/// <param name="Id">The stanza id the sender chose, if any; resent duplicates keep it, so it can be used to deduplicate.</param>
/// <param name="Type">The message type.</param>
/// <param name="Body">The text of the <c>&lt;body/&gt;</c>.</param>
/// <param name="Stanza">The complete stanza as received, for extensions.</param>
public sealed record XmppMessage(Jid From, Jid? To, string? Id, XmppMessageType Type, string Body, XElement Stanza);

/// <summary>An HTTP upload slot (XEP-0363): PUT the file to <paramref name="PutUrl"/>, then share <paramref name="GetUrl"/>.</summary>
/// <param name="PutUrl">Where to PUT the file.</param>
/// <param name="PutHeaders">Headers to send with the PUT (e.g. <c>Authorization</c>).</param>
/// <param name="GetUrl">Where the file can be downloaded once uploaded.</param>
public sealed record HttpUploadSlot(Uri PutUrl, IReadOnlyDictionary<string, string> PutHeaders, Uri GetUrl);
