namespace Aspire.Prosody.Client.Xmpp.StreamManagement;

/// <summary>One stanza accepted by a send method, serialised once so a resend is byte-identical (same id).</summary>
internal sealed class OutboundStanza(XElement stanza, byte[] bytes, long acceptNumber)
{
    public XElement Stanza { get; } = stanza;

    public byte[] Bytes { get; } = bytes;

    /// <summary>Position among every stanza ever accepted (all sessions); used by flush waiters.</summary>
    public long AcceptNumber { get; } = acceptNumber;

    /// <summary>The stream management sequence number (the server's <c>h</c> after handling it).</summary>
    public uint Sequence { get; set; }
}

/// <summary>
/// Stream management state (XEP-0198): outbound stanzas accepted but not yet acknowledged, stanzas waiting for a
/// connection, and the inbound counter. Not thread-safe: the client guards it with one lock.
/// </summary>
/// <remarks>
/// Acknowledged stanzas are always a prefix of the accepted ones, because stanzas go on the wire in the order they were
/// accepted and a resend keeps that order. So "everything up to accept number N is acknowledged" is one number.
/// </remarks>
internal sealed class OutboundQueue
{
    private readonly Queue<OutboundStanza> _unacked = new();
    private readonly List<OutboundStanza> _pending = [];
    private readonly List<(long Target, TaskCompletionSource Waiter)> _flushWaiters = [];
    private long _lastAccepted;
    private long _done;

    /// <summary>Whether the current (or resumable) session has stream management enabled.</summary>
    public bool Enabled { get; set; }

    /// <summary>The id to resume with, or <see langword="null"/> when the session cannot be resumed.</summary>
    public string? ResumeId { get; set; }

    /// <summary>Stanzas sent on the current SM session (our side's <c>h</c> as the server will count it).</summary>
    public uint OutboundCount { get; private set; }

    /// <summary>Stanzas received and handled on the current SM session: what we answer an <c>&lt;r/&gt;</c> with.</summary>
    public uint InboundCount { get; set; }

    public int UnackedCount => _unacked.Count;

    public int PendingCount => _pending.Count;

    /// <summary>Accepts a stanza: from now on it is sent, resent or reported as lost (only at disposal).</summary>
    public OutboundStanza Accept(XElement stanza, byte[] bytes) => new(stanza, bytes, ++_lastAccepted);

    /// <summary>Holds a stanza until a session is live.</summary>
    public void AddPending(OutboundStanza stanza) => _pending.Add(stanza);

    /// <summary>Takes the stanzas waiting for a connection, oldest first.</summary>
    public List<OutboundStanza> TakePending()
    {
        var pending = _pending.ToList();
        _pending.Clear();
        return pending;
    }

    /// <summary>Records that a stanza is being written to the current session.</summary>
    public void MarkSent(OutboundStanza stanza)
    {
        if (Enabled)
        {
            stanza.Sequence = ++OutboundCount;
            _unacked.Enqueue(stanza);
        }
        else
        {
            // Without stream management nothing will ever be acknowledged: written is as far as we can know.
            Complete(stanza.AcceptNumber);
        }
    }

    /// <summary>Processes <c>&lt;a h='…'/&gt;</c> (or the <c>h</c> of <c>&lt;resumed/&gt;</c>); returns how many were acknowledged.</summary>
    public int Acknowledge(uint h)
    {
        var count = 0;
        // Sequence numbers wrap at 2^32 (XEP-0198 section 4): compare by signed difference.
        while (_unacked.TryPeek(out var head) && (int)(h - head.Sequence) >= 0)
        {
            _unacked.Dequeue();
            Complete(head.AcceptNumber);
            count++;
        }

        return count;
    }

    /// <summary>After <c>&lt;resumed/&gt;</c>: the still-unacknowledged stanzas to write again, keeping their sequence numbers.</summary>
    public List<OutboundStanza> Unacked() => [.. _unacked];

    /// <summary>
    /// A new session (no resume, or resume failed): counters restart at zero and every unacknowledged stanza goes back,
    /// in order, in front of the pending ones to be sent again (at-least-once; duplicates keep their id).
    /// </summary>
    /// <returns>How many stanzas will be resent.</returns>
    public int StartFresh()
    {
        var resend = _unacked.Count;
        _pending.InsertRange(0, _unacked);
        _unacked.Clear();
        OutboundCount = 0;
        InboundCount = 0;
        Enabled = false;
        ResumeId = null;
        return resend;
    }

    /// <summary>A task that completes when every stanza accepted so far is acknowledged (or written, without SM).</summary>
    public Task WhenAllAcknowledged()
    {
        if (_done >= _lastAccepted)
        {
            return Task.CompletedTask;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _flushWaiters.Add((_lastAccepted, waiter));
        return waiter.Task;
    }

    /// <summary>Fails every flush waiter, e.g. at disposal.</summary>
    public void FailWaiters(Exception exception)
    {
        foreach (var (_, waiter) in _flushWaiters)
        {
            waiter.TrySetException(exception);
        }

        _flushWaiters.Clear();
    }

    private void Complete(long acceptNumber)
    {
        _done = Math.Max(_done, acceptNumber);
        for (var i = _flushWaiters.Count - 1; i >= 0; i--)
        {
            if (_flushWaiters[i].Target <= _done)
            {
                _flushWaiters[i].Waiter.TrySetResult();
                _flushWaiters.RemoveAt(i);
            }
        }
    }
}
