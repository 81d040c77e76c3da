using System.Formats.Tar;
using System.IO.Compression;
using static Aspire.Hosting.Prosody.FunctionalTests.ServerFeatureProtocols;
using static Aspire.Prosody.Client.XmppNamespaces;
using static XmppTestClient.XmppTestNamespaces;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// What a published model gives a platform that starts exactly what the manifest says: the image built from it, run
/// with the manifest's environment (parameter values filled in), serves real clients, and holds no secret.
/// </summary>
[RequiresContainers(ContainerImage.Prosody, ContainerImage.Postgres, ContainerImage.Coturn)]
public class DeploymentFunctionalTests(DeploymentFixture deployment) : IClassFixture<DeploymentFixture>
{
    private const string Domain = DeploymentFixture.Domain;

    private ManifestPlatform Platform => deployment.Platform;

    private async Task<XmppClient> SignInAsync(string userName, string passwordParameter, List<bool>? validations = null)
    {
        var options = new XmppClientOptions
        {
            Host = "127.0.0.1",
            Port = Platform.HostPort(DeploymentFixture.ProsodyName, "c2s"),
            Domain = Domain,
            Username = userName,
            Password = deployment.Password(passwordParameter),
            // The deployment's certificate, checked as a real client checks it: chained to the deployer's CA, naming the domain.
            ServerCertificateValidation = (_, certificate, _, _) =>
            {
                var valid = certificate is not null && deployment.CertificateAuthority.Validates(certificate, Domain);
                validations?.Add(valid);
                return valid;
            },
            Log = line => Log($"xmpp {userName}: {line}"),
        };
        return await XmppClient.ConnectAsync(options, Cancel);
    }

