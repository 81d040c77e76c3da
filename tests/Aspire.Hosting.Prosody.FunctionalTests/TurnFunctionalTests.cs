using System.Globalization;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// WithTurnServer for real: a client asks Prosody for external services (XEP-0215), receives TURN credentials
/// and allocates relays with them on the coturn container, over UDP and over TCP, as a calling client would.
/// TURN's host ports are published as they are (not proxied), so each test uses ports of its own.
/// </summary>
[RequiresContainers(ContainerImage.Prosody, ContainerImage.Coturn)]
public class TurnFunctionalTests
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ProsodyHandsOutReachableTurnCredentialsThatAllocateRelaysOverUdpAndTcpInTheConfiguredRange()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        chat.WithTurnServer();
        await using var app = await builder.StartAsync("chat", "chat-turn");

        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        var services = await alice.GetExternalServicesAsync(chat.Resource.Domain, Cancel);
        Log($"XEP-0215 services: {string.Join("; ", services)}");

        // Where a client outside the container network reaches coturn: the published port on the loopback address,
        // never a name only containers resolve (chat-turn, host.containers.internal, *.dev.internal).
        Assert.Equal(4, services.Count);
        foreach (var service in services)
        {
            Assert.Equal(("127.0.0.1", 3478), (service.Host, service.Port));
        }

        // The stun entry answers a Binding request with the client's address as the server sees it.
        var stun = Assert.Single(services, s => s is { Type: "stun", Transport: "udp" });
        await using (var stunClient = await TurnClient.ConnectAsync(TurnTransport.Udp, stun.Host, stun.Port, Log, Cancel))
        {
            var binding = await stunClient.RequestAsync(StunMessage.Request(StunMethod.Binding), integrityKey: null, Cancel);
            Assert.Equal(StunClass.SuccessResponse, binding.Class);
            Assert.NotNull(binding.GetXorAddress(StunAttributeType.XorMappedAddress));
        }

        var udp = Assert.Single(services, s => s is { Type: "turn", Transport: "udp" });
        var tcp = Assert.Single(services, s => s is { Type: "turn", Transport: "tcp" });
        foreach (var turn in new[] { udp, tcp })
        {
            // TURN REST API: the username is the expiry as a Unix time, in the future.
            Assert.NotNull(turn.Password);
            var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(turn.Username!, CultureInfo.InvariantCulture));
            Assert.InRange(expiry, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(2));
        }

        // UDP: the challenge names the Prosody domain as realm, and the relay lies in the published range.
        await using var udpClient = await TurnClient.ConnectAsync(TurnTransport.Udp, udp.Host, udp.Port, Log, Cancel);
        var udpRelay = await udpClient.AllocateAsync(udp.Username!, udp.Password!, Cancel);
        Log($"UDP allocation: relayed {udpRelay.Relayed}, mapped {udpRelay.Mapped}, lifetime {udpRelay.Lifetime}");
        Assert.Equal("chat.dev.localhost", udpRelay.Realm);
        Assert.Equal(IPAddress.Loopback, udpRelay.Relayed.Address);
        Assert.InRange(udpRelay.Relayed.Port, 49160, 49169);
        Assert.True(udpRelay.Lifetime > TimeSpan.Zero);

        // TCP: the same, with the credentials of the tcp entry, on a connection of its own.
        await using var tcpClient = await TurnClient.ConnectAsync(TurnTransport.Tcp, tcp.Host, tcp.Port, Log, Cancel);
        var tcpRelay = await tcpClient.AllocateAsync(tcp.Username!, tcp.Password!, Cancel);
        Log($"TCP allocation: relayed {tcpRelay.Relayed}, mapped {tcpRelay.Mapped}, lifetime {tcpRelay.Lifetime}");
        Assert.Equal(IPAddress.Loopback, tcpRelay.Relayed.Address);
        Assert.InRange(tcpRelay.Relayed.Port, 49160, 49169);
        Assert.NotEqual(udpRelay.Relayed.Port, tcpRelay.Relayed.Port);

        // A Refresh with lifetime 0 releases each allocation.
        Assert.Equal(TimeSpan.Zero, await udpClient.RefreshAsync(TimeSpan.Zero, Cancel));
        Assert.Equal(TimeSpan.Zero, await tcpClient.RefreshAsync(TimeSpan.Zero, Cancel));
        await AssertReleasedAsync(udpClient, udp);
        await AssertReleasedAsync(tcpClient, tcp);
    }

    [Fact]
    public async Task MediaFlowsBothWaysBetweenAPeerOnTheHostAndTheClientThroughThePublishedRelayPort()
    {
        // A second app start is worth it: it also shows that a custom port and relay range reach Prosody and coturn.
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        chat.WithTurnServer(port: 3479, relayPortMin: 49170, relayPortMax: 49172);
        await using var app = await builder.StartAsync("chat", "chat-turn");

        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        var turn = Assert.Single(await alice.GetExternalServicesAsync(chat.Resource.Domain, Cancel), s => s is { Type: "turn", Transport: "udp" });
        Assert.Equal(("127.0.0.1", 3479), (turn.Host, turn.Port));

        await using var client = await TurnClient.ConnectAsync(TurnTransport.Udp, turn.Host, turn.Port, Log, Cancel);
        var relay = await client.AllocateAsync(turn.Username!, turn.Password!, Cancel);
        Log($"UDP allocation: relayed {relay.Relayed}, mapped {relay.Mapped}");
        Assert.InRange(relay.Relayed.Port, 49170, 49172);

        // A peer on the host reaches coturn through the same port publishing as the client, so coturn sees it at
        // the client's mapped address: permit that address, then relay a datagram in and one back out.
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await client.CreatePermissionAsync(relay.Mapped.Address, Cancel);
        var inbound = Encoding.UTF8.GetBytes("media from the peer");
        var (seenPeer, data) = await RetryAsync(
            () => peer.SendAsync(inbound, relay.Relayed, Cancel).AsTask(),
            () => client.ReceiveFromPeerAsync(PeerTimeout, Cancel));
        Assert.Equal(inbound, data);
        Assert.Equal(relay.Mapped.Address, seenPeer.Address);

        var outbound = Encoding.UTF8.GetBytes("media from the client");
        var reply = await RetryAsync(
            () => client.SendToPeerAsync(seenPeer, outbound, Cancel),
            async () =>
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
                wait.CancelAfter(PeerTimeout);
                try
                {
                    return await peer.ReceiveAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
                {
                    throw new TimeoutException($"The peer received nothing from the relay within {PeerTimeout}.");
                }
            });
        Assert.Equal(outbound, reply.Buffer);
        Assert.Equal(relay.Relayed, reply.RemoteEndPoint); // the relayed transport address, as the client announced it

        await client.RefreshAsync(TimeSpan.Zero, Cancel);
    }

    [Fact]
    public async Task CredentialsMadeWithAWrongSecretOrAlreadyExpiredAreRefusedWhileProsodysAreAccepted()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        chat.WithTurnServer(port: 3480, relayPortMin: 49175, relayPortMax: 49177);
        var coturn = builder.Resources.OfType<CoturnResource>().Single();
        await using var app = await builder.StartAsync("chat", "chat-turn");

        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        var services = await alice.GetExternalServicesAsync(chat.Resource.Domain, Cancel);
        var secret = await coturn.SecretParameter.ValueAsync();
        foreach (var transport in new[] { TurnTransport.Udp, TurnTransport.Tcp })
        {
            var turn = Assert.Single(services, s => s.Type == "turn" && s.Transport == transport.ToString().ToLowerInvariant());

            // The same username Prosody handed out, its HMAC keyed with another secret.
            var wrongSecret = await AllocateAsync(turn, turn.Username!, RestApiPassword("not" + secret, turn.Username!));
            Assert.Equal(401, Assert.IsType<TurnErrorException>(wrongSecret).Code);

            // The right secret, but a username whose expiry time has passed.
            var expired = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var expiredCredentials = await AllocateAsync(turn, expired, RestApiPassword(secret, expired));
            Assert.Equal(401, Assert.IsType<TurnErrorException>(expiredCredentials).Code);

            // Prosody's own credentials on the same server and transport succeed: the secret made the difference.
            Assert.Null(await AllocateAsync(turn, turn.Username!, turn.Password!));
        }
    }

    /// <summary>Allocates and releases a relay; returns the refusal, or null when the allocation succeeded.</summary>
    private static async Task<TurnErrorException?> AllocateAsync(ExternalService turn, string username, string password)
    {
        var transport = turn.Transport == "tcp" ? TurnTransport.Tcp : TurnTransport.Udp;
        await using var client = await TurnClient.ConnectAsync(transport, turn.Host, turn.Port, Log, Cancel);
        try
        {
            await client.AllocateAsync(username, password, Cancel);
        }
        catch (TurnErrorException refused)
        {
            // Refused only after answering the challenge: realm and nonce were there, the credentials were wrong.
            Assert.Equal("chat.dev.localhost", client.Challenge?.Realm);
            return refused;
        }

        await client.RefreshAsync(TimeSpan.Zero, Cancel);
        return null;
    }

    /// <summary>
    /// Waits until the server has deleted the client's allocation. coturn does so on its next timer tick (about a
    /// second) after a Refresh with lifetime 0, not at once, and every further Refresh re-arms that timer, so the
    /// probe differs: over UDP a new Allocate from the same 5-tuple, refused with 437 Allocation Mismatch while the
    /// old allocation lives and granted once it is gone (then released again); over TCP coturn closes the connection.
    /// </summary>
    private static async Task AssertReleasedAsync(TurnClient client, ExternalService turn)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        for (var attempt = 1; ; attempt++)
        {
            if (client.Transport == TurnTransport.Tcp && client.IsClosed)
            {
                Log("TCP allocation released: the server closed the connection");
                return;
            }

            if (client.Transport == TurnTransport.Udp)
            {
                try
                {
                    var again = await client.AllocateAsync(turn.Username!, turn.Password!, Cancel);
                    Log($"UDP allocation released: the same 5-tuple allocated {again.Relayed} at probe {attempt}");
                    await client.RefreshAsync(TimeSpan.Zero, Cancel);
                    return;
                }
                catch (TurnErrorException mismatch) when (mismatch.Code == 437)
                {
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"The {client.Transport} allocation still exists 10 s after a Refresh with lifetime 0.");
            await Task.Delay(TimeSpan.FromMilliseconds(250), Cancel);
        }
    }

    /// <summary>The TURN REST API password: base64(HMAC-SHA1(secret, username)).</summary>
    private static string RestApiPassword(string secret, string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));

    /// <summary>UDP may drop a datagram: send again until the answer arrives, a few times.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task> send, Func<Task<T>> receive, int attempts = 5)
    {
        for (var attempt = 1; ; attempt++)
        {
            await send();
            try
            {
                return await receive();
            }
            catch (TimeoutException) when (attempt < attempts)
            {
                Log($"attempt {attempt} of {attempts} timed out, sending again");
            }
        }
    }

}
