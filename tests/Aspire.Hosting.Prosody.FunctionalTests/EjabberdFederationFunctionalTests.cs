using System.Text.Json;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Federation with a second server implementation: ejabberd (Debian's 24.12, the stand-in image eng/containers builds)
/// as a container resource on a container network of its own, reached the way an external server is. Prosody is set
/// up as a user would: default domain, <c>WithFederation(external: true)</c> and <c>WithFederationTrust</c> for the
/// peer's certificate authority. Secure authentication (certificates, SASL EXTERNAL) both ways, no dialback.
/// </summary>
[RequiresContainers(ContainerImage.Prosody, ContainerImage.Ejabberd)]
public class EjabberdFederationFunctionalTests
{
    private const string EjabberdDomain = "ejabberd.internal";

    /// <summary>ejabberd runs as its own user: the files (a test key included) are readable by all.</summary>
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public async Task ProsodyAndEjabberdOnAnotherContainerNetworkFederateBothWaysWithCertificates()
    {
        var runtime = ContainerRuntime.Name;
        using var files = new TemporaryDirectory();
        using var authority = new TestCertificateAuthority();
        var (_, peerCertificatePem, peerKeyPem) = authority.Issue(EjabberdDomain);
        var authorityPem = authority.Certificate.ExportCertificatePem() + "\n";
        var authorityPath = files.Write("peer-ca.pem", authorityPem);
        await using var network = PeerNetwork.Create(runtime);

        var builder = TestApp.CreateBuilder();
        var alicePassword = builder.AddPassword("alice-password");
        var bobPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        // The server on the other network reaches Prosody as an external server would: through the port the host
        // publishes on all of its interfaces. The port is fixed so ejabberd's configuration can name it.
        var s2sPort = FreeTcpPort();
        var chat = builder.AddProsody("chat").WithUser("alice", alicePassword)
            .WithFederation(port: s2sPort, external: true)
            .WithFederationTrust(authorityPath)
            .WithLogLevel(ProsodyLogLevel.Debug) // the log shows how each side authenticated the other
            // What DNS would say on the internet: ejabberd's domain is its address (on its own network).
            .WithContainerRuntimeArgs("--add-host", $"{EjabberdDomain}:{network.PeerAddress}");

        var ejabberd = builder.AddContainer("ejabberd", ContainerImages.EjabberdImage, ContainerImages.EjabberdTag)
            .WithImageRegistry(ContainerImages.EjabberdRegistry)
            .WithEndpoint(targetPort: 5222, name: "c2s", scheme: "tcp")
            // Its own network, and Prosody's domain is this host (the network's gateway), where the s2s port is published.
            .WithContainerRuntimeArgs("--network", $"{network.Name}:ip={network.PeerAddress}",
                "--add-host", $"chat.dev.localhost:{network.Gateway}")
            .WaitFor(chat)
            // Written when the container is created: by then the certificate Prosody presents to servers exists. That
            // is the AppHost's self-signed one for the domain (the developer certificate serves clients and HTTPS only).
            .WithContainerFiles("/etc/ejabberd", (_, _) => Task.FromResult<IEnumerable<ContainerFileSystemItem>>(
            [
                new ContainerFile { Name = "ejabberd.yml", Contents = EjabberdConfiguration(s2sPort), Mode = Readable },
                new ContainerFile { Name = "aspire-server.pem", Contents = peerCertificatePem + peerKeyPem, Mode = Readable },
                new ContainerFile { Name = "aspire-trust.pem", Contents = ServerCertificateTrust.SelfSignedCertificate(chat.Resource).ExportCertificatePem() + "\n" + authorityPem, Mode = Readable },
            ]));

        await using var app = await builder.StartAsync("chat");
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel))
        {
            timeout.CancelAfter(StartTimeout);
            await app.ResourceNotifications.WaitForResourceAsync("ejabberd", KnownResourceStates.Running, timeout.Token);
        }

        var ejabberdContainer = app.ContainerIdOf("ejabberd");
        // ejabberd is on the test's network (the orchestrator also attaches every container to its own network, which
        // this exchange does not use: each side dials the other's address on the other network); Prosody is not.
        var ejabberdNetworks = ContainerRuntime.Run(runtime, "inspect", "--format", "{{json .NetworkSettings.Networks}}", ejabberdContainer).Output;
        var chatNetworks = ContainerRuntime.Run(runtime, "inspect", "--format", "{{json .NetworkSettings.Networks}}", app.ContainerIdOf("chat")).Output;
        Log($"ejabberd networks: {ejabberdNetworks}{Environment.NewLine}chat networks: {chatNetworks}");
        Assert.Contains($"\"{network.PeerAddress}\"", ejabberdNetworks, StringComparison.Ordinal);
        Assert.DoesNotContain(network.Name, chatNetworks, StringComparison.Ordinal);
        await RegisterAsync(runtime, ejabberdContainer, "bob", bobPassword);

        await using var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
        var ejabberdC2s = ejabberd.GetEndpoint("c2s");
        await using var bob = await XmppClient.ConnectAsync(new XmppClientOptions
        {
            Host = ejabberdC2s.Host,
            Port = ejabberdC2s.Port,
            Domain = EjabberdDomain,
            Username = "bob",
            Password = bobPassword,
            ServerCertificateValidation = ServerCertificates.TrustOnly(authority.Certificate),
            Log = line => Log($"xmpp bob: {line}"),
        }, Cancel);
        Assert.True(alice.IsTlsEstablished);
        Assert.True(bob.IsTlsEstablished);
        await alice.SendPresenceAsync(cancellationToken: Cancel);
        await bob.SendPresenceAsync(cancellationToken: Cancel);

        await alice.SendMessageAsync($"bob@{EjabberdDomain}", "Hello from Prosody", cancellationToken: Cancel);
        var atBob = await bob.WaitForMessageAsync(m => m.GetBody() is not null, StanzaTimeout, Cancel);
        Assert.Equal("Hello from Prosody", atBob.GetBody());
        Assert.True(atBob.IsFrom("alice@chat.dev.localhost"));

        await bob.SendMessageAsync("alice@chat.dev.localhost", "Hello from ejabberd", cancellationToken: Cancel);
        var atAlice = await alice.WaitForMessageAsync(m => m.GetBody() is not null, StanzaTimeout, Cancel);
        Assert.Equal("Hello from ejabberd", atAlice.GetBody());
        Assert.True(atAlice.IsFrom($"bob@{EjabberdDomain}"));

        // Certificates, not dialback (ejabberd has no dialback module here): Prosody validated ejabberd's certificate
        // and authenticated to it with SASL EXTERNAL; ejabberd did the same the other way.
        var chatLog = await app.ConsoleLinesAsync(chat.Resource);
        Assert.Contains(chatLog, line => line.Contains("certificate chain validation result: valid", StringComparison.Ordinal));
        Assert.Contains(chatLog, line => line.Contains($"SASL EXTERNAL with {EjabberdDomain} succeeded", StringComparison.Ordinal));
        Assert.Contains(chatLog, line => line.Contains($"Accepting SASL EXTERNAL identity from {EjabberdDomain}", StringComparison.Ordinal));
        var ejabberdLog = await app.ConsoleLinesAsync(ejabberd.Resource);
        // Prosody came in from the other network: through the host, whose address on the peer network is the gateway.
        Assert.Contains(ejabberdLog, line => line.Contains($"Accepted inbound s2s EXTERNAL authentication chat.dev.localhost -> {EjabberdDomain} ({network.Gateway})", StringComparison.Ordinal));
        Assert.Contains(ejabberdLog, line => line.Contains($"Accepted outbound s2s EXTERNAL authentication {EjabberdDomain} -> chat.dev.localhost", StringComparison.Ordinal));
    }

    /// <summary>ejabberd's whole configuration: one host, c2s and s2s with TLS required, certificate authentication only.</summary>
    private static string EjabberdConfiguration(int prosodyS2sPort) => $$"""
        hosts:
          - {{EjabberdDomain}}
        loglevel: info
        log_rotate_count: 0
        certfiles:
          - /etc/ejabberd/aspire-server.pem
        # What ejabberd trusts: Prosody's certificate (the one it presents to servers) and the test CA.
        ca_file: /etc/ejabberd/aspire-trust.pem
        s2s_cafile: /etc/ejabberd/aspire-trust.pem
        s2s_use_starttls: required
        # Prosody's s2s port as the host publishes it.
        outgoing_s2s_port: {{prosodyS2sPort}}
        outgoing_s2s_families:
          - ipv4
        auth_password_format: scram
        listen:
          - port: 5222
            ip: "0.0.0.0"
            module: ejabberd_c2s
            starttls_required: true
          - port: 5269
            ip: "0.0.0.0"
            module: ejabberd_s2s_in
        acl:
          local:
            user_regexp: ""
        access_rules:
          local:
            allow: local
          c2s:
            allow: all
        # No mod_s2s_dialback: a server that cannot authenticate with its certificate is refused.
        modules:
          mod_disco: {}
          mod_ping: {}
          mod_roster: {}
        """;

    /// <summary>Registers an account with ejabberdctl once the node answers.</summary>
    private static async Task RegisterAsync(string runtime, string container, string user, string password)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            var (exitCode, output) = ContainerRuntime.Run(runtime, "exec", container, "ejabberdctl", "register", user, EjabberdDomain, password);
            if (exitCode == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"ejabberdctl register failed ({exitCode}): {output}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>A container network of the test's own, with the address the peer gets on it; removed at the end.</summary>
    private sealed class PeerNetwork : IAsyncDisposable
    {
        private readonly string _runtime;

        private PeerNetwork(string runtime, string name, string gateway, string peerAddress)
        {
            _runtime = runtime;
            Name = name;
            Gateway = gateway;
            PeerAddress = peerAddress;
        }

        public string Name { get; }

        /// <summary>The host's address on this network.</summary>
        public string Gateway { get; }

        public string PeerAddress { get; }

        public static PeerNetwork Create(string runtime)
        {
            var name = $"prosody-test-peer-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
            // The runtime picks a free subnet; the peer gets a fixed address in it, so Prosody can name it up front.
            var (exitCode, output) = ContainerRuntime.Run(runtime, "network", "create", name);
            Assert.True(exitCode == 0, $"{runtime} network create failed: {output}");
            var (_, json) = ContainerRuntime.Run(runtime, "network", "inspect", name);
            using var document = JsonDocument.Parse(json);
            var subnet = document.RootElement[0].GetProperty("subnets")[0];
            var gateway = subnet.GetProperty("gateway").GetString()!;
            var prefix = gateway[..(gateway.LastIndexOf('.') + 1)];
            return new PeerNetwork(runtime, name, gateway, prefix + "10");
        }

        public ValueTask DisposeAsync()
        {
            ContainerRuntime.Run(_runtime, "network", "rm", "--force", Name);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class TemporaryDirectory : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("prosody-ejabberd-").FullName;

        public string Write(string name, string contents)
        {
            var path = Path.Combine(_path, name);
            File.WriteAllText(path, contents);
            return path;
        }

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}
