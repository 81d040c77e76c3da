using System.Net.Sockets;
using Aspire.Hosting.Prosody.Turn;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>The coturn companion and the TURN variables Prosody gets.</summary>
public class ProsodyTurnTests
{
    [Fact]
    public void WithTurnServerAddsACoturnContainerUnderTheProsodyResource()
    {
        using var app = TestModel.BuildWithChat(chat => chat.WithTurnServer());

        var turn = Assert.Single(app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<CoturnResource>());
        Assert.Equal("chat-turn", turn.Name);
        var image = Assert.Single(turn.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal(("docker.io", "coturn/coturn", "4.6.1"), (image.Registry, image.Image, image.Tag));
        Assert.Contains(turn.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == app.Single() && r.Type == "Parent");
        Assert.Equal("chat-turn_check", Assert.Single(turn.Annotations.OfType<HealthCheckAnnotation>()).Key);
    }

    [Fact]
    public void TheTurnEndpointsListenOnUdpAndTcpWithoutAProxy()
    {
        using var app = TestModel.BuildWithChat(chat => chat.WithTurnServer(port: 13478));

        var turn = Assert.Single(app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<CoturnResource>());
        var endpoints = turn.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal(["turn", "turn-udp"], endpoints.Keys.Order());
        Assert.All(endpoints.Values, e => Assert.Equal((13478, 3478, false), (e.Port!.Value, e.TargetPort!.Value, e.IsProxied)));
        Assert.Equal(ProtocolType.Tcp, endpoints["turn"].Protocol);
        Assert.Equal(ProtocolType.Udp, endpoints["turn-udp"].Protocol);
    }

    [Fact]
    public async Task ProsodyAndCoturnShareOneGeneratedSecretThatNeverReachesTheCommandLine()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithTurnServer();
        using var app = builder.Build();
        var turn = Assert.Single(app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<CoturnResource>());

        var prosodyEnvironment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);
        var turnEnvironment = await turn.RawEnvironmentAsync(DistributedApplicationOperation.Run);
        Assert.Same(turn.SecretParameter, prosodyEnvironment["PROSODY_TURN_SECRET"]);
        Assert.Same(turn.SecretParameter, turnEnvironment["TURN_SECRET"]);
        Assert.Equal("chat-turn-secret", turn.SecretParameter.Name);
        Assert.True(turn.SecretParameter.Secret);

