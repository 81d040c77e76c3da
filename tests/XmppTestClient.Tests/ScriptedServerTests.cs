namespace XmppTestClient.Tests;

/// <summary>
/// Runs the real client against a scripted in-process server on loopback, to cover the paths a
/// stock Prosody does not take (mandatory &lt;session/&gt;, server pings) and failure reporting.
/// </summary>
public sealed class ScriptedServerTests
{
    [Fact]
    public async Task Login_establishes_a_mandatory_session_answers_server_pings_and_keeps_early_stanzas()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var sessionRequested = false;
        XElement? pingReply = null;
        var closedByClient = false;

        await using var server = FakeServer.Start(async peer =>
        {
            await peer.OpenAsync(Peer.PlainOnly);
            var auth = await peer.ReadAsync();
            Assert.Equal("\0alice\0secret", Encoding.UTF8.GetString(Convert.FromBase64String(auth!.Value)));
            await peer.WriteAsync("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");

            await peer.OpenAsync("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                + "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>");
            var bind = await peer.ReadAsync();
            await peer.WriteAsync($"<iq type='result' id='{bind!.Attribute("id")!.Value}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@example.test/r1</jid></bind></iq>");
            var session = await peer.ReadAsync();
            sessionRequested = session!.Element(XmppTestNamespaces.Session + "session") is not null;
            await peer.WriteAsync($"<iq type='result' id='{session.Attribute("id")!.Value}'/>");

            // Both are sent before the test waits for anything. The client answers the ping
            // before it reads the message, so the reply is on the wire before the test disposes.
            await peer.WriteAsync("<iq type='get' id='ping1' from='example.test'><ping xmlns='urn:xmpp:ping'/></iq>");
            await peer.WriteAsync("<message from='bob@example.test/x' type='chat'><body>early &amp; kept</body></message>");
            pingReply = await peer.ReadAsync();

            closedByClient = await peer.ReadAsync() is null;
            await peer.WriteAsync("</stream:stream>");
        });

        var client = await XmppClient.ConnectAsync(server.Options with { Username = "alice", Password = "secret" }, cancellation);
        var message = await client.WaitForMessageAsync(m => m.IsFrom("bob@example.test"), cancellationToken: cancellation);
        await client.DisposeAsync();
        await server.Completion.WaitAsync(TimeSpan.FromSeconds(10), cancellation);

        Assert.Equal("alice@example.test/r1", client.Jid.ToString());
        Assert.Equal(SaslMechanisms.Plain, client.SaslMechanism);
        Assert.False(client.IsTlsEstablished);
        Assert.False(client.IsConnected);
        Assert.Equal("early & kept", message.GetBody());
        Assert.True(sessionRequested);
        Assert.Equal("result", pingReply?.Attribute("type")?.Value);
        Assert.Equal("ping1", pingReply?.Attribute("id")?.Value);
        Assert.Equal("example.test", pingReply?.Attribute("to")?.Value);
        Assert.True(closedByClient);
    }

    [Fact]
    public async Task Probing_stream_features_returns_them_without_logging_in()
    {
        await using var server = FakeServer.Start(async peer =>
        {
            await peer.OpenAsync(Peer.PlainOnly);
            Assert.Null(await peer.ReadAsync()); // the probe closes the stream right away
        });

        var features = await XmppClient.GetStreamFeaturesAsync(server.Options.Host, server.Options.Port, "example.test", TestContext.Current.CancellationToken);
        await server.Completion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(XmppNamespaces.Streams + "features", features.Name);
        Assert.Equal("PLAIN", features.Element(XmppNamespaces.Sasl + "mechanisms")?.Element(XmppNamespaces.Sasl + "mechanism")?.Value);
    }

    [Fact]
    public async Task Rejected_credentials_raise_XmppAuthenticationException_with_the_sasl_condition()
    {
        await using var server = FakeServer.Start(async peer =>
        {
            await peer.OpenAsync(Peer.PlainOnly);
            await peer.ReadAsync();
            await peer.WriteAsync("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>Wrong password</text></failure>");
        });

        var error = await Assert.ThrowsAsync<XmppAuthenticationException>(
            () => XmppClient.ConnectAsync(server.Options with { Username = "alice", Password = "wrong" }, TestContext.Current.CancellationToken));

        Assert.Equal("not-authorized", error.Condition);
        Assert.Equal("Wrong password", error.Text);
        Assert.Equal(SaslMechanisms.Plain, error.Mechanism);
    }

    [Fact]
    public async Task A_stream_error_during_negotiation_raises_XmppStreamException_with_its_condition()
    {
        await using var server = FakeServer.Start(async peer =>
        {
            await peer.OpenAsync("<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
        });

        var error = await Assert.ThrowsAsync<XmppStreamException>(
            () => XmppClient.ConnectAsync(server.Options with { Username = "alice", Password = "x" }, TestContext.Current.CancellationToken));

        Assert.Equal("host-unknown", error.Condition);
    }

    [Fact]
    public async Task Required_starttls_that_the_server_does_not_offer_fails_the_connection()
    {
        await using var server = FakeServer.Start(peer => peer.OpenAsync(Peer.PlainOnly));

        var error = await Assert.ThrowsAsync<XmppException>(
            () => XmppClient.ConnectAsync(server.Options with { Username = "alice", Password = "x", StartTls = StartTlsPolicy.Required }, TestContext.Current.CancellationToken));

        Assert.Contains("STARTTLS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_stays_silent_makes_connecting_time_out()
    {
        await using var server = FakeServer.Start(peer => peer.ReadUntilClientHangsUpAsync());

        await Assert.ThrowsAsync<TimeoutException>(
            () => XmppClient.ConnectAsync(server.Options with { Username = "alice", Password = "x", Timeout = TimeSpan.FromMilliseconds(300) }, TestContext.Current.CancellationToken));
    }
}
