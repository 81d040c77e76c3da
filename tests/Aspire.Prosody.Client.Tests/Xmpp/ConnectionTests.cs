using System.Diagnostics;

namespace Aspire.Prosody.Client.Tests.Xmpp;

public sealed class ConnectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The stanzas the stream-management tests count and expect resent: messages "m0", "m1" and "m2" to bob.</summary>
    private static async Task SendMessagesM0ToM2Async(XmppClient client)
    {
        for (var i = 0; i < 3; i++)
        {
            await client.SendMessageAsync(Jid.Parse("bob@chat.test"), $"m{i}", cancellationToken: Ct);
        }
    }

    [Fact]
    public async Task SignsInOverTlsAndTheMessageArrivesEscaped()
    {
        var received = new TaskCompletionSource<XElement>();
        await using var server = new ScriptedServer(async (peer, _) =>
        {
            await peer.SignInAsync();
            received.TrySetResult(await peer.ReadUntilAsync("message"));
            await peer.ReadUntilAsync("never");
        });
        await using var client = new XmppClient(server.Options());

        await client.ConnectAsync(Ct);
        var id = await client.SendMessageAsync(Jid.Parse("bob@chat.test"), "<iq type='set'/>", cancellationToken: Ct);

        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(XmppConnectionState.SignedIn, client.State);
        Assert.Equal("alice@chat.test/r1", client.Jid.ToString());
        Assert.Equal(id, (string?)message.Attribute("id"));
        Assert.Equal("<iq type='set'/>", message.Element(XmppNamespaces.Client + "body")!.Value);
        Assert.Empty(message.Descendants(XmppNamespaces.Client + "iq"));
    }

    [Fact]
    public async Task ACertificateForAnotherNameIsRefusedPromptlyWithAClearMessageAndNotRetried()
    {
        await using var server = new ScriptedServer((peer, _) => peer.SignInAsync(), certificateName: "other.test");
        await using var client = new XmppClient(server.Options());
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<XmppTlsException>(() => client.ConnectAsync(Ct));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains("'chat.test'", e.Message);
        Assert.Contains("other.test", e.Message);
        Assert.IsType<System.Security.Authentication.AuthenticationException>(e.InnerException);
        Assert.Equal(1, server.Connections);
        Assert.Equal(XmppConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task ACertificateFromAnUntrustedRootIsRefused()
    {
        await using var server = new ScriptedServer((peer, _) => peer.SignInAsync());
        await using var client = new XmppClient(server.Options(o => o.TrustedCertificates.Clear()));

        var e = await Assert.ThrowsAsync<XmppTlsException>(() => client.ConnectAsync(Ct));

        Assert.Contains("not trusted", e.Message);
    }

    [Fact]
    public async Task AServerWithoutStartTlsIsRefused()
    {
        await using var server = new ScriptedServer(async (peer, _) =>
        {
            await peer.OpenAsync("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>");
            await peer.ReadUntilAsync("never");
        });
        await using var client = new XmppClient(server.Options());

        var e = await Assert.ThrowsAsync<XmppTlsException>(() => client.ConnectAsync(Ct));

        Assert.Contains("STARTTLS", e.Message);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task NotAuthorizedIsNeverRetriedAndThePasswordIsNotInTheMessage()
    {
        await using var server = new ScriptedServer(async (peer, _) =>
        {
            await peer.StartTlsAndAuthenticateAsync(acceptPassword: false);
            await peer.ReadUntilAsync("never");
        });
        await using var client = new XmppClient(server.Options(o => o.Password = "hunter2-secret"));

        var e = await Assert.ThrowsAsync<XmppAuthenticationException>(() => client.ConnectAsync(Ct));

        Assert.Equal("not-authorized", e.Condition);
        Assert.DoesNotContain("hunter2", e.ToString());
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task FailedAttemptsAreRetriedWithBackoffUpToMaxReconnectAttempts()
    {
        // Each connection is closed at once: a transient failure.
        await using var server = new ScriptedServer((_, _) => Task.CompletedTask);
        await using var client = new XmppClient(server.Options(o => o.MaxReconnectAttempts = 3));

        await Assert.ThrowsAnyAsync<XmppException>(() => client.ConnectAsync(Ct));

        Assert.Equal(4, server.Connections); // the first attempt and three retries
        Assert.Equal(XmppConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task UnackedStanzasAreResentWithTheirIdsAfterAFailedResume()
    {
        var firstSession = new TaskCompletionSource<List<XElement>>();
        var secondSession = new TaskCompletionSource<List<XElement>>();
        await using var server = new ScriptedServer(async (peer, index) =>
        {
            if (index == 0)
            {
                await peer.SignInAsync();
                await peer.ReadUntilAsync("presence");
                var messages = new List<XElement>();
                while (messages.Count < 3)
                {
                    messages.Add(await peer.ReadUntilAsync("message"));
                }

                firstSession.TrySetResult(messages);
                return; // dies without acknowledging anything, as a killed server would
            }

            await peer.SignInAsync(resumeAnswer: "<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
            var resent = new List<XElement>();
            while (resent.Count < 3)
            {
                resent.Add(await peer.ReadUntilAsync("message"));
            }

            secondSession.TrySetResult(resent);
            await peer.ReadUntilAsync("never");
        });
        await using var client = new XmppClient(server.Options());
        await client.ConnectAsync(Ct);
        await SendMessagesM0ToM2Async(client);

        var sent = await firstSession.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var resent = await secondSession.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(sent.Select(m => (string?)m.Attribute("id")), resent.Select(m => (string?)m.Attribute("id")));
        Assert.Equal(["m0", "m1", "m2"], resent.Select(m => m.Value));
    }

    [Fact]
    public async Task AfterResumedOnlyWhatTheServerDidNotCountIsResentAndFlushCompletesOnAck()
    {
        var secondSession = new TaskCompletionSource<List<XElement>>();
        await using var server = new ScriptedServer(async (peer, index) =>
        {
            if (index == 0)
            {
                await peer.SignInAsync();
                await peer.ReadUntilAsync("presence");
                for (var i = 0; i < 3; i++)
                {
                    await peer.ReadUntilAsync("message");
                }

                return;
            }

            // h=2: the presence and m0 were handled before the connection died.
            await peer.SignInAsync(resumeAnswer: "<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='2'/>");
            var resent = new List<XElement>
            {
                await peer.ReadUntilAsync("message"),
                await peer.ReadUntilAsync("message"),
            };
            secondSession.TrySetResult(resent);
            await peer.ReadUntilAsync("r");
            await peer.WriteAsync("<a xmlns='urn:xmpp:sm:3' h='4'/>");
            await peer.ReadUntilAsync("never");
        });
        await using var client = new XmppClient(server.Options());
        await client.ConnectAsync(Ct);
        await SendMessagesM0ToM2Async(client);

        var resent = await secondSession.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(["m1", "m2"], resent.Select(m => m.Value));
        await client.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task APeerThatStopsMidStanzaIsDetectedByTheUnansweredPingAndTheClientReconnects()
    {
        await using var server = new ScriptedServer(async (peer, index) =>
        {
            await peer.SignInAsync(streamManagement: false);
            if (index == 0)
            {
                await peer.WriteAsync("<message from='bob@chat.test/x' type='chat'><body>half");
            }

            await peer.ReadUntilAsync("never");
        });
        await using var client = new XmppClient(server.Options(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(200);
            o.RequestTimeout = TimeSpan.FromMilliseconds(300);
        }));
        var reconnecting = new TaskCompletionSource();
        client.StateChanged += (_, state) =>
        {
            if (state == XmppConnectionState.Reconnecting)
            {
                reconnecting.TrySetResult();
            }
        };

        await client.ConnectAsync(Ct);

        await reconnecting.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }

    [Fact]
    public async Task AnOversizedStanzaDropsTheConnectionAndIsNotDelivered()
    {
        await using var server = new ScriptedServer(async (peer, index) =>
        {
            await peer.SignInAsync(streamManagement: false);
            if (index == 0)
            {
                await peer.WriteAsync($"<message from='bob@chat.test/x' type='chat'><body>{new string('a', 200_000)}</body></message>");
            }

            await peer.WriteAsync("<message from='bob@chat.test/x' type='chat'><body>small</body></message>");
            await peer.ReadUntilAsync("never");
        });
        await using var client = new XmppClient(server.Options(o => o.MaxStanzaBytes = 64 * 1024));
        await client.ConnectAsync(Ct);

        await foreach (var message in client.ReceiveMessagesAsync(Ct))
        {
            Assert.Equal("small", message.Body); // the big one never arrives; the small one comes after the reconnect
            break;
        }

        Assert.True(server.Connections >= 2);
    }

    [Fact]
    public async Task PingsAreAnsweredAndOtherRequestsGetServiceUnavailable()
    {
        var answers = new TaskCompletionSource<(XElement Ping, XElement Other)>();
        await using var server = new ScriptedServer(async (peer, _) =>
        {
            await peer.SignInAsync(streamManagement: false);
            await peer.WriteAsync("<iq type='get' id='p1' from='chat.test'><ping xmlns='urn:xmpp:ping'/></iq>");
            await peer.WriteAsync("<iq type='get' id='v1' from='chat.test'><query xmlns='jabber:iq:version'/></iq>");
            var ping = await peer.ReadUntilAsync("iq");
            var other = await peer.ReadUntilAsync("iq");
            answers.TrySetResult((ping, other));
            await peer.ReadUntilAsync("never");
        });
        await using var client = new XmppClient(server.Options());
        await client.ConnectAsync(Ct);

        var (pingAnswer, otherAnswer) = await answers.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal("result", (string?)pingAnswer.Attribute("type"));
        Assert.Equal("p1", (string?)pingAnswer.Attribute("id"));
        Assert.Equal("error", (string?)otherAnswer.Attribute("type"));
        Assert.NotNull(otherAnswer.Descendants(XmppNamespaces.StanzaErrors + "service-unavailable").SingleOrDefault());
    }
}
