namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>The foundation, started for real under the Aspire orchestrator and used by a real XMPP client.</summary>
[RequiresContainers(ContainerImage.Prosody)]
public class ProsodyFunctionalTests
{
    [Fact]
    public async Task TwoAccountsSignInOverStartTlsSeeEachOthersPresenceAndExchangeMessages()
    {
        var (builder, chat, alicePassword, bobPassword) = TestApp.CreateChatWithAliceAndBob();
        await using var app = await builder.StartAsync("chat");

        await using var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
        await using var bob = await chat.Resource.SignInAsync("bob", await bobPassword.ValueAsync());
        Assert.True(alice.IsTlsEstablished);
        Assert.StartsWith("SCRAM-", alice.SaslMechanism);
        Assert.Equal("alice@chat.dev.localhost", alice.Jid.Bare.ToString());

        // Both come online, then subscribe to each other: on approval the server sends the contact's current presence.
        await alice.SendPresenceAsync(cancellationToken: Cancel);
        await bob.SendPresenceAsync(cancellationToken: Cancel);
        await alice.AddRosterItemAsync("bob@chat.dev.localhost", cancellationToken: Cancel);
        await alice.SendPresenceAsync("bob@chat.dev.localhost", "subscribe", Cancel);
        await bob.WaitForPresenceAsync(p => p.GetStanzaType() == "subscribe" && p.IsFrom("alice@chat.dev.localhost"), StanzaTimeout, Cancel);
        await bob.SendPresenceAsync("alice@chat.dev.localhost", "subscribed", Cancel);
        await alice.WaitForPresenceAsync(p => p.GetStanzaType() is null && p.IsFrom("bob@chat.dev.localhost"), StanzaTimeout, Cancel);

        await bob.SendPresenceAsync("alice@chat.dev.localhost", "subscribe", Cancel);
        await alice.WaitForPresenceAsync(p => p.GetStanzaType() == "subscribe" && p.IsFrom("bob@chat.dev.localhost"), StanzaTimeout, Cancel);
        await alice.SendPresenceAsync("bob@chat.dev.localhost", "subscribed", Cancel);
        await bob.WaitForPresenceAsync(p => p.GetStanzaType() is null && p.IsFrom("alice@chat.dev.localhost"), StanzaTimeout, Cancel);

        await alice.SendMessageAsync(bob.Jid.ToString(), "Hello Bob <&> \"quoted\"", cancellationToken: Cancel);
        var received = await bob.WaitForMessageAsync(m => m.GetBody() is not null, StanzaTimeout, Cancel);
        Assert.Equal("Hello Bob <&> \"quoted\"", received.GetBody());
        Assert.True(received.IsFrom("alice@chat.dev.localhost"));

        await bob.SendMessageAsync(alice.Jid.ToString(), "Hi Alice ✓", cancellationToken: Cancel);
        Assert.Equal("Hi Alice ✓", (await alice.WaitForMessageAsync(m => m.GetBody() is not null, StanzaTimeout, Cancel)).GetBody());

        var roster = await bob.GetRosterAsync(Cancel);
        Assert.Equal("both", Assert.Single(roster, item => item.Jid == "alice@chat.dev.localhost").Subscription);
    }

    [Fact]
    public async Task TheContainerRuntimePublishesTheClientPortItselfNotTheOrchestratorsProxy()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        await using var app = await builder.StartAsync("chat");

