namespace Aspire.Prosody.Client;

/// <summary>A multi-user chat room (XEP-0045) this client has joined through <see cref="XmppClient.JoinRoomAsync"/>.</summary>
public sealed class XmppRoom
{
    internal XmppRoom(Jid room, string nickname)
    {
        Room = room;
        Nickname = nickname;
    }

    /// <summary>The room's bare JID, e.g. <c>lobby@conference.example.com</c>.</summary>
    public Jid Room { get; }

    /// <summary>This client's nickname in the room.</summary>
    public string Nickname { get; }

    /// <summary>Sends a groupchat message to the room; returns its stanza id.</summary>
    public Task<string> SendAsync(string body, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The room's groupchat messages with a body.</summary>
    public IAsyncEnumerable<XmppMessage> ReceiveMessagesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Leaves the room.</summary>
    public Task LeaveAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