        var secret = await turn.SecretParameter.GetValueAsync(TestContext.Current.CancellationToken);
        Assert.Matches("^[A-Za-z0-9]+$", secret);
        var args = await turn.ArgsAsync();
        Assert.Equal("-c", args[0]);
        Assert.DoesNotContain(secret!, string.Join(' ', args));
        Assert.Contains("\"$TURN_SECRET\"", args[1]);
    }

    [Fact]
    public async Task InRunModeClientsAreToldTheLoopbackAddressAndThePublishedPort()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithTurnServer(port: 13478);
        using var app = builder.Build();

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);

        Assert.Equal("127.0.0.1", environment["PROSODY_TURN_HOST"]);
        var port = Assert.IsType<EndpointReferenceExpression>(environment["PROSODY_TURN_PORT"]);
        Assert.Equal(KnownNetworkIdentifiers.LocalhostNetwork, port.Endpoint.ContextNetworkID);
        Assert.Contains("turn_external_tcp = true", await app.FileTextAsync(chat.Resource, "/etc/prosody/conf.d", "aspire.cfg.lua"));
    }

    [Fact]
    public async Task TheCoturnCommandNeverUsesDnsDetectionAndKeepsTheRelayRangeSmall()
    {
        using var app = TestModel.BuildWithChat(chat => chat.WithDomain("xmpp.test").WithTurnServer(relayPortMin: 50000, relayPortMax: 50009));
        var turn = Assert.Single(app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<CoturnResource>());

        var script = (await turn.ArgsAsync())[1];

        Assert.Equal("/bin/sh", turn.Entrypoint);
        Assert.Contains("--use-auth-secret", script);
        Assert.Contains("--realm=xmpp.test", script);
        Assert.Contains("--external-ip=127.0.0.1", script);
        Assert.Contains("--min-port=50000 --max-port=50009", script);
        Assert.DoesNotContain("detect-external-ip", script);

        var runtimeArgs = new List<object>();
        foreach (var annotation in turn.Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>())
        {
            await annotation.Callback(new ContainerRuntimeArgsCallbackContext(runtimeArgs, CancellationToken.None));
        }

        Assert.Equal(["--publish", "127.0.0.1:50000-50009:50000-50009/udp"], runtimeArgs.Select(a => a.ToString()));
    }

    [Fact]
    public void TheCoturnScriptRefusesASecretCoturnWouldMangle()
    {
        var script = CoturnCommandLine.Script(new CoturnResource("t", new ParameterResource("s", _ => "x", secret: true)) { RelayPortMin = 1, RelayPortMax = 2 }, "a.test", null);

        Assert.StartsWith("case \"$TURN_SECRET\" in ''|*[!A-Za-z0-9]*) echo", script);
        Assert.DoesNotContain("--external-ip", script);
    }

    [Fact]
    public async Task InPublishModeTheTurnAddressIsADeploymentParameterOrTheGivenAddressAndTheRelayPortsAreListed()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithTurnServer(relayPortMin: 49160, relayPortMax: 49162);
        var other = builder.AddProsody("other").WithTurnServer(port: 3479, relayPortMin: 49170, relayPortMax: 49171, externalAddress: "203.0.113.7");
        using var app = builder.Build();

        var env = (await app.ManifestAsync(chat.Resource))["env"]!.AsObject();
        Assert.Equal("{chat-turn-external-address.value}", env["PROSODY_TURN_HOST"]!.GetValue<string>());
        Assert.Equal("{chat-turn.bindings.turn.port}", env["PROSODY_TURN_PORT"]!.GetValue<string>());
        Assert.Equal("{chat-turn-secret.value}", env["PROSODY_TURN_SECRET"]!.GetValue<string>());
        Assert.Equal("203.0.113.7", (await app.ManifestAsync(other.Resource))["env"]!["PROSODY_TURN_HOST"]!.GetValue<string>());

        var resources = app.Services.GetRequiredService<DistributedApplicationModel>().Resources;
        Assert.False(Assert.Single(resources.OfType<ParameterResource>(), p => p.Name == "chat-turn-external-address").Secret);
        Assert.DoesNotContain(resources, r => r.Name == "other-turn-external-address");

        var turnManifest = await app.ManifestAsync(resources.OfType<CoturnResource>().Single(r => r.Name == "chat-turn"));
        Assert.Equal("{chat-turn-secret.value}", turnManifest["env"]!["TURN_SECRET"]!.GetValue<string>());
        Assert.Equal("{chat-turn-external-address.value}", turnManifest["env"]!["TURN_EXTERNAL_IP"]!.GetValue<string>());
        Assert.Contains("--external-ip=$TURN_EXTERNAL_IP", turnManifest["args"]!.ToJsonString());
        var relays = turnManifest["bindings"]!.AsObject().Where(b => b.Key.StartsWith("relay-", StringComparison.Ordinal)).ToArray();
        Assert.Equal([49160, 49161, 49162], relays.Select(b => b.Value!["targetPort"]!.GetValue<int>()));
        // No "port": the manifest leaves it out when it equals the target port, i.e. exposed one to one.
        Assert.All(relays, b => Assert.Equal(("udp", null), (b.Value!["protocol"]!.GetValue<string>(), b.Value!["port"])));
        Assert.Contains("--external-ip=203.0.113.7", (await app.ManifestAsync(resources.OfType<CoturnResource>().Single(r => r.Name == "other-turn")))["args"]!.ToJsonString());
    }

    [Theory]
    [InlineData("198.51.100.4", 0)]
    [InlineData("2001:db8::1", 0)]
    [InlineData("", 64)]
    [InlineData("198.51.100.4 --cli-password=x", 64)]
    [InlineData("$(touch /tmp/pwned)", 64)]
    [InlineData("turn.example.com", 64)]
    [InlineData("::", 0)]
    [InlineData("::1", 0)]
    [InlineData("1::", 0)]
    [InlineData("fe80::1:2:3:4:5:6", 0)]
    [InlineData("2001:DB8:0:0:0:0:0:7", 0)]
    [InlineData("::ffff:192.0.2.1", 0)]
    [InlineData("0.0.0.0", 0)]
    [InlineData("255.255.255.255", 0)]
    [InlineData("::::", 64)]
    [InlineData(":::", 64)]
    [InlineData(":", 64)]
    [InlineData(":1", 64)]
    [InlineData("1:", 64)]
    [InlineData("1::2::3", 64)]
    [InlineData("1:2:3:4:5:6:7", 64)]
    [InlineData("1:2:3:4:5:6:7:8:9", 64)]
    [InlineData("1::2:3:4:5:6:7:8", 64)]
    [InlineData("12345::1", 64)]
    [InlineData("::ffff:192.0.2.256", 64)]
    [InlineData("::ffff:1.2.3", 64)]
    [InlineData("1.2.3:4::", 64)]
    [InlineData("256.1.1.1", 64)]
    [InlineData("1.2.3", 64)]
    [InlineData("1.2.3.4.5", 64)]
    [InlineData("01.2.3.4", 64)]
    [InlineData("1..3.4", 64)]
    [InlineData(".1.2.3", 64)]
    [InlineData("1.2.3.4.", 64)]
    [InlineData("1.2.3.4*", 64)]
    [InlineData("-1.2.3.4", 64)]
    public async Task TheCoturnScriptAcceptsOnlyAnIpAddressFromTheDeployment(string address, int expectedExit)
    {
        var turn = new CoturnResource("t", new ParameterResource("s", _ => "x", secret: true))
        {
            RelayPortMin = 1,
            RelayPortMax = 2,
            ExternalAddressParameter = new ParameterResource("a", _ => "x"),
        };
        // Only the checks: the script up to where it would start turnserver.
        var script = CoturnCommandLine.Script(turn, "a.test", null);
        var checks = script[..script.IndexOf("umask", StringComparison.Ordinal)] + "exit 0";
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", checks }, RedirectStandardError = true };
        start.Environment["TURN_SECRET"] = "Secret42";
        start.Environment["TURN_EXTERNAL_IP"] = address;

        using var shell = System.Diagnostics.Process.Start(start)!;
        var error = await shell.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await shell.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(expectedExit, shell.ExitCode);
        Assert.Equal(expectedExit == 0 ? "" : "The TURN external address must be an IP address (the a parameter), such as 203.0.113.7 or 2001:db8::7.\n", error);
    }

    [Fact]
    public async Task WithExternalTurnHandsOutTheGivenServer()
    {
        var builder = TestModel.CreateBuilder();
        var secret = builder.AddParameter("turn-secret", secret: true);
        var chat = builder.AddProsody("chat").WithExternalTurn("turn.example.com", 3479, secret);
        using var app = builder.Build();

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);

        Assert.Equal("turn.example.com", environment["PROSODY_TURN_HOST"]);
        Assert.Equal("3479", environment["PROSODY_TURN_PORT"]);
        Assert.Same(secret.Resource, environment["PROSODY_TURN_SECRET"]);
        Assert.Empty(app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<CoturnResource>());
        Assert.DoesNotContain("turn_external_tcp", await app.FileTextAsync(chat.Resource, "/etc/prosody/conf.d", "aspire.cfg.lua"));
    }

    [Theory]
    [InlineData(49170, 49160)]
    [InlineData(49160, 49300)]
    [InlineData(0, 10)]
    [InlineData(65530, 65536)]
    public void AnEmptyInvertedOrLargeRelayRangeIsRejected(int min, int max)
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TestModel.CreateBuilder().AddProsody("chat").WithTurnServer(relayPortMin: min, relayPortMax: max));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(70000)]
    [InlineData(49165)]
    public void ATurnPortOutsideTheValidRangeOrInsideTheRelayRangeIsRejected(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>("port", () => TestModel.CreateBuilder().AddProsody("chat").WithTurnServer(port: port));
        if (port is < 1 or > 65535)
        {
            var builder = TestModel.CreateBuilder();
            Assert.Throws<ArgumentOutOfRangeException>("port", () => builder.AddProsody("chat").WithExternalTurn("turn.example.com", port, builder.AddParameter("s", secret: true)));
        }
    }

    [Fact]
    public void AGeneratedSecretWithSpecialCharactersIsRejected()
    {
        // In run mode the generator sits behind the user-secrets wrapper; there the container's own check refuses it at start.
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var secret = builder.CreateResourceBuilder(ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, "special-secret"));

        var error = Assert.Throws<ArgumentException>("secret", () => builder.AddProsody("chat").WithTurnServer(secret: secret));
        Assert.Contains("special: false", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("turn example.com")]
    [InlineData("chat-turn.dev.internal\n")]
    [InlineData("$(reboot)")]
    [InlineData("::1%;reboot")]
    [InlineData("::1%`id`")]
    public void AnInvalidTurnAddressIsRejected(string address)
    {
        var builder = TestModel.CreateBuilder();
        Assert.ThrowsAny<ArgumentException>(() => builder.AddProsody("a").WithTurnServer(externalAddress: address));
        Assert.ThrowsAny<ArgumentException>(() => builder.AddProsody("b").WithExternalTurn(address, 3478, builder.AddParameter("s" + address.Length, secret: true)));
    }
}
