using System.Net;
using System.Net.Sockets;
using Aspire.Hosting.Prosody.Configuration;
using Aspire.Hosting.Prosody.Tls;
using Aspire.Prosody.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.Benchmarks;

internal sealed record LagSample(TimeSpan Lag, TimeSpan RunningToFirstAnswer, TimeSpan RunningToHealthy, int ProbeAttempts);

internal sealed record LoginSample(TimeSpan StartToLogin, TimeSpan StartToReady, int FailedAttempts, bool Tls);

/// <summary>A built (not yet started) app and its Prosody resource.</summary>
internal sealed record ChatApp(DistributedApplication App, ProsodyResource Resource);

/// <summary>One app model per measurement, started for real and disposed afterwards.</summary>
internal sealed class Scenarios(BenchmarkOptions options)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private const string User = "alice";

    /// <summary>(a) From the first XMPP answer seen by an external probe to the first snapshot in which Aspire reports Healthy.</summary>
    public async Task<LagSample> MeasureLagAsync()
    {
        using var limit = new CancellationTokenSource(Limit);
        var (chat, port, password) = await BuildChatAsync(limit.Token);
        await using var app = chat.App;

        var watch = WatchAsync(app, "chat", limit.Token);
        var probe = XmppAnswerProbe.FirstAnswerAsync("127.0.0.1", port, chat.Resource.Domain, options.ProbeInterval, limit.Token);
        await app.StartAsync(limit.Token);
        var (running, healthy) = await watch;
        var (answered, attempts) = await probe;
        await app.StopAsync(CancellationToken.None);
        return new(Elapsed(answered, healthy), Elapsed(running, answered), Elapsed(running, healthy), attempts);
    }

    /// <summary>(b) AddProsody: from StartAsync to a signed-in client, signing in once Aspire reports the resource healthy.</summary>
    public async Task<LoginSample> MeasureProsodyLoginAsync()
    {
        using var limit = new CancellationTokenSource(Limit);
        var (chat, port, password) = await BuildChatAsync(limit.Token);
        await using var app = chat.App;

        var start = Stopwatch.GetTimestamp();
        var starting = app.StartAsync(limit.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("chat", limit.Token);
        var ready = Stopwatch.GetTimestamp();
        var (failed, tls) = await SignInAsync("127.0.0.1", port, chat.Resource.Domain, password, () => TrustAnchor(app, chat.Resource), limit.Token);
        var signedIn = Stopwatch.GetTimestamp();
        await starting;
        await app.StopAsync(CancellationToken.None);
        return new(Elapsed(start, signedIn), Elapsed(start, ready), failed, tls);
    }

    /// <summary>
    /// (b) The floor: the same image as a bare container with only what the same client needs to sign in the same
    /// way (STARTTLS, then SCRAM): the host, one account and a self-signed certificate for the host, made at start as
    /// AddProsody makes its own. No health check; sign-in is attempted in a tight loop from StartAsync on.
    /// </summary>
    public async Task<LoginSample> MeasureFloorLoginAsync()
    {
        using var limit = new CancellationTokenSource(Limit);
        var port = FreePort();
        var builder = CreateBuilder();
        var password = Secret();
        const string domain = "floor.dev.localhost";
        var (registry, image, tag) = SplitImage(options.Image);
        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        X509Certificate2? floorCertificate = null;
        builder.AddContainer("floor", image, tag)
            .WithImageRegistry(registry)
            .WithEndpoint(port: port, targetPort: 5222, name: "c2s", scheme: "tcp")
            .WithEnvironment("PROSODY_VIRTUAL_HOSTS", domain)
            // The image's entrypoint registers LOCAL@DOMAIN with PASSWORD before it starts Prosody.
            .WithEnvironment("LOCAL", User)
            .WithEnvironment("DOMAIN", domain)
            .WithEnvironment("PASSWORD", password)
            // Prosody offers STARTTLS without a certificate, but the handshake then fails ("no shared cipher").
            .WithContainerFiles("/etc/prosody/certs", (_, _) =>
            {
                var (certificate, key) = SelfSignedCertificate(domain);
                floorCertificate = X509Certificate2.CreateFromPem(certificate);
                return Task.FromResult<IEnumerable<ContainerFileSystemItem>>(
                [
                    new ContainerFile { Name = $"{domain}.crt", Contents = certificate, Mode = readable },
                    new ContainerFile { Name = $"{domain}.key", Contents = key, Mode = readable },
                ]);
            });
        await using var app = await builder.BuildAsync(limit.Token);

        var start = Stopwatch.GetTimestamp();
        var starting = app.StartAsync(limit.Token);
        var (failed, tls) = await SignInAsync("127.0.0.1", port, domain, password, () => floorCertificate, limit.Token);
        var signedIn = Stopwatch.GetTimestamp();
        await starting;
        await app.StopAsync(CancellationToken.None);
        return new(Elapsed(start, signedIn), Elapsed(start, signedIn), failed, tls);
    }

    public static (string Certificate, string Key) SelfSignedCertificate(string domain)
    {
        var now = DateTimeOffset.UtcNow;
        var (certificate, key) = CertificateFactory.SelfSigned(domain, [domain], now.AddMinutes(-5), now.AddDays(1));
        using (certificate)
        {
            return (certificate.ExportCertificatePem() + "\n", key + "\n");
        }
    }

    /// <summary>
    /// Signs in with Aspire.Prosody.Client (STARTTLS with the certificate validated, SCRAM, bind), one attempt at a time
    /// in a tight loop, and counts the failed attempts. <paramref name="anchor"/> is asked on each attempt: the server's
    /// certificate may only exist once its container does.
    /// </summary>
    private static async Task<(int Failed, bool Tls)> SignInAsync(string host, int port, string domain, string password, Func<X509Certificate2?> anchor, CancellationToken cancellationToken)
    {
        var failed = 0;
        while (true)
        {
            var clientOptions = new XmppClientOptions
            {
                Host = host,
                Port = port,
                Domain = domain,
                Username = User,
                Password = password,
                ConnectTimeout = TimeSpan.FromSeconds(2),
                MaxReconnectAttempts = 0,
            };
            try
            {
                if (anchor() is { } certificate)
                {
                    clientOptions.TrustedCertificates.Add(certificate);
                }

                await using var client = new XmppClient(clientOptions);
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                return (failed, true); // the package signs in over TLS only
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not XmppAuthenticationException)
            {
                failed++;
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// What a client of an AddProsody resource in run mode trusts: the certificate the AppHost gave it (the .NET
    /// developer certificate when it names the domain, otherwise the AppHost's self-signed one, made when the container
    /// is created). The functional tests' ServerCertificateTrust does the same for apps made with TestApp.
    /// </summary>
    public static X509Certificate2? TrustAnchor(DistributedApplication app, ProsodyResource prosody)
    {
        if (!ProsodyConfiguration.For(prosody).UsesAspireServerCertificate)
        {
            return null;
        }

        if (AspireServerCertificate.Find(prosody, app.Services) is { } aspire && AspireServerCertificate.NamesDomain(aspire, prosody.Domain))
        {
            return X509CertificateLoader.LoadCertificate(aspire.RawData);
        }

        return app.Services.GetRequiredService<IConfiguration>()[DevelopmentCertificate.ConfigurationKey(prosody.Name, prosody.Domain)] is { Length: > 0 } pem
            ? X509Certificate2.CreateFromPem(pem)
            : null;
    }

    /// <summary>Timestamps of the first snapshot in which the resource is Running and of the first in which it is Healthy.</summary>
    private static async Task<(long Running, long Healthy)> WatchAsync(DistributedApplication app, string resourceName, CancellationToken cancellationToken)
    {
        long running = 0;
        await foreach (var resourceEvent in app.ResourceNotifications.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (resourceEvent.Resource.Name != resourceName)
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            if (running == 0 && resourceEvent.Snapshot.State?.Text == KnownResourceStates.Running)
            {
                running = now;
            }

            if (resourceEvent.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                return (running == 0 ? now : running, now);
            }
        }

        throw new OperationCanceledException();
    }

    /// <summary>The app both (a) and (b) measure: AddProsody on a fixed free port, with one account.</summary>
    private async Task<(ChatApp Chat, int Port, string Password)> BuildChatAsync(CancellationToken cancellationToken)
    {
        var port = FreePort();
        var builder = CreateBuilder();
        var password = Secret();
        var chat = builder.AddProsody("chat", port: port).WithUser(User, builder.AddParameter("alice-password", password, secret: true));
        return (new ChatApp(await builder.BuildAsync(cancellationToken), chat.Resource), port, password);
    }

    public IDistributedApplicationTestingBuilder CreateBuilder()
    {
        var builder = DistributedApplicationTestingBuilder.Create([], (appOptions, _) => appOptions.DisableDashboard = true);
        // The testing builder moves every fixed proxied port to a random one; the probe must know the port before the start.
        builder.Configuration["DcpPublisher:RandomizePorts"] = "false";
        builder.Services.AddLogging(logging =>
        {
            logging.ClearProviders();
            if (options.Verbose)
            {
                logging.AddSimpleConsole();
                logging.SetMinimumLevel(LogLevel.Warning);
            }
        });
        return builder;
    }

    private static (string Registry, string Image, string Tag) SplitImage(string reference)
    {
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        var colon = reference.LastIndexOf(':');
        return (reference[..slash], reference[(slash + 1)..colon], reference[(colon + 1)..]);
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static TimeSpan Elapsed(long from, long to) => Stopwatch.GetElapsedTime(from, to);
}
