using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using static Aspire.Hosting.Prosody.FunctionalTests.ServerFeatureProtocols;
using static Aspire.Prosody.Client.XmppNamespaces;
using static XmppTestClient.XmppTestNamespaces;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// The server options beyond the basics, proven from real clients against real containers: group chat, file sharing,
/// external components, certificates, federation and persistent containers.
/// </summary>
[RequiresContainers(ContainerImage.Prosody)]
public class ServerFeatureFunctionalTests
{
    /// <summary>Federation needs DNS, TLS and dialback between two containers: allow it time on a loaded machine.</summary>
    private static readonly TimeSpan FederationTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task UsersCreateRoomsThatReplayRecentHistoryAndArchiveEveryMessageUnlessOnlyAdministratorsMayCreateRooms()
    {
        var builder = TestApp.CreateBuilder();
        var alicePassword = builder.AddPassword("alice-password");
        var bobPassword = builder.AddPassword("bob-password");
        var staffAdminPassword = builder.AddPassword("staff-admin-password");
        var chat = builder.AddProsody("chat").WithUser("alice", alicePassword).WithUser("bob", bobPassword)
            .WithMultiUserChat(historyMessages: 2).WithMessageArchive();
        var staff = builder.AddProsody("staff", adminPassword: staffAdminPassword).WithUser("alice", alicePassword)
            .WithMultiUserChat(roomCreation: ProsodyRoomCreation.Admins);
        await using var app = await builder.StartAsync("chat", "staff");

        // By default any user creates a room by entering it; it stays locked until its owner accepts a configuration.
        const string room = "lobby@conference.chat.dev.localhost";
        await using var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
        var created = await EnterRoomAsync(alice, room, "alice");
        Assert.Null(ErrorCondition(created));
        Assert.Contains("201", MucStatusCodes(created));
        await UnlockInstantRoomAsync(alice, room);
        foreach (var line in (string[])["first", "second", "third"])
        {
            await SayAsync(alice, room, "alice", line);
        }

        // A newcomer gets the last historyMessages messages, marked as delayed, from their author's occupant address.
        await using var bob = await chat.Resource.SignInAsync("bob", await bobPassword.ValueAsync());
        var joined = await EnterRoomAsync(bob, room, "bob");
        Assert.Null(ErrorCondition(joined));
        Assert.DoesNotContain("201", MucStatusCodes(joined));
        var history = await ReceiveHistoryAsync(bob, room);
        Assert.Equal(["second", "third"], history.Select(m => m.GetBody()));
        Assert.All(history, m => Assert.True(m.IsFrom($"{room}/alice") && m.Element(Delay + "delay") is not null, m.ToString()));

        // WithMessageArchive archives rooms too: the room's archive has every message, not just the recent ones.
        Assert.Contains("urn:xmpp:mam:2", (await bob.DiscoInfoAsync(room, cancellationToken: Cancel)).Features);
        Assert.Equal(["first", "second", "third"], await QueryArchiveBodiesAsync(bob, room));

        // ProsodyRoomCreation.Admins: an ordinary user cannot create a room, the administrator can, and then others may join.
        const string staffRoom = "board@conference.staff.dev.localhost";
        await using var staffAlice = await staff.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
        var refused = await EnterRoomAsync(staffAlice, staffRoom, "alice");
        Assert.Equal("not-allowed", ErrorCondition(refused));

        await using var staffAdmin = await staff.Resource.SignInAsync(staff.Resource.AdminUserName, await staffAdminPassword.ValueAsync());
        var createdByAdmin = await EnterRoomAsync(staffAdmin, staffRoom, "admin");
        Assert.Null(ErrorCondition(createdByAdmin));
        Assert.Contains("201", MucStatusCodes(createdByAdmin));
        await UnlockInstantRoomAsync(staffAdmin, staffRoom);
        Assert.Null(ErrorCondition(await EnterRoomAsync(staffAlice, staffRoom, "alice")));
    }

