using System.Globalization;
using System.Net.Sockets;
using Aspire.Hosting.Prosody.Turn;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    // Docker and Podman publish each port of a range separately; a large range slows container start a lot.
    private const int MaxRelayPorts = 100;

    /// <summary>
    /// Adds a coturn TURN server for audio and video calls and wires it to Prosody with one generated secret:
    /// Prosody's <c>PROSODY_TURN_SECRET</c> and coturn's <c>static-auth-secret</c> (TURN REST API) always agree.
    /// </summary>
    /// <param name="builder">The Prosody resource builder.</param>
    /// <param name="port">The host port of TURN over UDP and TCP (both 3478 in the container). It is published
    /// as is (not proxied), because clients outside the container network must reach it at the port Prosody advertises.</param>
    /// <param name="relayPortMin">The first relay port; relay ports are published one to one.</param>
    /// <param name="relayPortMax">The last relay port; at most 100 ports.</param>
    /// <param name="externalAddress">The address clients reach TURN and its relay ports at (coturn's
    /// <c>--external-ip</c> and Prosody's <c>PROSODY_TURN_HOST</c>). Null means <c>127.0.0.1</c> in run mode, and in
    /// publish mode the value of the parameter <c>{containerName}-external-address</c> that the deployment supplies
    /// (an IP address; coturn refuses to start with anything else).</param>
    /// <param name="secret">The shared secret; null generates one. It must be letters and digits only, because
    /// coturn's configuration and entrypoint would mangle other characters.</param>
    /// <param name="configureContainer">Configures the coturn container further.</param>
    /// <param name="containerName">The coturn resource name; by default <c>{name}-turn</c>.</param>
    /// <returns>The Prosody resource builder.</returns>
    /// <remarks>
    /// The coturn container never receives the secret on its command line: it arrives in an environment variable and
    /// a shell writes it to a configuration file readable only by coturn. Its health check sends a STUN Binding
    /// request, and it appears in the dashboard under the Prosody resource. In run mode the relay ports are published
    /// one to one on loopback; a published model lists each as a UDP endpoint (<c>relay-{port}</c>) for the platform
    /// to expose.
    /// </remarks>
    [AspireExport(RunSyncOnBackgroundThread = true)]
    public static IResourceBuilder<ProsodyResource> WithTurnServer(
        this IResourceBuilder<ProsodyResource> builder,
        int port = CoturnCommandLine.ListeningPort,
        int relayPortMin = 49160,
        int relayPortMax = 49169,
        string? externalAddress = null,
        IResourceBuilder<ParameterResource>? secret = null,
        Action<IResourceBuilder<CoturnResource>>? configureContainer = null,
        string? containerName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ValidateTurnPorts(port, relayPortMin, relayPortMax);
        if (externalAddress is not null)
        {
            ProsodyValidation.Address(externalAddress, nameof(externalAddress));
        }

        var prosody = builder.Resource;
        var name = containerName ?? $"{prosody.Name}-turn";
        var sharedSecret = TurnSecret(builder.ApplicationBuilder, name, secret);
        WithdrawTurn(builder);
        var advertisedAddress = ProsodyConfiguration.TurnAddress(prosody, externalAddress);
        var turn = new CoturnResource(name, sharedSecret)
        {
            RelayPortMin = relayPortMin,
            RelayPortMax = relayPortMax,
            ExternalAddress = advertisedAddress,
            // A deployment's public address is known where it deploys, not where the app model is written.
            ExternalAddressParameter = advertisedAddress is null
                ? builder.ApplicationBuilder.AddParameter($"{name}-external-address")
                    .WithDescription($"The public IP address clients reach the TURN server '{name}' and its relay ports at.").Resource
                : null,
        };

        var (turnBuilder, healthCheck) = AddCoturnContainer(builder.ApplicationBuilder, turn, prosody, port);
        configureContainer?.Invoke(turnBuilder);

        var clientEndpoint = new EndpointReference(turn, CoturnResource.TcpEndpointName, KnownNetworkIdentifiers.LocalhostNetwork);
        prosody.Settings.Turn = new ProsodyTurn(
            advertisedAddress is not null ? advertisedAddress : turn.ExternalAddressParameter!,
            clientEndpoint.Property(EndpointProperty.Port),
            sharedSecret,
            Tcp: true)
        {
            ContainerNetworkEndpoint = new EndpointReference(turn, CoturnResource.TcpEndpointName, KnownNetworkIdentifiers.DefaultAspireContainerNetwork),
            Container = turn,
            ContainerHealthCheck = healthCheck,
        };
        return builder;
    }

    private static void ValidateTurnPorts(int port, int relayPortMin, int relayPortMax)
    {
        ProsodyValidation.Port(port, nameof(port));
        ProsodyValidation.Port(relayPortMin, nameof(relayPortMin));
        ProsodyValidation.Port(relayPortMax, nameof(relayPortMax));
        if (relayPortMin > relayPortMax || relayPortMax - relayPortMin + 1 > MaxRelayPorts)
        {
            throw new ArgumentOutOfRangeException(nameof(relayPortMax), relayPortMax,
                $"The relay port range {relayPortMin}-{relayPortMax} must not be empty or inverted, and hold at most {MaxRelayPorts} ports (for example 49160-49169).");
        }

        if (port >= relayPortMin && port <= relayPortMax)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, $"The TURN port must lie outside the relay port range {relayPortMin}-{relayPortMax}.");
        }
    }

    /// <summary>The secret both sides share: the given parameter, or a generated one coturn can read.</summary>
    private static ParameterResource TurnSecret(IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource>? secret)
    {
        var sharedSecret = secret?.Resource
            ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-secret", special: false);
        if (sharedSecret.Default is GenerateParameterDefault { Special: true })
        {
            throw new ArgumentException(
                $"The parameter '{sharedSecret.Name}' generates secrets with special characters, which coturn would mangle. Generate it with special: false.", nameof(secret));
        }

        return sharedSecret;
    }

    /// <summary>The coturn container: its endpoints, its command (<see cref="CoturnCommandLine"/>), its health check.</summary>
    private static (IResourceBuilder<CoturnResource> Container, HealthCheckRegistration HealthCheck) AddCoturnContainer(IDistributedApplicationBuilder builder, CoturnResource turn, ProsodyResource prosody, int port)
    {
        var healthCheckKey = $"{turn.Name}_check";
        var healthCheck = new HealthCheckRegistration(healthCheckKey, _ => new CoturnHealthCheck(turn), failureStatus: default, tags: default);
        builder.Services.AddHealthChecks().Add(healthCheck);

        var turnBuilder = builder.AddResource(turn)
            .WithImage(CoturnContainerImageTags.Image, CoturnContainerImageTags.Tag)
            .WithImageRegistry(CoturnContainerImageTags.Registry)
            .WithIconName("CallConnecting")
            .WithEndpoint(port: port, targetPort: CoturnCommandLine.ListeningPort, scheme: "turn", name: CoturnResource.TcpEndpointName, isProxied: false)
            .WithEndpoint(port: port, targetPort: CoturnCommandLine.ListeningPort, scheme: "turn", name: CoturnResource.UdpEndpointName, isProxied: false, protocol: ProtocolType.Udp)
            // TURN has nothing to browse, and a TCP and a UDP endpoint on one port confuse the dashboard's URL list.
            .WithUrls(context => context.Urls.Clear())
            .WithEntrypoint("/bin/sh")
            .WithArgs(context =>
            {
                context.Args.Add("-c");
                context.Args.Add(CoturnCommandLine.Script(turn, prosody.Domain, turn.ExternalAddress));
            })
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables[CoturnCommandLine.SecretVariable] = turn.SecretParameter;
                if (turn.ExternalAddressParameter is { } address)
                {
                    context.EnvironmentVariables[CoturnCommandLine.ExternalAddressVariable] = address;
                }
            })
            .WithParentRelationship(prosody)
            .WithHealthCheck(healthCheckKey);
        PublishRelayPorts(turnBuilder, ProsodyConfiguration.PublishesRelayPortsAsEndpoints(prosody));
        return (turnBuilder, healthCheck);
    }

    /// <summary>
    /// Relayed media must reach the relay ports at the advertised address, so they are exposed one to one: in run
    /// mode as one runtime argument (an endpoint per port would be proxied and slow to start), when published as
    /// endpoints a platform exposes.
    /// </summary>
    private static void PublishRelayPorts(IResourceBuilder<CoturnResource> turnBuilder, bool asEndpoints)
    {
        var turn = turnBuilder.Resource;
        if (!asEndpoints)
        {
            turnBuilder.WithContainerRuntimeArgs(context =>
            {
                var range = $"{turn.RelayPortMin.ToString(CultureInfo.InvariantCulture)}-{turn.RelayPortMax.ToString(CultureInfo.InvariantCulture)}";
                context.Args.Add("--publish");
                context.Args.Add($"127.0.0.1:{range}:{range}/udp");
            });
            return;
        }

        for (var relayPort = turn.RelayPortMin; relayPort <= turn.RelayPortMax; relayPort++)
        {
            turnBuilder.WithEndpoint(port: relayPort, targetPort: relayPort, scheme: "udp", name: $"relay-{relayPort.ToString(CultureInfo.InvariantCulture)}", isProxied: false, protocol: ProtocolType.Udp);
        }
    }

    /// <summary>
    /// Hands clients credentials for a TURN service outside the app model that shares <paramref name="secret"/>
    /// with Prosody (TURN REST API, <c>use-auth-secret</c> in coturn, or eturnal).
    /// </summary>
    /// <param name="builder">The Prosody resource builder.</param>
    /// <param name="host">The TURN server's address as clients reach it (<c>PROSODY_TURN_HOST</c>).</param>
    /// <param name="port">Its port (<c>PROSODY_TURN_PORT</c>), 3478 by default.</param>
    /// <param name="secret">The shared secret (<c>PROSODY_TURN_SECRET</c>).</param>
    /// <param name="tcp">Whether to offer TURN over TCP as well as UDP.</param>
    /// <returns>The Prosody resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithExternalTurn(
        this IResourceBuilder<ProsodyResource> builder,
        string host,
        int port,
        IResourceBuilder<ParameterResource> secret,
        bool tcp = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ProsodyValidation.Address(host, nameof(host));
        ProsodyValidation.Port(port, nameof(port));
        ArgumentNullException.ThrowIfNull(secret);
        WithdrawTurn(builder);
        builder.Resource.Settings.Turn = new ProsodyTurn(host, port.ToString(CultureInfo.InvariantCulture), secret.Resource, tcp);
        return builder;
    }

    /// <summary>
    /// The last TURN call wins: the coturn container an earlier <see cref="WithTurnServer"/> added leaves the model
    /// with its health check and its external-address parameter, so no second TURN server starts and nobody is asked
    /// for a stale value. A secret parameter the app model passed in stays, as it is the app model's own.
    /// </summary>
    private static void WithdrawTurn(IResourceBuilder<ProsodyResource> builder)
    {
        if (builder.Resource.Settings.Turn is not { Container: { } container } previous)
        {
            builder.Resource.Settings.Turn = null;
            return;
        }

        var app = builder.ApplicationBuilder;
        app.Resources.Remove(container);
        if (container.ExternalAddressParameter is { } address)
        {
            app.Resources.Remove(address);
        }

        if (previous.ContainerHealthCheck is { } healthCheck)
        {
            // Registrations are collected by options callbacks in order, so a later callback can take one back out.
            app.Services.Configure<HealthCheckServiceOptions>(options => options.Registrations.Remove(healthCheck));
        }

        builder.Resource.Settings.Turn = null;
    }
}