        var c2s = chat.Resource.PrimaryEndpoint;
        Assert.False(c2s.EndpointAnnotation.IsProxied);
        // The runtime maps the allocated host port straight to Prosody's 5222: no proxy process in between.
        var mapping = ContainerRuntime.Run(ContainerRuntime.Name, "port", app.ContainerIdOf("chat"), "5222/tcp").Output.Trim();
        Assert.EndsWith($":{c2s.Port}", mapping);
        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        Assert.True(alice.IsTlsEstablished);
    }

    [Fact]
    public async Task EveryOfferedSaslMechanismSignsInAndAWrongPasswordIsRefused()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        await using var app = await builder.StartAsync("chat");

        // Prosody 13 stores SCRAM-SHA-1 credentials, so it offers SCRAM-SHA-1 and PLAIN (and SCRAM-SHA-1-PLUS, OAUTHBEARER).
        var features = await XmppClient.GetStreamFeaturesAsync(chat.Resource.ClientOptions("alice", ""), afterStartTls: true, Cancel);
        var offered = features.Descendants(XName.Get("mechanism", "urn:ietf:params:xml:ns:xmpp-sasl")).Select(m => m.Value).ToList();
        Assert.Contains(SaslMechanisms.ScramSha1, offered);
        Assert.Contains(SaslMechanisms.Plain, offered);

        foreach (var mechanism in SaslMechanisms.StrongestFirst.Intersect(offered))
        {
            await using var client = await chat.Resource.SignInAsync("alice", await password.ValueAsync(), mechanism);
            Assert.Equal(mechanism, client.SaslMechanism);
        }

        var refused = await Assert.ThrowsAsync<XmppAuthenticationException>(() => chat.Resource.SignInAsync("alice", "not-the-password"));
        Assert.Equal("not-authorized", refused.Condition);
    }

    [Fact]
    public async Task TheAdministratorHasAdminRightsAndAnOrdinaryUserDoesNot()
    {
        var builder = TestApp.CreateBuilder();
        var adminPassword = builder.AddPassword("admin-password");
        var alicePassword = builder.AddPassword("alice-password");
        var chat = builder.AddProsody("chat", adminPassword: adminPassword).WithUser("alice", alicePassword);
        await using var app = await builder.StartAsync("chat");

        await using var admin = await chat.Resource.SignInAsync("admin", await adminPassword.ValueAsync());
        await using var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync());

        // mod_admin_adhoc lists its server administration commands only to administrators.
        Assert.Contains(await AdHocCommandsAsync(admin, "chat.dev.localhost"), node => node.StartsWith("http://jabber.org/protocol/admin#", StringComparison.Ordinal));
        Assert.DoesNotContain(await AdHocCommandsAsync(alice, "chat.dev.localhost"), node => node.StartsWith("http://jabber.org/protocol/admin#", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheWebsocketEndpointAcceptsAnXmppSession()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        await using var app = await builder.StartAsync("chat");

        await using var client = await XmppClient.ConnectWebSocketAsync(chat.Resource.WebSocketUri(), chat.Resource.ClientOptions("alice", await password.ValueAsync()), Cancel);

        Assert.Equal("alice@chat.dev.localhost", client.Jid.Bare.ToString());
        Assert.True((await client.PingAsync(cancellationToken: Cancel)) >= TimeSpan.Zero);
    }

    [Fact]
    public async Task ADataVolumeKeepsAccountsAcrossARestartOfTheApp()
    {
        var runtime = ContainerRuntime.Name;
        var volume = $"prosody-test-{Guid.NewGuid():N}";
        try
        {
            string carolPassword;
            {
                var builder = TestApp.CreateBuilder();
                var password = builder.AddPassword("carol-password");
                var chat = builder.AddProsody("chat").WithUser("carol", password).WithDataVolume(volume);
                await using var app = await builder.StartAsync("chat");
                carolPassword = await password.ValueAsync();
                await using var carol = await chat.Resource.SignInAsync("carol", carolPassword);
                await carol.AddRosterItemAsync("friend@chat.dev.localhost", "Friend", Cancel);
            }

            {
                // The second app no longer declares carol: her account and roster can only come from the volume.
                var builder = TestApp.CreateBuilder();
                var chat = builder.AddProsody("chat").WithDataVolume(volume);
                await using var app = await builder.StartAsync("chat");
                await using var carol = await chat.Resource.SignInAsync("carol", carolPassword);
                Assert.Equal("Friend", Assert.Single(await carol.GetRosterAsync(Cancel), item => item.Jid == "friend@chat.dev.localhost").Name);
            }
        }
        finally
        {
            ContainerRuntime.Run(runtime, "volume", "rm", "--force", volume);
        }
    }

    [Fact]
    public async Task ARootOwnedBindMountIsHandedToProsodyInsteadOfStoppingTheContainer()
    {
        // Created by this process: owned by root when the tests run as root (as in CI), which stops the official entrypoint.
        var directory = Directory.CreateTempSubdirectory("prosody-data-");
        using var cleanup = directory.DeleteWhenDisposed();
        var builder = TestApp.CreateBuilder();
        var password = builder.AddPassword("dave-password");
        var chat = builder.AddProsody("chat").WithUser("dave", password).WithDataBindMount(directory.FullName);
        await using (var app = await builder.StartAsync("chat"))
        {
            await using var dave = await chat.Resource.ConnectPackageClientAsync("dave", await password.ValueAsync());
        }

        Assert.True(File.Exists(Path.Combine(directory.FullName, "chat%2edev%2elocalhost", "accounts", "dave.dat")), "The account should be stored in the bind-mounted directory.");
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody012)]
    public async Task TheProsody012ImageTagStillProducesAWorkingServer()
    {
        var builder = TestApp.CreateBuilder();
        var password = builder.AddPassword("alice-password");
        var chat = builder.AddProsody("chat").WithImageTag("0.12").WithUser("alice", password).WithMultiUserChat().WithMessageArchive();
        await using var app = await builder.StartAsync("chat");

        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        var info = await alice.DiscoInfoAsync("conference.chat.dev.localhost", cancellationToken: Cancel);
        Assert.Contains("http://jabber.org/protocol/muc", info.Features);
    }

    private static async Task<IReadOnlyList<string>> AdHocCommandsAsync(XmppClient client, string server)
    {
        var result = await client.SendIqAsync(new XElement(XmppNamespaces.Client + "iq",
            new XAttribute("type", "get"), new XAttribute("to", server),
            new XElement(XName.Get("query", "http://jabber.org/protocol/disco#items"), new XAttribute("node", "http://jabber.org/protocol/commands"))), Cancel);
        return result.Descendants(XName.Get("item", "http://jabber.org/protocol/disco#items"))
            .Select(item => (string?)item.Attribute("node") ?? "").ToList();
    }
}
