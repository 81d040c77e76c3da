namespace XmppTestClient.Tests;

/// <summary>
/// The component mode (XEP-0114) against a scripted server on loopback: the handshake a real server checks, and
/// stanzas in the <c>jabber:component:accept</c> namespace both ways.
/// </summary>
public sealed class ComponentStreamTests
{
    private const string ComponentHeader =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' id='3BF96D32' from='bot.example.test'>";

    private static readonly XNamespace Accept = XmppTestNamespaces.ComponentAccept;

    [Fact]
    public void The_handshake_digest_is_the_lower_case_hex_SHA1_of_the_stream_id_and_the_secret()
    {
        // SHA-1 of "3BF96D32secret": the stream id first, then the secret.
        Assert.Equal("b09ea9b3b7f586be8a08d0a3dd7466f110aeb136", XmppComponent.HandshakeDigest("3BF96D32", "secret"));
    }

    [Fact]
    public async Task A_component_opens_an_accept_stream_to_its_domain_and_hands_over_the_hash_of_stream_id_and_secret()
    {
        XElement? clientHeader = null;
        XElement? handshake = null;
        await using var server = FakeServer.Start(async peer =>
        {
            clientHeader = await peer.OpenAsync("", ComponentHeader);
            handshake = await peer.ReadAsync();
            await peer.WriteAsync("<handshake/>");
            Assert.Null(await peer.ReadAsync()); // the component closes its stream on dispose
        });

        var component = await XmppComponent.OpenAsync(server.Options.Host, server.Options.Port, "bot.example.test", null, TestContext.Current.CancellationToken);
        await component.HandshakeAsync("secret", TestContext.Current.CancellationToken);
        await component.DisposeAsync();
        await server.Completion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal("3BF96D32", component.StreamId);
        Assert.Equal("bot.example.test", (string?)clientHeader?.Attribute("to"));
        // The header's jabber:component:accept namespace is checked on the header itself (XmlStreamTests): the
        // package's reader keeps no namespace declarations.
        Assert.Equal(Accept + "handshake", handshake?.Name);
        Assert.Equal(XmppComponent.HandshakeDigest("3BF96D32", "secret"), handshake?.Value);
    }

    [Fact]
    public async Task A_refused_handshake_raises_XmppException_naming_what_the_server_sent()
    {
        await using var server = FakeServer.Start(async peer =>
        {
            await peer.OpenAsync("", ComponentHeader);
            await peer.ReadAsync();
            await peer.WriteAsync("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
        });

        await using var component = await XmppComponent.OpenAsync(server.Options.Host, server.Options.Port, "bot.example.test", null, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<XmppException>(() => component.HandshakeAsync("not-the-secret", TestContext.Current.CancellationToken));

        Assert.Contains("not-authorized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_the_handshake_a_component_reads_past_other_stanzas_to_the_one_it_waits_for_and_sends_its_own()
    {
        XElement? sent = null;
        await using var server = FakeServer.Start(async peer =>
        {
            await peer.OpenAsync("", ComponentHeader);
            await peer.ReadAsync();
            await peer.WriteAsync("<handshake/>");
            await peer.WriteAsync("<presence type='probe' from='alice@example.test' to='echo@bot.example.test'/>");
            await peer.WriteAsync("<message from='alice@example.test/r' to='echo@bot.example.test'><body>ping</body></message>");
            sent = await peer.ReadAsync();
        });

        await using var component = await XmppComponent.OpenAsync(server.Options.Host, server.Options.Port, "bot.example.test", null, TestContext.Current.CancellationToken);
        await component.HandshakeAsync("secret", TestContext.Current.CancellationToken);
        var received = await component.ReadAsync(s => s.Name == Accept + "message", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await component.SendAsync(new XElement(Accept + "message", new XAttribute("to", "alice@example.test/r"), new XElement(Accept + "body", "pong")), TestContext.Current.CancellationToken);
        await server.Completion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal("ping", received.Element(Accept + "body")?.Value);
        Assert.Equal(Accept + "message", sent?.Name);
        Assert.Equal("pong", sent?.Element(Accept + "body")?.Value);
    }

    [Fact]
    public async Task The_log_shows_the_handshake_redacted()
    {
        var log = new List<string>();
        await using var server = FakeServer.Start(async peer =>
        {
            await peer.OpenAsync("", ComponentHeader);
            await peer.ReadAsync();
            await peer.WriteAsync("<handshake/>");
        });

        await using var component = await XmppComponent.OpenAsync(server.Options.Host, server.Options.Port, "bot.example.test", line => { lock (log) { log.Add(line); } }, TestContext.Current.CancellationToken);
        await component.HandshakeAsync("secret", TestContext.Current.CancellationToken);

        lock (log)
        {
            Assert.DoesNotContain(log, line => line.Contains(XmppComponent.HandshakeDigest("3BF96D32", "secret"), StringComparison.Ordinal));
            Assert.Contains(log, line => line.StartsWith("SEND <handshake", StringComparison.Ordinal) && line.Contains("[redacted]", StringComparison.Ordinal));
        }
    }
}
