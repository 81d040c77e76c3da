namespace XmppTestClient.Tests;

/// <summary>External service discovery (XEP-0215) against a scripted server: what a calling client asks and reads back.</summary>
public sealed class ExternalServicesTests
{
    [Fact]
    public async Task The_client_asks_the_server_for_its_services_and_reads_type_transport_address_credentials_and_expiry()
    {
        XElement? request = null;
        await using var server = FakeServer.Start(async peer =>
        {
            await SignInAsync(peer);
            request = await peer.ReadAsync();
            await peer.WriteAsync($"<iq type='result' id='{request!.Attribute("id")!.Value}' from='example.test'><services xmlns='urn:xmpp:extdisco:2'>"
                + "<service type='stun' transport='udp' host='turn.example.test' port='3478'/>"
                + "<service type='turn' transport='tcp' host='turn.example.test' port='3478' username='1700000000:alice' password='p' expires='2026-01-01T00:00:00Z'/>"
                + "</services></iq>");
            await peer.ReadAsync();
        });

        await using var client = await XmppClient.ConnectAsync(server.Options with { Username = "alice", Password = "secret" }, TestContext.Current.CancellationToken);
        var services = await client.GetExternalServicesAsync("example.test", TestContext.Current.CancellationToken);

        Assert.Equal(("get", "example.test"), ((string?)request?.Attribute("type"), (string?)request?.Attribute("to")));
        Assert.NotNull(request?.Element(XmppTestNamespaces.ExtDisco + "services"));
        Assert.Equal(
            [
                new ExternalService("stun", "udp", "turn.example.test", 3478, null, null, null),
                new ExternalService("turn", "tcp", "turn.example.test", 3478, "1700000000:alice", "p", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            ],
            services);
    }

    [Fact]
    public void A_service_prints_without_its_password()
    {
        var service = new ExternalService("turn", "udp", "turn.example.test", 3478, "1700000000:alice", "the-password", null);

        Assert.Equal("turn/udp turn.example.test:3478 username=1700000000:alice", service.ToString());
    }

    /// <summary>The server's part of a PLAIN sign-in and resource binding.</summary>
    private static async Task SignInAsync(Peer peer)
    {
        await peer.OpenAsync(Peer.PlainOnly);
        await peer.ReadAsync();
        await peer.WriteAsync("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        await peer.OpenAsync("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>");
        var bind = await peer.ReadAsync();
        await peer.WriteAsync($"<iq type='result' id='{bind!.Attribute("id")!.Value}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@example.test/r1</jid></bind></iq>");
    }
}
