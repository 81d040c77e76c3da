namespace XmppTestClient.Tests;

public sealed class StanzaBufferTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_stanza_received_before_anyone_waits_is_returned_to_a_later_waiter()
    {
        var buffer = new StanzaBuffer();
        buffer.Add(Message("early"));

        var stanza = await buffer.WaitAsync(s => s.GetBody() == "early", Long, TestContext.Current.CancellationToken);

        Assert.Equal("early", stanza.GetBody());
    }

    [Fact]
    public async Task A_waiter_receives_a_matching_stanza_that_arrives_later()
    {
        var buffer = new StanzaBuffer();
        var waiting = buffer.WaitAsync(s => s.GetBody() == "late", Long, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);

        buffer.Add(Message("other"));
        buffer.Add(Message("late"));

        Assert.Equal("late", (await waiting).GetBody());
    }

    [Fact]
    public async Task Each_stanza_is_claimed_once_and_in_arrival_order()
    {
        var buffer = new StanzaBuffer();
        buffer.Add(Message("one"));
        buffer.Add(Message("two"));

        var first = await buffer.WaitAsync(s => s.IsMessage(), Long, TestContext.Current.CancellationToken);
        var second = await buffer.WaitAsync(s => s.IsMessage(), Long, TestContext.Current.CancellationToken);

        Assert.Equal(["one", "two"], [first.GetBody(), second.GetBody()]);
    }

    [Fact]
    public async Task Stanzas_that_do_not_match_stay_available_for_other_waits()
    {
        var buffer = new StanzaBuffer();
        buffer.Add(Message("for later"));
        buffer.Add(new XElement(XmppNamespaces.Client + "presence"));

        await buffer.WaitAsync(s => s.IsPresence(), Long, TestContext.Current.CancellationToken);
        var message = await buffer.WaitAsync(s => s.IsMessage(), Long, TestContext.Current.CancellationToken);

        Assert.Equal("for later", message.GetBody());
    }

    [Fact]
    public async Task Timing_out_throws_TimeoutException_that_shows_the_unclaimed_stanzas()
    {
        var buffer = new StanzaBuffer();
        buffer.Add(Message("not what you wanted"));

        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => buffer.WaitAsync(s => s.IsPresence(), TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken));

        Assert.Contains("not what you wanted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_the_connection_fails_current_and_future_waits_that_nothing_buffered_satisfies()
    {
        var buffer = new StanzaBuffer();
        buffer.Add(Message("kept"));
        var waiting = buffer.WaitAsync(s => s.IsPresence(), Long, TestContext.Current.CancellationToken);

        buffer.Complete(new XmppException("stream closed"));

        await Assert.ThrowsAsync<XmppException>(() => waiting);
        await Assert.ThrowsAsync<XmppException>(() => buffer.WaitAsync(s => s.IsPresence(), Long, TestContext.Current.CancellationToken));
        Assert.Equal("kept", (await buffer.WaitAsync(s => s.IsMessage(), Long, TestContext.Current.CancellationToken)).GetBody());
    }

    [Fact]
    public async Task A_predicate_that_throws_fails_only_its_own_wait()
    {
        var buffer = new StanzaBuffer();
        var broken = buffer.WaitAsync(_ => throw new InvalidOperationException("bug in test"), Long, TestContext.Current.CancellationToken);

        buffer.Add(Message("x"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => broken);
    }

    private static XElement Message(string body)
        => new(XmppNamespaces.Client + "message", new XElement(XmppNamespaces.Client + "body", body));
}