    [Fact]
    public async Task TheUploadComponentHandsOutUrlsOnAPublishedEndpointRefusesFilesOverTheLimitAndExpiresUploadsAfterTheConfiguredDays()
    {
        var (builder, chat, alicePassword) = TestApp.CreateChatWithAlice();
        chat.WithFileShare(sizeLimitMegabytes: 1, quotaGigabytes: 2, expiryDays: 3);
        await using var app = await builder.StartAsync("chat");
        await using var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
        const string upload = "upload.chat.dev.localhost";

        // XEP-0363: ask for a slot, PUT the file where the slot says, with the headers it says, then GET it back.
        var content = Encoding.UTF8.GetBytes($"Hello, file share ✓ {Guid.NewGuid()}");
        var slot = await RequestUploadSlotAsync(alice, upload, "hello.txt", content.Length, "text/plain");
        var put = slot.Element(Upload + "put")!;
        var putUrl = new Uri((string)put.Attribute("url")!);
        var getUrl = new Uri((string)slot.Element(Upload + "get")!.Attribute("url")!);
        Log($"slot: PUT {putUrl} GET {getUrl}");

        // The URLs point at the http endpoint as published on this machine's loopback, so a process here can use them.
        var published = chat.Resource.PublishedLinkBase();
        Assert.All((Uri[])[putUrl, getUrl], url =>
        {
            Assert.Equal((published.Scheme, published.Host, published.Port), (url.Scheme, url.Host, url.Port));
            Assert.StartsWith("/share/", url.AbsolutePath, StringComparison.Ordinal);
        });

        using var http = chat.Resource.LocalhostHttpClient();
        Assert.Equal("text/plain", await UploadAndDownloadAsync(http, slot, content, "text/plain"));

        // sizeLimitMegabytes: 1. A 1 MiB file gets a slot, a 2 MiB file does not (Prosody's default limit, 10 MiB, would allow it).
        await RequestUploadSlotAsync(alice, upload, "one-mebibyte.bin", 1024 * 1024, "application/octet-stream");
        var tooLarge = await Assert.ThrowsAsync<XmppStanzaException>(
            () => RequestUploadSlotAsync(alice, upload, "two-mebibytes.bin", 2 * 1024 * 1024, "application/octet-stream"));
        Assert.Equal("not-acceptable", tooLarge.Condition);
        Assert.Single(tooLarge.Stanza.Descendants(Upload + "file-too-large"));

        // expiryDays: 3 and quotaGigabytes: 2, as the running server's upload component reads them.
        Assert.Equal("259200", await ConfigOptionAsync(app, "chat", upload, "http_file_share_expires_after"));
        Assert.Equal("2147483648", await ConfigOptionAsync(app, "chat", upload, "http_file_share_global_quota"));
    }

    [Fact]
    public async Task AnExternalComponentConnectsWithTheConnectionInformationItsServiceIsGivenAndExchangesMessagesWithAUser()
    {
        var (builder, chat, alicePassword) = TestApp.CreateChatWithAlice();
        var bot = chat.AddExternalComponent("bot");
        // The service that implements the component; never started: this test plays its part.
        var service = builder.AddExecutable("bot-service", "dotnet", ".").WithReference(bot).WithExplicitStart();
        await using var app = await builder.StartAsync("chat");
        await app.ResourceNotifications.WaitForResourceAsync("bot", KnownResourceStates.Running, Cancel);

        // What the service's process would find in its environment.
        var configuration = await ExecutionConfigurationBuilder.Create(service.Resource).WithEnvironmentVariablesConfig()
            .BuildAsync(app.Services.GetRequiredService<DistributedApplicationExecutionContext>(), NullLogger.Instance, Cancel);
        Assert.Null(configuration.Exception);
        var environment = configuration.EnvironmentVariables.ToDictionary();
        Log($"the service's environment: {string.Join(", ", environment.Keys.Where(k => k.StartsWith("BOT_", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)))}");
        Assert.Equal(await app.GetConnectionStringAsync("bot", Cancel), environment["ConnectionStrings__bot"]);
        var (host, port, domain, secret) = (environment["BOT_HOST"], int.Parse(environment["BOT_PORT"], System.Globalization.CultureInfo.InvariantCulture), environment["BOT_DOMAIN"], environment["BOT_SECRET"]);
        Assert.Equal("bot.chat.dev.localhost", domain);

        // The secret is what authenticates the component: a wrong one is refused.
        await using (var impostor = await XmppComponent.OpenAsync(host, port, domain, line => Log($"impostor: {line}"), Cancel))
        {
            await Assert.ThrowsAsync<XmppException>(() => impostor.HandshakeAsync("not-the-secret", Cancel));
        }

        await using var component = await XmppComponent.OpenAsync(host, port, domain, line => Log($"component: {line}"), Cancel);
        await component.HandshakeAsync(secret, Cancel);

        await using var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
        await alice.SendMessageAsync($"echo@{domain}", "ping", cancellationToken: Cancel);
        var received = await component.ReadAsync(
            s => s.Name == XmppTestNamespaces.ComponentAccept + "message" && s.Element(XmppTestNamespaces.ComponentAccept + "body")?.Value == "ping", StanzaTimeout, Cancel);
        Assert.Equal(alice.Jid.ToString(), (string?)received.Attribute("from"));

        await component.SendAsync(new XElement(XmppTestNamespaces.ComponentAccept + "message",
            new XAttribute("from", $"echo@{domain}"), new XAttribute("to", alice.Jid.ToString()), new XAttribute("type", "chat"),
            new XElement(XmppTestNamespaces.ComponentAccept + "body", "pong")), Cancel);
        var reply = await alice.WaitForMessageAsync(m => m.GetBody() is not null, StanzaTimeout, Cancel);
        Assert.True(reply.IsFrom($"echo@{domain}"), reply.ToString());
        Assert.Equal("pong", reply.GetBody());
    }

