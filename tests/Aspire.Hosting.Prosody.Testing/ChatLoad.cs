using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using Aspire.Prosody.Client;

namespace Aspire.Hosting.Prosody.Load;

/// <summary>
/// The load scenario shared by the load functional test (which checks that nothing is refused, lost or reordered)
/// and the benchmark (which prints the figures): many clients sign in at once, exchange messages in a ring, and one
/// client sends a burst, against a server with run mode's defaults and one configured as publish mode would be.
/// </summary>
internal static class ChatLoad
{
    /// <summary>About 1 KiB per message: a realistic chat line with markup, and enough bytes to meet a bandwidth limit.</summary>
    private static readonly string Filler = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 36));

    /// <summary>How long a sign-in, or the wait for the next expected message, may take on a loaded machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public const string RunDefaults = "run defaults";
    public const string PublishDefaults = "publish defaults";

    public static string UserName(int i) => $"user{i:000}";

    /// <summary>Declares <paramref name="clients"/> accounts sharing one password.</summary>
    public static IResourceBuilder<ProsodyResource> WithLoadUsers(this IResourceBuilder<ProsodyResource> server, int clients, IResourceBuilder<ParameterResource> password)
    {
        for (var i = 0; i < clients; i++)
        {
            server.WithUser(UserName(i), password);
        }

        return server;
    }

    /// <summary>
    /// Publish mode's configuration, applied in run mode so that it can run here: no metrics (publish mode's default),
    /// no sign-in over plain websocket/BOSH (consider_*_secure are run-mode only; the override restores Prosody's
    /// default), a certificate the deployment brings instead of the development certificate, and Prosody's own client
    /// bandwidth limit (publish mode sets none, so the image's 10kb/s applies; run mode sets 10mb/s). Everything else
    /// is generated identically in both modes (the secure-defaults unit tests list every difference).
    /// </summary>
    public static IResourceBuilder<ProsodyResource> AddPublishLikeProsody(this IDistributedApplicationBuilder builder, string name, DirectoryInfo certificates)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}.dev.localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName($"{name}.dev.localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var certificatePath = Path.Combine(certificates.FullName, $"{name}.crt");
        var keyPath = Path.Combine(certificates.FullName, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());

        return builder.AddProsody(name)
            .WithMetrics(false)
            .WithRateLimits(clientToServer: "10kb/s")
            .WithCertificate(certificatePath, keyPath)
            .WithExtraConfiguration("consider_websocket_secure = false\nconsider_bosh_secure = false");
    }

    /// <summary>
    /// One round against one server with Aspire.Prosody.Client, the client a service uses: <paramref name="clients"/>
    /// clients sign in at once (TCP to the published c2s port, STARTTLS with the certificate validated against
    /// the system store and <paramref name="trustedCertificate"/>, SCRAM, binding, stream management, presence); each sends
    /// <paramref name="messagesPerClient"/> messages of about 1 KiB to the next one's full JID and waits for all of its
    /// predecessor's; then the first client sends <paramref name="burstMessages"/> messages to the second, timed until
    /// all have arrived. A sign-in is tried once: a refusal is counted, not retried.
    /// </summary>
    public static Task<ChatLoadRound> RunRoundAsync(
        string configuration, int round, ProsodyResource server, string password,
        int clients, int messagesPerClient, int burstMessages, Action<string> log, X509Certificate2? trustedCertificate, CancellationToken cancellationToken) =>
        RunRoundAsync(configuration, round, new ChatTarget(server.PrimaryEndpoint.Host, server.PrimaryEndpoint.Port, server.Domain), password,
            clients, messagesPerClient, burstMessages, log, trustedCertificate, cancellationToken);

    /// <summary>The same round against any server that has the load accounts: one outside the app model too.</summary>
    public static async Task<ChatLoadRound> RunRoundAsync(
        string configuration, int round, ChatTarget server, string password,
        int clients, int messagesPerClient, int burstMessages, Action<string> log, X509Certificate2? trustedCertificate, CancellationToken cancellationToken)
    {
        XmppClientOptions Options(int i)
        {
            var options = new XmppClientOptions
            {
                Host = server.Host,
                Port = server.Port,
                Domain = server.Domain,
                Username = UserName(i),
                Password = password,
                ConnectTimeout = Patience,
                MaxReconnectAttempts = 0,
            };
            if (trustedCertificate is not null)
            {
                options.TrustedCertificates.Add(trustedCertificate);
            }
            return options;
        }

        var clock = Stopwatch.StartNew();
        var attempts = await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            var client = new XmppClient(Options(i));
            try
            {
                await client.ConnectAsync(cancellationToken);
                return (Client: client, Error: (string?)null);
            }
            catch (Exception error) when (error is XmppException or TimeoutException or IOException or System.Net.Sockets.SocketException)
            {
                await client.DisposeAsync();
                return (Client: (XmppClient?)null, Error: $"{UserName(i)}: {error.GetType().Name}: {error.Message}");
            }
        }));
        var loginSeconds = clock.Elapsed.TotalSeconds;
        var signedIn = attempts.Select(a => a.Client).OfType<XmppClient>().ToList();
        var refused = attempts.Where(a => a.Error is not null).Select(a => a.Error!).ToList();
        foreach (var error in refused.Take(5))
        {
            log($"refused: {error}");
        }

        try
        {
            if (signedIn.Count != clients)
            {
                // Without every client the ring and the burst mean nothing: report the refusals only.
                return new(configuration, round, signedIn.Count, refused.Count, loginSeconds, 0, 0, 0, 0, 0, []);
            }

            clock.Restart();
            var receiving = signedIn.Select((client, i) => ReceiveAsync(client, JidOf(signedIn[(i + clients - 1) % clients]), messagesPerClient, round, cancellationToken)).ToList();
            await Task.WhenAll(signedIn.Select(async (client, i) =>
            {
                var to = JidOf(signedIn[(i + 1) % clients]);
                for (var m = 0; m < messagesPerClient; m++)
                {
                    await client.SendMessageAsync(to, Body(round, m), cancellationToken: cancellationToken);
                }
            }));
            var received = await Task.WhenAll(receiving);
            var messageSeconds = clock.Elapsed.TotalSeconds;
            var latencies = received.SelectMany(r => r.Latencies).Order().ToArray();

            // One client's sustained upload: the burst is tagged with its own round number so the ring's messages never match.
            var (sender, receiver) = (signedIn[0], signedIn[1]);
            var burstRound = round + 1000;
            var burstBytes = 0;
            clock.Restart();
            var burstReceived = ReceiveAsync(receiver, JidOf(sender), burstMessages, burstRound, cancellationToken);
            for (var m = 0; m < burstMessages; m++)
            {
                var body = Body(burstRound, m);
                burstBytes += Encoding.UTF8.GetByteCount(body) + 150; // the message element around the body
                await sender.SendMessageAsync(JidOf(receiver), body, cancellationToken: cancellationToken);
            }

            var burst = await burstReceived;
            var burstSeconds = clock.Elapsed.TotalSeconds;
            return new(configuration, round, signedIn.Count, refused.Count, loginSeconds, clients * messagesPerClient, messageSeconds,
                received.Sum(r => r.Lost) + burst.Lost, received.Sum(r => r.Disordered) + burst.Disordered, burstBytes / 1024.0 / burstSeconds, latencies);
        }
        finally
        {
            await Task.WhenAll(signedIn.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    /// <summary>One round of each configuration and the ratios between them, as the load test prints them.</summary>
    public static string Report(ChatLoadRound run, ChatLoadRound publish) => string.Create(CultureInfo.InvariantCulture,
        $"{run}{Environment.NewLine}{publish}{Environment.NewLine}" +
        $"ratio run/publish: logins {run.LoginsPerSecond / publish.LoginsPerSecond:0.00}, messages {run.MessagesPerSecond / publish.MessagesPerSecond:0.00}, " +
        $"one client's upload {run.BurstKilobytesPerSecond / publish.BurstKilobytesPerSecond:0.00}");

    // The send time rides in the body (sender and receiver share this process's clock), so delivery latency is
    // measured per message from the send call to the moment the receiver has parsed it.
    private static string Body(int round, int message) => $"round {round} message {message} sent {Stopwatch.GetTimestamp()} {Filler}";

    /// <summary>
    /// Waits for <paramref name="count"/> messages of this round from one sender, each within <see cref="Patience"/>;
    /// counts the missing and the out of order, and returns each delivered message's latency in milliseconds.
    /// </summary>
    private static async Task<(int Lost, int Disordered, List<double> Latencies)> ReceiveAsync(XmppClient client, Jid from, int count, int round, CancellationToken cancellationToken)
    {
        var prefix = $"round {round} message ";
        var expected = 0;
        var disordered = 0;
        var latencies = new List<double>(count);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        try
        {
            await foreach (var message in client.ReceiveMessagesAsync(patience.Token))
            {
                if (message.From != from || !message.Body.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var received = Stopwatch.GetTimestamp();
                patience.CancelAfter(Patience);
                var words = message.Body[prefix.Length..].Split(' ', 4);
                var number = int.Parse(words[0], CultureInfo.InvariantCulture);
                latencies.Add(Stopwatch.GetElapsedTime(long.Parse(words[2], CultureInfo.InvariantCulture), received).TotalMilliseconds);
                disordered += number == expected ? 0 : 1;
                expected = Math.Max(expected, number) + 1;
                if (expected >= count)
                {
                    break;
                }
            }

            return (count - expected, disordered, latencies);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (count - expected, disordered, latencies);
        }
    }

    // Signed in, so bound: the full JID the ring addresses.
    private static Jid JidOf(XmppClient client) => client.Jid ?? throw new InvalidOperationException("The client is not signed in.");

    /// <summary>The value below which <paramref name="fraction"/> of the sorted values lie (nearest rank).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>Where a load round connects: the c2s address and the XMPP domain.</summary>
internal sealed record ChatTarget(string Host, int Port, string Domain);

/// <summary>What one round measured against one server.</summary>
internal sealed record ChatLoadRound(
    string Configuration, int Round, int SignedIn, int Refused, double LoginSeconds, int Messages, double MessageSeconds, int Lost, int Disordered, double BurstKilobytesPerSecond,
    IReadOnlyList<double> SortedLatencies)
{
    public double LoginsPerSecond => SignedIn / LoginSeconds;

    public double MessagesPerSecond => MessageSeconds > 0 ? Messages / MessageSeconds : 0;

    /// <summary>Median delivery latency of the ring's messages (send call → parsed by the receiver), in ms.</summary>
    public double LatencyP50 => ChatLoad.Percentile(SortedLatencies, 0.50);

    /// <summary>99th percentile of the ring's delivery latency, in ms.</summary>
    public double LatencyP99 => ChatLoad.Percentile(SortedLatencies, 0.99);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Configuration}, round {Round}: {SignedIn} signed in ({Refused} refused) in {LoginSeconds:0.00} s = {LoginsPerSecond:0.0} logins/s; " +
        $"{Messages} messages in {MessageSeconds:0.00} s = {MessagesPerSecond:0} messages/s, latency p50 {LatencyP50:0} ms p99 {LatencyP99:0} ms; lost {Lost}, out of order {Disordered}; " +
        $"one client's upload {BurstKilobytesPerSecond:0.0} KB/s");
}
