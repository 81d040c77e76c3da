namespace XmppTestClient;

/// <summary>
/// Hands incoming stanzas to whoever waits for them. Stanzas that nobody waits for yet are kept,
/// because in a test the reply often arrives before the test gets round to waiting for it.
/// </summary>
/// <remarks>
/// Each stanza is delivered once: the first matching waiter (or later wait) takes it out.
/// </remarks>
internal sealed class StanzaBuffer
{
    // Bounded so a long idle session cannot grow without limit; tests never get near this.
    private const int Capacity = 10_000;

    private readonly Lock _gate = new();
    private readonly LinkedList<XElement> _unclaimed = new();
    private readonly List<Waiter> _waiters = [];
    private Exception? _completion;

    /// <summary>Delivers a stanza to the oldest matching waiter, or keeps it for later.</summary>
    public void Add(XElement stanza)
    {
        lock (_gate)
        {
            foreach (var waiter in _waiters)
            {
                bool matches;
                try
                {
                    matches = waiter.Predicate(stanza);
                }
                catch (Exception e)
                {
                    // A broken predicate is the test's bug: report it to that test, not to the I/O loop.
                    _waiters.Remove(waiter);
                    waiter.Result.TrySetException(e);
                    return;
                }

                if (matches)
                {
                    _waiters.Remove(waiter);
                    waiter.Result.TrySetResult(stanza);
                    return;
                }
            }

            _unclaimed.AddLast(stanza);
            if (_unclaimed.Count > Capacity)
            {
                _unclaimed.RemoveFirst();
            }
        }
    }

    /// <summary>
    /// Returns the first kept stanza matching <paramref name="predicate"/>, or waits for one.
    /// </summary>
    /// <exception cref="TimeoutException">Nothing matched within <paramref name="timeout"/>.</exception>
    /// <exception cref="XmppException">The connection ended first.</exception>
    public async Task<XElement> WaitAsync(Func<XElement, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Waiter waiter;
        lock (_gate)
        {
            for (var node = _unclaimed.First; node is not null; node = node.Next)
            {
                if (predicate(node.Value))
                {
                    _unclaimed.Remove(node);
                    return node.Value;
                }
            }

            if (_completion is not null)
            {
                throw new XmppException("The connection is closed and no received stanza matches.", _completion);
            }

            // Continuations run outside the lock, on the thread pool, never inside Add().
            waiter = new Waiter(predicate, new TaskCompletionSource<XElement>(TaskCreationOptions.RunContinuationsAsynchronously));
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Result.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }

            // The stanza may have been delivered just as the wait gave up; never drop it.
            if (waiter.Result.Task.IsCompletedSuccessfully)
            {
                return waiter.Result.Task.Result;
            }

            if (e is TimeoutException)
            {
                throw new TimeoutException($"No matching stanza arrived within {timeout}. {DescribeUnclaimed()}", e);
            }

            throw;
        }
    }

    /// <summary>Fails every current and future wait that kept stanzas cannot satisfy.</summary>
    public void Complete(Exception reason)
    {
        lock (_gate)
        {
            _completion ??= reason;
            foreach (var waiter in _waiters)
            {
                waiter.Result.TrySetException(new XmppException("The connection closed while waiting for a stanza.", reason));
            }

            _waiters.Clear();
        }
    }

    /// <summary>For timeout messages: what did arrive, so a failing test shows why nothing matched.</summary>
    private string DescribeUnclaimed()
    {
        lock (_gate)
        {
            if (_unclaimed.Count == 0)
            {
                return "No other stanzas are waiting to be claimed.";
            }

            var text = new StringBuilder($"{_unclaimed.Count} unclaimed stanza(s), most recent last:");
            foreach (var stanza in _unclaimed.Skip(Math.Max(0, _unclaimed.Count - 5)))
            {
                var xml = WireXml.ForLog(stanza);
                text.Append('\n').Append(xml.Length > 500 ? xml[..500] + "..." : xml);
            }

            return text.ToString();
        }
    }

    private sealed record Waiter(Func<XElement, bool> Predicate, TaskCompletionSource<XElement> Result);
}
