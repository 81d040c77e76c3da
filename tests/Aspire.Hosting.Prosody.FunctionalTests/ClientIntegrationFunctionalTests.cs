using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.FunctionalTests;

// Inside the namespace, so that the package's XmppClient and XmppClientOptions win over the project-wide
// XmppTestClient ones of the same names.
using Aspire.Prosody.Client;

/// <summary>
/// A service that uses the client integration (the playground's lobby bot: <c>AddProsodyClient("bot")</c> with an
/// account from <c>chat.AddAccount("bot")</c>) runs as a project resource under the orchestrator, against a real
/// Prosody, and the test talks to it with the same package's client.
/// </summary>
public partial class ClientIntegrationFunctionalTests
{
    private const string Room = "lobby";

    private static (IDistributedApplicationTestingBuilder Builder, IResourceBuilder<ProsodyResource> Chat, IResourceBuilder<ParameterResource> TesterPassword)
        CreateModel(Action<IDistributedApplicationTestingBuilder, IResourceBuilder<ProsodyResource>>? configure = null)
    {
        var builder = TestApp.CreateBuilder();
        var testerPassword = builder.AddPassword("tester-password");
        var chat = builder.AddProsody("chat")
            .WithUser("tester", testerPassword)
            .WithMultiUserChat()
            .WithFileShare();
        configure?.Invoke(builder, chat);
        var bot = chat.AddAccount("bot");
        builder.AddProject<Projects.Prosody_LobbyBot>("lobby-bot")
            .WithReference(bot)
            .WithEnvironment("LobbyBot__Room", $"{Room}@conference.{chat.Resource.Domain}")
            .WithServerCertificateTrust(chat.Resource, "bot")
            .WithHttpHealthCheck("/health")
            .WaitFor(chat);
        return (builder, chat, testerPassword);
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody)]
    public async Task AServiceOnAddProsodyClientSignsInWithItsAccountAndAnswersDirectMessages()
    {
        var (builder, chat, testerPassword) = CreateModel();
        var botLog = ResourceLogCapture.AddTo(builder, "lobby-bot");
        await using var app = await builder.StartAsync("chat", "lobby-bot");
        await using var tester = await chat.Resource.ConnectPackageClientAsync("tester", await testerPassword.ValueAsync());

        // Markup in a body travels as text, both ways.
        const string text = "<b>hello</b> & 'bye' ]]>";
        await tester.SendMessageAsync(Jid.Parse("bot@chat.dev.localhost"), $"!echo {text}", cancellationToken: Cancel);
        var reply = (await tester.ReceiveUntilAsync(m => m.From.Bare.ToString() == "bot@chat.dev.localhost", StanzaTimeout)).Last();

        Assert.Equal(text, reply.Body);
        // The account's password reached the bot through its connection string and nowhere else: not in its log.
        var botPassword = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProsodyAccountResource>().Single().PasswordParameter.GetValueAsync(Cancel);
        Assert.DoesNotContain(botLog.Lines, line => line.Contains(botPassword!, StringComparison.Ordinal)
            || line.Contains(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(botPassword!)), StringComparison.Ordinal));
        Assert.NotEmpty(botLog.Lines);
        // The bot's health check (the client's: signed in, ping answered) is what made the resource healthy.
        Assert.Equal("Healthy", app.StateOf("lobby-bot").HealthStatus?.ToString());
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody)]
    public async Task AServiceOnAddProsodyClientJoinsTheRoomAndUploadsAFileItLinksThere()
    {
        var (builder, chat, testerPassword) = CreateModel();
        await using var app = await builder.StartAsync("chat", "lobby-bot");
        await using var tester = await chat.Resource.ConnectPackageClientAsync("tester", await testerPassword.ValueAsync());

        var room = await tester.JoinRoomAsync(Jid.Parse($"{Room}@conference.chat.dev.localhost"), "tester", Cancel);
        await room.SendAsync("!upload report.txt", Cancel);
        var link = await FirstFromBotAsync(room);

        var url = new Uri(link.Body);
        Assert.EndsWith("/report.txt", url.AbsolutePath, StringComparison.Ordinal);
        // The link works for someone else, over TLS that validates against the same certificate.
        // The link names the domain on the published port (http or https), which is this machine.
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = ServerCertificateTrust.Validation(chat.Resource) },
            ConnectCallback = async (context, ct) =>
            {
                // *.localhost names are this machine; the URL names the domain, which the certificate names.
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, context.DnsEndPoint.Port, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        });
        var content = await http.GetStringAsync(url, Cancel);
        Assert.Contains("Uploaded by the lobby bot", content, StringComparison.Ordinal);
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody)]
    public async Task NoMessageTheServiceSentIsLostWhenProsodyIsKilledMidBurst()
    {
        var (builder, chat, testerPassword) = CreateModel();
        var botLog = ResourceLogCapture.AddTo(builder, "lobby-bot");
        await using var app = await builder.StartAsync("chat", "lobby-bot");
        var password = await testerPassword.ValueAsync();
        const int count = 2000;

        // The tester asks and goes offline: Prosody stores what the bot sends, so every message the server accepted
        // survives the server's death, and what it had not accepted the bot's client sends again after reconnecting.
        await using (var tester = await chat.Resource.ConnectPackageClientAsync("tester", password))
        {
            // Unavailable first: from then on Prosody stores what reaches the bare JID instead of handing it to this
            // session, whose unread messages would go with it.
            await tester.SendAsync(new XElement(XmppNamespaces.Client + "presence", new XAttribute("type", "unavailable")), Cancel);
            await tester.SendMessageAsync(Jid.Parse("bot@chat.dev.localhost"), $"!count {count}", cancellationToken: Cancel);
            await tester.FlushAsync(Cancel);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5), Cancel);
        var containerId = app.ContainerIdOf("chat");
        HealthTestSupport.SignalProsody(containerId, "KILL");
        Log("killed Prosody while the bot was sending");
        await app.ResourceNotifications.WaitForResourceHealthyAsync("chat", Cancel);

        await using var back = await chat.Resource.ConnectPackageClientAsync("tester", password);
        // Available presence is what makes Prosody hand over the messages it stored.
        await back.SendPresenceAsync(cancellationToken: Cancel);
        var received = await back.ReceiveUntilAsync(m => m.Body == $"count done {count}", TimeSpan.FromMinutes(3));

        var numbers = received.Select(m => CountPattern().Match(m.Body)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        var missing = Enumerable.Range(1, count).Where(i => !numbers.Contains(i)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} accepted messages were lost, first: {string.Join(", ", missing.Take(10))}");
        // The kill happened while the bot sent: its client had to reconnect, so the test proved what it claims.
        Assert.Contains(botLog.Lines, line => line.Contains("reconnecting", StringComparison.Ordinal));
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody, ContainerImage.Postgres)]
    public async Task NoMessageTheServiceSentIsLostAcrossAPostgresRestartUnderIt()
    {
        IResourceBuilder<PostgresServerResource>? pg = null;
        var (builder, chat, testerPassword) = CreateModel((b, server) =>
        {
            pg = b.AddPostgres("pg", password: b.AddPassword("pg-password"));
            server.WithPostgres(pg.AddDatabase("prosodydb"));
        });
        await using var app = await builder.StartAsync("chat", "lobby-bot");
        const int count = 1000;

        // The tester stays signed in: the bot's messages are routed to its session while the database restarts.
        await using var tester = await chat.Resource.ConnectPackageClientAsync("tester", await testerPassword.ValueAsync());
        var receiving = tester.ReceiveUntilAsync(m => m.Body == $"count done {count}", TimeSpan.FromMinutes(4));
        await tester.SendMessageAsync(Jid.Parse("bot@chat.dev.localhost"), $"!count {count}", cancellationToken: Cancel);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        var restart = await app.ResourceCommands.ExecuteCommandAsync(pg!.Resource, KnownResourceCommands.RestartCommand, Cancel);
        Assert.True(restart.Success, restart.Message);
        Log("restarted PostgreSQL while the bot was sending");

        var numbers = (await receiving).Select(m => CountPattern().Match(m.Body)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        var missing = Enumerable.Range(1, count).Where(i => !numbers.Contains(i)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} accepted messages were lost, first: {string.Join(", ", missing.Take(10))}");
        await app.ResourceNotifications.WaitForResourceHealthyAsync("lobby-bot", Cancel);
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody)]
    public async Task AServerCertificateThatDoesNotValidateFailsSignInPromptlyWithAClearError()
    {
        using var authority = new TestCertificateAuthority();
        var (_, certificatePem, keyPem) = authority.Issue("chat.dev.localhost");
        var directory = Directory.CreateTempSubdirectory("prosody-client-untrusted-");
        File.WriteAllText(Path.Combine(directory.FullName, "tls.crt"), certificatePem);
        File.WriteAllText(Path.Combine(directory.FullName, "tls.key"), keyPem);
        var builder = TestApp.CreateBuilder();
        var password = builder.AddPassword("tester-password");
        var chat = builder.AddProsody("chat").WithUser("tester", password)
            .WithCertificate(Path.Combine(directory.FullName, "tls.crt"), Path.Combine(directory.FullName, "tls.key"));
        await using var app = await builder.StartAsync("chat");
        var options = new XmppClientOptions
        {
            Host = chat.Resource.PrimaryEndpoint.Host,
            Port = chat.Resource.PrimaryEndpoint.Port,
            Domain = chat.Resource.Domain,
            Username = "tester",
            Password = await password.ValueAsync(),
        };

        // Validation is always on: a certificate from an authority nobody trusts ends the sign-in, with the reason,
        // instead of a hang or retries for ever.
        await using (var client = new XmppClient(options, ClientIntegrationSupport.TestOutputLogging))
        {
            var started = DateTime.UtcNow;
            var e = await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(Cancel));
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), $"It took {DateTime.UtcNow - started} to fail.");
            Assert.Contains("certificate", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(options.Password, e.ToString(), StringComparison.Ordinal);
        }

        // The same server and account sign in once the authority is trusted: the refusal was about trust alone.
        options.TrustedCertificates.Add(authority.Certificate);
        await using var trusting = new XmppClient(options, ClientIntegrationSupport.TestOutputLogging);
        await trusting.ConnectAsync(Cancel);
        Assert.Equal(XmppConnectionState.SignedIn, trusting.State);
    }

    private static async Task<XmppMessage> FirstFromBotAsync(XmppRoom room)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        cancel.CancelAfter(StanzaTimeout);
        await foreach (var message in room.ReceiveMessagesAsync(cancel.Token))
        {
            if (message.From.Resource == "bot")
            {
                return message;
            }
        }

        throw new TimeoutException("The bot did not answer in the room.");
    }

    [GeneratedRegex(@"^count (\d+)/\d+$")]
    private static partial Regex CountPattern();
}