    [Fact]
    public async Task ClientsValidateTheCertificateBroughtByFileOrDirectoryAgainstItsAuthorityAndOtherwiseGetTheDevelopmentCertificate()
    {
        using var authority = new TestCertificateAuthority();
        var directory = Directory.CreateTempSubdirectory("prosody-certs-");
        using var cleanup = directory.DeleteWhenDisposed();
        // WithCertificate: a PEM certificate and key anywhere on this machine.
        var byFile = authority.Issue("files.dev.localhost");
        var certificatePath = Path.Combine(directory.FullName, "server.crt");
        var keyPath = Path.Combine(directory.FullName, "server.key");
        await File.WriteAllTextAsync(certificatePath, byFile.CertificatePem, Cancel);
        await File.WriteAllTextAsync(keyPath, byFile.KeyPem, Cancel);

        // WithCertificatesDirectory: certbot's layout, with the chain. The prosody user in the container must be able
        // to read it, and a temporary directory is private to its owner.
        var byDirectory = authority.Issue("folder.dev.localhost");
        var certificates = Directory.CreateDirectory(Path.Combine(directory.FullName, "certs", "folder.dev.localhost"));
        await File.WriteAllTextAsync(Path.Combine(certificates.FullName, "fullchain.pem"), byDirectory.CertificatePem + authority.Certificate.ExportCertificatePem() + "\n", Cancel);
        await File.WriteAllTextAsync(Path.Combine(certificates.FullName, "privkey.pem"), byDirectory.KeyPem, Cancel);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var path in (string[])[directory.FullName, certificates.Parent!.FullName, certificates.FullName])
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }

        var builder = TestApp.CreateBuilder();
        var password = builder.AddPassword("alice-password");
        var files = builder.AddProsody("files").WithUser("alice", password).WithCertificate(certificatePath, keyPath);
        var folder = builder.AddProsody("folder").WithUser("alice", password).WithCertificatesDirectory(certificates.Parent!.FullName);
        var plain = builder.AddProsody("plain").WithUser("alice", password);
        await using var app = await builder.StartAsync("files", "folder", "plain");

        foreach (var (prosody, expected) in new[] { (files.Resource, byFile.Certificate), (folder.Resource, byDirectory.Certificate) })
        {
            // The client accepts only a certificate that chains to the test's authority and names the domain.
            var options = prosody.ClientOptions("alice", await password.ValueAsync()) with
            {
                ServerCertificateValidation = (_, certificate, _, _) => certificate is not null && authority.Validates(certificate, prosody.Domain),
            };
            await using var client = await XmppClient.ConnectAsync(options, Cancel);
            Assert.True(client.IsTlsEstablished);
            Assert.Equal(expected.Thumbprint, client.ServerCertificate?.Thumbprint);
        }

        // Without either, run mode presents the trusted developer certificate when the machine has one, otherwise the
        // self-signed certificate the AppHost keeps (in its user secrets); the client validates whichever it is.
        using var development = ServerCertificateTrust.Anchor(plain.Resource);
        await using var plainClient = await plain.Resource.SignInAsync("alice", await password.ValueAsync());
        Assert.Equal(development.Thumbprint, plainClient.ServerCertificate?.Thumbprint);
        Assert.True(plainClient.ServerCertificate!.MatchesHostname("plain.dev.localhost"));
        Assert.False(authority.Validates(plainClient.ServerCertificate, "plain.dev.localhost"));
    }

    [Fact]
    public async Task WithFederationAUserOfOneServerMessagesAUserOfAnotherWhileAServerWithoutFederationNeitherAcceptsNorSends()
    {
        var builder = TestApp.CreateBuilder();
        var alicePassword = builder.AddPassword("alice-password");
        var bobPassword = builder.AddPassword("bob-password");
        var carolPassword = builder.AddPassword("carol-password");
        // Every container is reachable on the container network as "<resource>.dev.internal": that is its XMPP domain.
        // The servers have self-signed development certificates, so they authenticate each other by dialback.
        var alpha = builder.AddProsody("alpha").WithDomain("alpha.dev.internal").WithUser("alice", alicePassword)
            .WithFederation(secureAuthentication: false);
        var beta = builder.AddProsody("beta").WithDomain("beta.dev.internal").WithUser("bob", bobPassword)
            .WithFederation(secureAuthentication: false);
        var gamma = builder.AddProsody("gamma").WithDomain("gamma.dev.internal").WithUser("carol", carolPassword);
        await using var app = await builder.StartAsync("alpha", "beta", "gamma");

        await using var alice = await alpha.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
        await using var bob = await beta.Resource.SignInAsync("bob", await bobPassword.ValueAsync());
        await using var carol = await gamma.Resource.SignInAsync("carol", await carolPassword.ValueAsync());
        await bob.SendPresenceAsync(cancellationToken: Cancel);
        await carol.SendPresenceAsync(cancellationToken: Cancel);

        await alice.SendMessageAsync("bob@beta.dev.internal", "Hello from alpha", cancellationToken: Cancel);
        var received = await bob.WaitForMessageAsync(m => m.GetBody() is not null || m.GetStanzaType() == "error", FederationTimeout, Cancel);
        Assert.True(received.IsFrom("alice@alpha.dev.internal"), received.ToString());
        Assert.Equal("Hello from alpha", received.GetBody());

        await bob.SendMessageAsync(received.Attribute("from")!.Value, "Hello back from beta", cancellationToken: Cancel);
        var answer = await alice.WaitForMessageAsync(m => m.IsFrom("bob@beta.dev.internal"), FederationTimeout, Cancel);
        Assert.Equal("Hello back from beta", answer.GetBody());

        // gamma has no WithFederation: nothing listens on its s2s port (the name resolves, the connection is refused)...
        await alice.SendMessageAsync("carol@gamma.dev.internal", "Hello gamma?", cancellationToken: Cancel);
        var bounce = await alice.WaitForMessageAsync(m => m.IsFrom("carol@gamma.dev.internal"), FederationTimeout, Cancel);
        Assert.Equal("remote-server-not-found", ErrorCondition(bounce));
        Assert.Contains("connection refused", ErrorText(bounce), StringComparison.OrdinalIgnoreCase);

        // ...and gamma does not send to other servers either.
        await carol.SendMessageAsync("alice@alpha.dev.internal", "Hello alpha?", cancellationToken: Cancel);
        var refused = await carol.WaitForMessageAsync(m => m.IsFrom("alice@alpha.dev.internal"), FederationTimeout, Cancel);
        Assert.Equal("not-allowed", ErrorCondition(refused));
    }

    [Fact]
    public async Task APersistentContainerIsReusedWithItsDataWhenTheAppHostRestartsAndRecreatedWhenItsConfigurationChanges()
    {
        var runtime = ContainerRuntime.Name;
        // Persistent containers are named after the resource and the AppHost's path, the same in every run.
        const string name = "kept";
        const string volume = "prosody-functional-tests-kept";
        // Fixed values, as a developer's user secrets would give every run of the AppHost.
        var passwords = new Dictionary<string, string>
        {
            ["admin"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)),
            ["alice"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)),
            ["bob"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)),
        };

        // Each run of the AppHost ends with its orchestrator gone: a stopping orchestrator still cleans up the
        // persistent network, and the next run's container then fails to start on it ("network not found").
        async Task RunAsync(bool withBob, Func<DistributedApplication, ProsodyResource, Task> body)
        {
            var before = OrchestratorProcesses();
            var (app, prosody) = await StartAsync(withBob);
            var ours = OrchestratorProcesses().Except(before).ToList();
            // Found by their command line: should the orchestrator's change, this says so rather than not waiting.
            Assert.True(ours.Count > 0 || !Directory.Exists("/proc"), "The orchestrator's processes of this run were not found.");
            await using (app)
            {
                await body(app, prosody);
            }

            var waited = Stopwatch.StartNew();
            while (ours.Any(pid => Directory.Exists($"/proc/{pid}")) && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, Cancel);
            }

            Log($"{ours.Count} orchestrator processes of that run; waited {waited.ElapsedMilliseconds} ms for them to end");
        }

        async Task<(DistributedApplication App, ProsodyResource Prosody)> StartAsync(bool withBob)
        {
            var builder = TestApp.CreateBuilder();
            // A developer's AppHost runs in the Development environment, where the host reads the user secrets back.
            // The test builder runs in Production: it has the test project's UserSecretsId, so Aspire (and the package)
            // write to the user secrets, but nothing reads them. Read them as the Development host would.
            builder.Configuration.AddUserSecrets(typeof(ServerFeatureFunctionalTests).Assembly, optional: false);
            var chat = builder.AddProsody(name, adminPassword: builder.AddParameter($"{name}-admin", passwords["admin"], secret: true))
                .WithUser("alice", builder.AddParameter($"{name}-alice", passwords["alice"], secret: true))
                .WithDataVolume(volume)
                .WithLifetime(ContainerLifetime.Persistent);
            if (withBob)
            {
                chat.WithUser("bob", builder.AddParameter($"{name}-bob", passwords["bob"], secret: true));
            }

            return (await builder.StartAsync(name), chat.Resource);
        }

        RemoveContainersAndVolume(runtime, name, volume);
        try
        {
            var first = "";
            await RunAsync(withBob: false, async (app, prosody) =>
            {
                first = app.ContainerIdOf(name);
                await using var alice = await prosody.SignInAsync("alice", passwords["alice"]);
                await alice.AddRosterItemAsync("friend@kept.dev.localhost", "Friend", Cancel);
            });

            // The AppHost is gone; its persistent container is not.
            Assert.Equal("true", ContainerRuntime.Run(runtime, "inspect", "--format", "{{.State.Running}}", first).Output.Trim());

            await RunAsync(withBob: false, async (app, prosody) =>
            {
                Assert.Equal(first, app.ContainerIdOf(name));
                await using var alice = await prosody.SignInAsync("alice", passwords["alice"]);
                Assert.Equal("Friend", Assert.Single(await alice.GetRosterAsync(Cancel), item => item.Jid == "friend@kept.dev.localhost").Name);
            });

            // A changed model changes the container's configuration: the new account exists, the data is kept (in the volume).
            await RunAsync(withBob: true, async (app, prosody) =>
            {
                Log($"container before the change: {first}, after: {app.ContainerIdOf(name)}");
                await using var bob = await prosody.SignInAsync("bob", passwords["bob"]);
                Assert.Equal("bob@kept.dev.localhost", bob.Jid.Bare.ToString());
                await using var alice = await prosody.SignInAsync("alice", passwords["alice"]);
                Assert.Contains(await alice.GetRosterAsync(Cancel), item => item.Jid == "friend@kept.dev.localhost");

                // Stopped while its network exists, so that Podman takes down the NAT rules of its published ports.
                // Removed only after the orchestrator deleted the network, it would leave them behind, and a later
                // connection to one of those ports on 127.0.0.1 would be sent to it ("No route to host").
                var stop = ContainerRuntime.Run(runtime, "stop", "--time", "10", app.ContainerIdOf(name));
                Assert.True(stop.ExitCode == 0, stop.Output);
            });
        }
        finally
        {
            RemoveContainersAndVolume(runtime, name, volume);
        }
    }

    /// <summary>
    /// The orchestrator (DCP) processes of the apps this test process started, by process id: its API server names
    /// this process as the one it monitors, and its controllers share the API server's kubeconfig. Empty where there
    /// is no /proc.
    /// </summary>
    private static HashSet<int> OrchestratorProcesses()
    {
        var dcp = new List<(int Pid, string[] Arguments)>();
        if (Directory.Exists("/proc"))
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                try
                {
                    if (int.TryParse(Path.GetFileName(directory), out var pid)
                        && File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0') is [var program, .. var arguments]
                        && Path.GetFileName(program) == "dcp")
                    {
                        dcp.Add((pid, arguments));
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The process ended while it was read.
                }
            }
        }

        static string? After(string[] arguments, string option) =>
            arguments.Zip(arguments.Skip(1)).FirstOrDefault(pair => pair.First == option).Second;
        var monitor = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var kubeconfigs = dcp.Where(p => After(p.Arguments, "--monitor") == monitor).Select(p => After(p.Arguments, "--kubeconfig")).OfType<string>().ToHashSet();
        return dcp.Where(p => After(p.Arguments, "--kubeconfig") is { } kubeconfig && kubeconfigs.Contains(kubeconfig)).Select(p => p.Pid).ToHashSet();
    }

    /// <summary>
    /// Removes the resource's persistent container(s) and the volume: after the test, and before it, since what an
    /// interrupted run left would be reused with its old data.
    /// </summary>
    private static void RemoveContainersAndVolume(string runtime, string resourceName, string volume)
    {
        var (_, output) = ContainerRuntime.Run(runtime, "ps", "--all", "--filter", $"name=^{resourceName}-[0-9a-z]+$", "--format", "{{.ID}}");
        foreach (var id in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Log($"removing the container {id}");
            ContainerRuntime.Run(runtime, "rm", "--force", id);
        }

        ContainerRuntime.Run(runtime, "volume", "rm", "--force", volume);
    }
}
