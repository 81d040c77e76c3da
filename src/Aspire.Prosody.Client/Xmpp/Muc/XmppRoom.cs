using System.Threading.Channels;

namespace Aspire.Prosody.Client;

/// <summary>
/// A multi-user chat room (XEP-0045) joined with <see cref="XmppClient.JoinRoomAsync"/>. The client re-joins it after a
/// reconnect that could not resume the session. Its group chat messages go to this room's own buffer, not to
/// <see cref="XmppClient.ReceiveMessagesAsync"/>.
/// </summary>
public sealed class XmppRoom
{
    private readonly XmppClient _client;
    private TaskCompletionSource<XElement> _joined = NewJoin();

    internal XmppRoom(XmppClient client, Jid room, string nickname, int capacity)
    {
        _client = client;
        Room = room;
        Nickname = nickname;
        Buffer = Channel.CreateBounded<XmppMessage>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The room's bare JID, e.g. <c>lobby@conference.example.com</c>.</summary>
    public Jid Room { get; }

    /// <summary>This client's nickname in the room.</summary>
    public string Nickname { get; }

    /// <summary>Whether the room was created by this join (status 201) and configured as an instant room.</summary>
    public bool Created { get; internal set; }

    internal Channel<XmppMessage> Buffer { get; }

    internal Jid Occupant => Room.WithResource(Nickname);

    internal Task<XElement> Joined => _joined.Task;

    /// <summary>
    /// Sends a group chat message to the room; returns its stanza id. The room echoes it back to every occupant,
    /// this client included (compare <see cref="XmppMessage.From"/>'s resource with <see cref="Nickname"/>).
    /// </summary>
    /// <param name="body">The text.</param>
    /// <param name="cancellationToken">Stops waiting for the turn to write.</param>
    /// <exception cref="ArgumentException">The body contains characters XML cannot carry; nothing was sent.</exception>
    public Task<string> SendAsync(string body, CancellationToken cancellationToken = default)
        => _client.SendMessageAsync(Room, body, XmppMessageType.GroupChat, cancellationToken);

    /// <summary>
    /// The room's group chat messages with a body, from the join on (history is not requested). Each message goes to
    /// one reader. Ends when the room is left or the client disposed.
    /// </summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    public IAsyncEnumerable<XmppMessage> ReceiveMessagesAsync(CancellationToken cancellationToken = default)
        => Buffer.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Leaves the room (unavailable presence) and ends <see cref="ReceiveMessagesAsync"/>.</summary>
    /// <param name="cancellationToken">Stops waiting for the turn to write.</param>
    public Task LeaveAsync(CancellationToken cancellationToken = default) => _client.LeaveRoomAsync(this, cancellationToken);

    /// <summary>The presence that joins the room, asking for no history (XEP-0045 section 7.2.14).</summary>
    internal XElement CreateJoinPresence() => new(XmppNamespaces.Client + "presence",
        new XAttribute("to", Occupant.ToString()),
        new XElement(XmppNamespaces.Muc + "x", new XElement(XmppNamespaces.Muc + "history", new XAttribute("maxstanzas", "0"))));

    /// <summary>Called with each presence from the room; completes the join on our own presence or an error.</summary>
    internal void OnPresence(XElement presence, Jid from)
    {
        var type = (string?)presence.Attribute("type");
        var user = presence.Element(XmppNamespaces.MucUser + "x");
        var statuses = user?.Elements(XmppNamespaces.MucUser + "status").Select(s => (string?)s.Attribute("code")).ToHashSet() ?? [];
        // Our own presence carries status 110 (XEP-0045 section 7.2.2); a server may omit it, so the nickname counts too.
        var self = statuses.Contains("110") || from.Resource == Nickname;
        if (type == "error" && (from.IsBare || self))
        {
            _joined.TrySetException(new XmppStanzaException(presence));
        }
        else if (self && type is null)
        {
            if (statuses.Contains("201"))
            {
                Created = true;
            }

            _joined.TrySetResult(presence);
        }
    }

    /// <summary>A new join is needed (the session was lost).</summary>
    internal void MarkDisconnected()
    {
        if (_joined.Task.IsCompleted)
        {
            _joined = NewJoin();
            Created = false;
        }
    }

    private static TaskCompletionSource<XElement> NewJoin() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
