using Aspire.Prosody.Client.Xmpp.Telemetry;

namespace Aspire.Prosody.Client;

// Multi-user chat (XEP-0045): join (creating an instant room if new), leave, re-join after a new session.
public sealed partial class XmppClient
{
    /// <summary>
    /// Joins a room, creating it as an instant room (default configuration) if it does not exist yet and the server
    /// allows this account to create rooms. Returns once the room confirmed our presence.
    /// </summary>
    /// <param name="room">The room's bare JID, e.g. <c>lobby@conference.example.com</c>.</param>
    /// <param name="nickname">The nickname to use in the room.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ArgumentException">The room JID is not bare or the nickname is not a valid resource; nothing was sent.</exception>
    /// <exception cref="XmppStanzaException">The room refused (e.g. <c>conflict</c>: nickname taken; <c>not-allowed</c>: creation forbidden).</exception>
    /// <exception cref="TimeoutException">The room did not answer within <see cref="XmppClientOptions.RequestTimeout"/>.</exception>
    public async Task<XmppRoom> JoinRoomAsync(Jid room, string nickname, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        if (room.Local is null || !room.IsBare)
        {
            throw new ArgumentException($"A room is a bare JID with a local part, e.g. lobby@conference.example.com (was '{room}').", nameof(room));
        }

        try
        {
            _ = room.WithResource(nickname);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{nickname}' is not a valid nickname: {e.Message}", nameof(nickname), e);
        }

        var joined = new XmppRoom(this, room, nickname, _options.ReceiveBufferCapacity);
        if (!_rooms.TryAdd(room, joined))
        {
            throw new InvalidOperationException($"The room {room} is already joined; leave it first.");
        }

        try
        {
            await SendStanzaAsync(joined.CreateJoinPresence(), via: null, cancellationToken).ConfigureAwait(false);
            await joined.Joined.WaitAsync(_options.RequestTimeout, _time, cancellationToken).ConfigureAwait(false);
            if (joined.Created)
            {
                // A new room stays locked until its owner configures it; an empty submitted form accepts the defaults.
                await SendIqAsync(CreateInstantRoomRequest(room), null, cancellationToken).ConfigureAwait(false);
            }

            return joined;
        }
        catch
        {
            _rooms.TryRemove(new KeyValuePair<Jid, XmppRoom>(room, joined));
            joined.Buffer.Writer.TryComplete();
            throw;
        }
    }

    internal async Task LeaveRoomAsync(XmppRoom room, CancellationToken cancellationToken)
    {
        if (!_rooms.TryRemove(new KeyValuePair<Jid, XmppRoom>(room.Room, room)))
        {
            return;
        }

        room.Buffer.Writer.TryComplete();
        if (_disposed == 0 && _state != XmppConnectionState.Disconnected)
        {
            await SendStanzaAsync(new XElement(XmppNamespaces.Client + "presence",
                new XAttribute("to", room.Occupant.ToString()), new XAttribute("type", "unavailable")), via: null, cancellationToken).ConfigureAwait(false);
        }
    }

    private static XElement CreateInstantRoomRequest(Jid room) => new(XmppNamespaces.Client + "iq",
        new XAttribute("type", "set"), new XAttribute("to", room.ToString()),
        new XElement(XmppNamespaces.MucOwner + "query", new XElement(XmppNamespaces.DataForms + "x", new XAttribute("type", "submit"))));

    private void HandlePresence(XElement presence)
    {
        if (Client.Jid.TryParse((string?)presence.Attribute("from"), out var from) && _rooms.TryGetValue(from.Bare, out var room))
        {
            room.OnPresence(presence, from);
        }
    }

    /// <summary>After a new (not resumed) session the server forgot our rooms: join them again, one after another.</summary>
    private async Task RejoinRoomsAsync(Session session, CancellationToken ct)
    {
        foreach (var room in _rooms.Values)
        {
            try
            {
                await SendStanzaAsync(room.CreateJoinPresence(), session, ct).ConfigureAwait(false);
                await room.Joined.WaitAsync(_options.RequestTimeout, _time, ct).ConfigureAwait(false);
                if (room.Created)
                {
                    // The server lost the room (e.g. it restarted and the room was not persistent): unlock it again.
                    await SendIqCoreAsync(CreateInstantRoomRequest(room.Room), session, null, ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is XmppException or TimeoutException)
            {
                Log.RejoinFailed(_logger, e, room.Room.ToString());
            }
        }
    }
}
