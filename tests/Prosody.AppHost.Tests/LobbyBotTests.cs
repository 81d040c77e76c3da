using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Aspire.Prosody.Client;
using Xunit;

namespace Prosody.AppHost.Tests;

public class LobbyBotTests
{
    [Fact(Timeout = 300_000)]
    public async Task TheLobbyBotAnswersADirectMessage()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        // The playground's own switches: fresh storage, and TURN ports no other test uses.
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Prosody_AppHost>(
            ["--Playground:DataVolumes=false", "--Playground:TurnPort=3495", "--Playground:TurnRelayPortMin=49195", "--Playground:TurnRelayPortMax=49197"],
            (options, _) => options.DisableDashboard = true,
            cancellationToken);
        await using var app = await appHost.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("lobby-bot", cancellationToken);

        // Sign in as alice with the connection string the AppHost gives her account (chat.AddAccount("alice")).
        await using var alice = await XmppClient.SignInAsync(
            await app.GetConnectionStringAsync("alice", cancellationToken), cancellationToken: cancellationToken);
        await alice.SendMessageAsync(Jid.Parse("bot@chat.dev.localhost"), "!echo hello from a test", cancellationToken: cancellationToken);

        await foreach (var message in alice.ReceiveMessagesAsync(cancellationToken))
        {
            if (message.From.Bare == Jid.Parse("bot@chat.dev.localhost"))
            {
                Assert.Equal("hello from a test", message.Body);
                return;
            }
        }
    }
}