    [Fact]
    public async Task TheAdministratorAndAUserSignInOverStartTlsWithTheCertificateValidatedAndExchangeAMessage()
    {
        deployment.Require();
        var validations = new List<bool>();
        await using var admin = await SignInAsync("admin", "xmpp-admin-password", validations);
        await using var alice = await SignInAsync("alice", "alice-password", validations);

        Assert.Equal([true, true], validations);
        await alice.SendPresenceAsync(cancellationToken: Cancel);
        await admin.SendPresenceAsync(cancellationToken: Cancel);
        await admin.SendMessageAsync($"alice@{Domain}", "hello from a deployment", cancellationToken: Cancel);
        var message = await alice.WaitForMessageAsync(m => m.GetBody() == "hello from a deployment", StanzaTimeout, Cancel);
        Assert.StartsWith($"admin@{Domain}/", (string?)message.Attribute("from"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUserJoinsTheGroupChat()
    {
        deployment.Require();
        await using var alice = await SignInAsync("alice", "alice-password");
        var room = $"deployed@conference.{Domain}";

        var presence = await EnterRoomAsync(alice, room, "alice");

        Assert.Null(ErrorCondition(presence));
        Assert.Contains("110", MucStatusCodes(presence));
        await UnlockInstantRoomAsync(alice, room);
        await SayAsync(alice, room, "alice", "the room works");
    }

    [Fact]
    public async Task AUserUploadsAFileOverHttpsWithTheCertificateValidatedAndGetsItBack()
    {
        deployment.Require();
        await using var alice = await SignInAsync("alice", "alice-password");
        var content = Encoding.UTF8.GetBytes($"deployed upload {Guid.NewGuid()}");
        var upload = $"upload.{Domain}";

        var slot = await RequestUploadSlotAsync(alice, upload, "hello.txt", content.Length, "text/plain");
        var putUrl = new Uri((string)slot.Element(Upload + "put")!.Attribute("url")!);
        var getUrl = new Uri((string)slot.Element(Upload + "get")!.Attribute("url")!);
        Log($"slot: PUT {putUrl} GET {getUrl}");

        // The deployment's public URL (WithPublicUrl, a parameter): links name the reverse proxy's port, not Prosody's 5281.
        // DNS would point the domain at the proxy; here the connection goes to this machine, with the URL's host for SNI and Host.
        Assert.Equal(("https", Domain, deployment.Proxy.Port), (putUrl.Scheme, putUrl.Host, putUrl.Port));
        Assert.StartsWith(deployment.PublicUrl, putUrl.AbsoluteUri, StringComparison.Ordinal);
        var before = deployment.Proxy.Connections;
        var validations = new List<bool>();
        using var http = ThroughThisMachine(validations);

        Assert.Equal("text/plain", await UploadAndDownloadAsync(http, slot, content, "text/plain"));

        Assert.NotEmpty(validations);
        Assert.All(validations, Assert.True);
        Assert.True(deployment.Proxy.Connections > before, "The upload did not go through the reverse proxy.");
    }

    [Fact]
    public async Task TheWebsocketUrlProsodyAnnouncesLeadsThroughTheReverseProxyToAnXmppStream()
    {
        deployment.Require();

        // mod_http announces every HTTP app at the public URL: "Serving 'websocket' at https://{domain}:{proxy port}/xmpp-websocket".
        const string Marker = "Serving 'websocket' at ";
        var line = Platform.Logs(DeploymentFixture.ProsodyName).Split('\n').FirstOrDefault(l => l.Contains(Marker, StringComparison.Ordinal));
        Assert.NotNull(line);
        var announced = new Uri(line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Trim());
        Log($"announced: {announced}");
        Assert.Equal(new Uri(new Uri(deployment.PublicUrl), "xmpp-websocket"), announced);

        // A websocket client follows it (as wss://) through the proxy, with the certificate validated, and Prosody opens an XMPP stream.
        var before = deployment.Proxy.Connections;
        var validations = new List<bool>();
        using var invoker = new HttpMessageInvoker(ThroughThisMachineHandler(validations));
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.AddSubProtocol("xmpp");
        await socket.ConnectAsync(new UriBuilder(announced) { Scheme = "wss" }.Uri, invoker, Cancel);
        Assert.Equal("xmpp", socket.SubProtocol);
        await socket.SendAsync(Encoding.UTF8.GetBytes($"<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='{Domain}' version='1.0'/>"),
            System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, Cancel);
        var received = new StringBuilder();
        var buffer = new byte[8192];
        while (!received.ToString().Contains("</stream:features>", StringComparison.Ordinal))
        {
            var result = await socket.ReceiveAsync(buffer, Cancel);
            Assert.NotEqual(System.Net.WebSockets.WebSocketMessageType.Close, result.MessageType);
            received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        Log($"over the proxy: {received}");
        Assert.Contains("<mechanisms", received.ToString(), StringComparison.Ordinal);
        Assert.All(validations, Assert.True);
        Assert.NotEmpty(validations);
        Assert.True(deployment.Proxy.Connections > before, "The websocket did not go through the reverse proxy.");
    }

    /// <summary>An HTTP client that sends every name to this machine (where the platform publishes the proxy), validating the deployment's certificate.</summary>
    private HttpClient ThroughThisMachine(List<bool> validations) => new(ThroughThisMachineHandler(validations)) { Timeout = TimeSpan.FromSeconds(60) };

    private SocketsHttpHandler ThroughThisMachineHandler(List<bool> validations) => new()
    {
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                var valid = certificate is not null && deployment.CertificateAuthority.Validates(certificate, Domain);
                validations.Add(valid);
                return valid;
            },
        },
    };

    [Fact]
    public async Task TheExternalComponentConnectsWithItsSecretAndAnImpostorDoesNot()
    {
        deployment.Require();
        var port = Platform.HostPort(DeploymentFixture.ProsodyName, "component");
        var domain = $"{DeploymentFixture.ComponentName}.{Domain}";

        await using (var impostor = await XmppComponent.OpenAsync("127.0.0.1", port, domain, line => Log($"impostor: {line}"), Cancel))
        {
            await Assert.ThrowsAsync<XmppException>(() => impostor.HandshakeAsync("not-the-secret", Cancel));
        }

        await using var component = await XmppComponent.OpenAsync("127.0.0.1", port, domain, line => Log($"component: {line}"), Cancel);
        await component.HandshakeAsync(deployment.Password("bridge-secret"), Cancel);
    }

    [Fact]
    public async Task TheTurnServerAllocatesARelayWithTheCredentialsProsodyHandsOut()
    {
        deployment.Require();
        await using var alice = await SignInAsync("alice", "alice-password");

        var turn = Assert.Single(await alice.GetExternalServicesAsync(Domain, Cancel), s => s is { Type: "turn", Transport: "udp" });

        // Prosody hands out the address the deployer gave and the exposed port; a client uses exactly those.
        Assert.Equal(("127.0.0.1", DeploymentFixture.TurnPort), (turn.Host, turn.Port));
        await using var client = await TurnClient.ConnectAsync(TurnTransport.Udp, turn.Host, turn.Port, Log, Cancel);
        var relay = await client.AllocateAsync(turn.Username!, turn.Password!, Cancel);
        Assert.Equal(IPAddress.Loopback, relay.Relayed.Address);
        Assert.InRange(relay.Relayed.Port, DeploymentFixture.RelayPortMin, DeploymentFixture.RelayPortMax);
    }

    [Fact]
    public async Task MetricsAreClosedInBandRegistrationIsRefusedAndNothingListensForServers()
    {
        deployment.Require();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var httpPort = Platform.HostPort(DeploymentFixture.ProsodyName, "http");

        using (var metrics = await http.GetAsync($"http://127.0.0.1:{httpPort}/metrics", Cancel))
        {
            Assert.NotEqual(HttpStatusCode.OK, metrics.StatusCode);
        }

        var registration = await LoadInBandRegistrationProbe.TryAsync("127.0.0.1", Platform.HostPort(DeploymentFixture.ProsodyName, "c2s"), Domain, "mallory", "mallory-password", Cancel);
        Assert.True(registration.RegistrationRefused, registration.RegistrationAnswer);
        await Assert.ThrowsAnyAsync<XmppException>(async () => await (await XmppClient.ConnectAsync(
            new XmppClientOptions { Host = "127.0.0.1", Port = Platform.HostPort(DeploymentFixture.ProsodyName, "c2s"), Domain = Domain, Username = "mallory", Password = "mallory-password" }, Cancel)).DisposeAsync());

        // The container's own table of listening sockets: c2s (5222) listens, s2s (5269) does not.
        var (exitCode, sockets) = Platform.Exec(DeploymentFixture.ProsodyName, "cat", "/proc/net/tcp", "/proc/net/tcp6");
        Assert.Equal(0, exitCode);
        var listening = sockets.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 3 && f[3] == "0A").Select(f => Convert.ToInt32(f[1].Split(':')[1], 16)).ToHashSet();
        Log($"listening ports: {string.Join(", ", listening.Order())}");
        Assert.Contains(5222, listening);
        Assert.DoesNotContain(5269, listening);
    }

    [Fact]
    public void TheReadinessProbeHeldTrafficUntilTheDatabaseAnsweredWhileLivenessAnsweredAtOnce()
    {
        deployment.Require();
        Assert.Equal((200, 503, 200), deployment.Probes);
    }

    [Fact]
    public async Task ReadinessIs503NamingStorageWhilePostgresIsStoppedUnderTheRunningServerThen200AndProsodyNeverRestarts()
    {
        deployment.Require();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Platform.HostPort(DeploymentFixture.ProsodyName, "http")}"), Timeout = TimeSpan.FromSeconds(60) };
        var prosody = Platform.ContainerName(DeploymentFixture.ProsodyName);
        var pg = Platform.ContainerName("pg");
        string StartedAt() => ContainerRuntime.Run(ContainerRuntime.Name, "inspect", "--format", "{{.State.StartedAt}} {{.State.Running}}", prosody).Output.Trim();
        var before = StartedAt();
        Assert.Equal((HttpStatusCode.OK, "ready"), await ProbeAsync(http, "/aspire-health/ready"));

        for (var round = 1; round <= 2; round++)
        {
            Assert.Equal(0, ContainerRuntime.Run(ContainerRuntime.Name, "stop", "--time", "1", pg).ExitCode);
            try
            {
                // A sign-in attempt while the database is down: storage traffic during the outage.
                await Assert.ThrowsAnyAsync<Exception>(async () => await (await SignInAsync("alice", "alice-password")).DisposeAsync());
                var down = await WaitForProbeAsync(http, HttpStatusCode.ServiceUnavailable);
                Log($"round {round}, database stopped: ready {(int)down.Status} {down.Body}");
                Assert.Contains("storage of " + Domain, down.Body, StringComparison.Ordinal);
                // Liveness is about the process: it stays 200.
                Assert.Equal(HttpStatusCode.OK, (await ProbeAsync(http, "/aspire-health/live")).Status);
            }
            finally
            {
                Assert.Equal(0, ContainerRuntime.Run(ContainerRuntime.Name, "start", pg).ExitCode);
            }

            var up = await WaitForProbeAsync(http, HttpStatusCode.OK);
            Log($"round {round}, database started: ready {(int)up.Status} {up.Body}");
            await using var alice = await SignInAsync("alice", "alice-password");
            await alice.PingAsync(cancellationToken: Cancel);
        }

        // The same process throughout: a crash would have ended the container (no wrapper in a deployment).
        Assert.Equal(before, StartedAt());
        Assert.EndsWith("true", before, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> ProbeAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, Cancel);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync(Cancel)).Trim());
    }

    private static async Task<(HttpStatusCode Status, string Body)> WaitForProbeAsync(HttpClient http, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            var answer = await ProbeAsync(http, "/aspire-health/ready");
            if (answer.Status == wanted || DateTime.UtcNow > deadline)
            {
                Assert.Equal(wanted, answer.Status);
                return answer;
            }

            await Task.Delay(500, Cancel);
        }
    }

    [Fact]
    public async Task NoSecretValueIsInAnyLayerOfTheImageInTheBuildContextOrInTheManifest()
    {
        deployment.Require();
        var secrets = Platform.SecretValues.Concat(KeyLines(deployment.KeyPem)).Distinct().ToArray();
        Assert.Contains(deployment.Password("xmpp-admin-password"), secrets);
        Assert.Contains(deployment.KeyPem, secrets);
        Log($"looking for {secrets.Length} secret values");

        // The manifest: placeholders only.
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, deployment.ManifestText, StringComparison.Ordinal));
        Assert.Contains("{xmpp-tls-key.value}", deployment.ManifestText, StringComparison.Ordinal);

        // The build context and the Dockerfile, every file.
        var contextFiles = Directory.EnumerateFiles(deployment.OutputDirectory, "*", SearchOption.AllDirectories).ToArray();
        Assert.Contains(contextFiles, f => f.EndsWith("aspire.cfg.lua", StringComparison.Ordinal));
        foreach (var file in contextFiles)
        {
            var text = await File.ReadAllTextAsync(file, Cancel);
            Assert.All(secrets, secret => Assert.False(text.Contains(secret, StringComparison.Ordinal), $"A secret value is in {file}."));
        }

        // Every layer of the built image (and its configuration), as `podman save` writes them.
        var runtime = ContainerRuntime.Name;
        var archive = Path.Combine(deployment.WorkDirectory, "image.tar");
        var (saved, output) = ContainerRuntime.Run(runtime, "save", "--format", "docker-archive", "--output", archive, deployment.Image);
        Assert.True(saved == 0, output);
        var layers = 0;
        var configurationFound = false;
        await using (var stream = File.OpenRead(archive))
        {
            using var tar = new TarReader(stream);
            while (await tar.GetNextEntryAsync(cancellationToken: Cancel) is { } entry)
            {
                if (entry.DataStream is null)
                {
                    continue;
                }

                var bytes = await ReadAllAsync(entry.DataStream);
                layers += entry.Name.EndsWith(".tar", StringComparison.Ordinal) ? 1 : 0;
                // The derived layer holds the generated configuration: finding it proves the search sees inside layers.
                configurationFound |= bytes.AsSpan().IndexOf("aspire_accounts = {"u8) >= 0;
                foreach (var secret in secrets)
                {
                    Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0, $"A secret value is in {entry.Name} of the image.");
                }
            }
        }

        File.Delete(archive);
        Log($"searched {layers} layers");
        Assert.True(layers > 1, "The image archive has no layers.");
        Assert.True(configurationFound, "The generated configuration was not found in any layer.");
    }

    /// <summary>The key's base64 lines on their own, in case something re-wrapped the PEM text.</summary>
    private static IEnumerable<string> KeyLines(string pem) =>
        [pem, .. pem.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.Length >= 40 && !l.StartsWith("-----", StringComparison.Ordinal))];

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Cancel);
        var bytes = buffer.ToArray();
        if (bytes is [0x1f, 0x8b, ..])
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            await gzip.CopyToAsync(plain, Cancel);
            return plain.ToArray();
        }

        return bytes;
    }
}
