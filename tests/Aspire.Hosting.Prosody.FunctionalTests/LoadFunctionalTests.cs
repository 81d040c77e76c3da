using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using XmppTestClient;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Load: 200 clients sign in at once and exchange messages, through a server with run mode's defaults and through
/// one configured as publish mode would configure it (applied in run mode, see <see cref="AddPublishLikeProsody"/>),
/// in one app, measured in alternating rounds. Prints logins/s, messages/s, a single client's sustained upload rate,
/// and the ratios between the two configurations. Publish mode keeps Prosody's per-client bandwidth limit (10kb/s),
/// run mode lifts it: the single-client upload shows the difference.
/// </summary>
public class LoadFunctionalTests
{
    private const int Clients = 200;
    private const int MessagesPerClient = 25;
    private const int Rounds = 2;

    /// <summary>About 1 KiB per message: a realistic chat line with markup, and enough bytes to meet a bandwidth limit.</summary>
    private static readonly string Filler = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 36));

    /// <summary>A client that sends this much in one go (a file-share link list, a vCard avatar, a bot's burst) should not wait.</summary>
    private const int BurstMessages = 48;

    /// <summary>Below this a single client's sustained upload counts as throttled (Prosody's c2s default is 10kb/s).</summary>
    private const double ThrottledBelowKilobytesPerSecond = 100;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoHundredClientsSignInAndExchangeMessagesWithoutRefusalOrLossUnderRunAndPublishDefaults()
    {
        var builder = TestApp.CreateBuilder();
        var password = builder.AddPassword("load-password");
        var run = builder.AddProsody("chatrun");
        var certificates = Directory.CreateTempSubdirectory("prosody-load-cert-");
        try
        {
            var publish = AddPublishLikeProsody(builder, "chatpub", certificates);
            foreach (var server in new[] { run, publish })
            {
                for (var i = 0; i < Clients; i++)
                {
                    server.WithUser(UserName(i), password);
                }
            }

            var clock = Stopwatch.StartNew();
            await using var app = await builder.StartAsync("chatrun", "chatpub");
            Log($"Both servers healthy with {Clients} accounts each {clock.Elapsed.TotalSeconds:0.0} s after the start.");
            var secret = await password.ValueAsync();

            // What separates the two configurations on the wire (the unit tests compare the generated settings).
            await AssertSecureDefaultsDifferAsync(run.Resource, publish.Resource);

            var results = new List<RoundResult>();
            for (var round = 1; round <= Rounds; round++)
            {
                foreach (var (name, server) in new[] { ("run defaults", run.Resource), ("publish defaults", publish.Resource) })
                {
                    var result = await RunRoundAsync(name, round, server, secret);
                    Log(result.ToString());
                    results.Add(result);
                }
            }

            var runBest = Best(results, "run defaults");
            var publishBest = Best(results, "publish defaults");
            var report = new StringBuilder()
                .AppendLine($"Load: {Clients} concurrent clients per server, {MessagesPerClient} messages of ~{Filler.Length} characters each, {Rounds} alternating rounds; best round of each:")
                .AppendLine($"  run defaults:     {runBest.LoginsPerSecond,8:0.0} logins/s {runBest.MessagesPerSecond,8:0} messages/s   single-client upload {runBest.BurstKilobytesPerSecond,8:0.0} KB/s")
                .AppendLine($"  publish defaults: {publishBest.LoginsPerSecond,8:0.0} logins/s {publishBest.MessagesPerSecond,8:0} messages/s   single-client upload {publishBest.BurstKilobytesPerSecond,8:0.0} KB/s")
                .AppendLine($"  ratio run/publish: logins {runBest.LoginsPerSecond / publishBest.LoginsPerSecond:0.00}, messages {runBest.MessagesPerSecond / publishBest.MessagesPerSecond:0.00}, upload {runBest.BurstKilobytesPerSecond / publishBest.BurstKilobytesPerSecond:0.00}")
                .Append($"  refused {results.Sum(r => r.Refused)}, lost {results.Sum(r => r.Lost)}, duplicated or out of order {results.Sum(r => r.Disordered)} over {results.Count} rounds");
            Log(report.ToString());
            TestContext.Current.SendDiagnosticMessage(report.ToString());

            // Nothing refused, nothing lost, in either configuration.
            Assert.All(results, r => Assert.Equal((0, 0, 0), (r.Refused, r.Lost, r.Disordered)));

            // Not throttled in run mode: a developer's client, bot or test that sends more than a few kilobytes must not
            // crawl. Prosody's mod_limits applies 10kb/s per client connection unless PROSODY_C2S_RATE_LIMIT says otherwise;
            // publish mode keeps that limit (the publish-like server measures it, so the measurement can tell).
            Assert.True(results.Where(r => r.Configuration == "run defaults").All(r => r.BurstKilobytesPerSecond >= ThrottledBelowKilobytesPerSecond),
                $"Run mode throttles a single client to {runBest.BurstKilobytesPerSecond:0.0} KB/s (threshold {ThrottledBelowKilobytesPerSecond} KB/s): Prosody's mod_limits " +
                "default c2s rate of 10kb/s applies in run mode." + Environment.NewLine + report);
            Assert.True(publishBest.BurstKilobytesPerSecond < ThrottledBelowKilobytesPerSecond,
                $"The publish-like server should keep Prosody's 10kb/s per-client limit, but one client uploaded {publishBest.BurstKilobytesPerSecond:0.0} KB/s." + Environment.NewLine + report);
        }
        finally
        {
            certificates.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Publish mode's configuration, applied in run mode so that it can run here: no metrics (publish mode's default),
    /// no sign-in over plain websocket/BOSH (consider_*_secure are run-mode only; the override restores Prosody's
    /// default), a certificate the deployment brings instead of the development certificate, and Prosody's own client
    /// bandwidth limit (publish mode sets none, so the image's 10kb/s applies; run mode sets 10mb/s). Everything else is generated identically in both modes (SecureDefaultsTests
    /// lists every difference).
    /// </summary>
    private static IResourceBuilder<ProsodyResource> AddPublishLikeProsody(IDistributedApplicationTestingBuilder builder, string name, DirectoryInfo certificates)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}.localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName($"{name}.localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var certificatePath = Path.Combine(certificates.FullName, "server.crt");
        var keyPath = Path.Combine(certificates.FullName, "server.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());

        return builder.AddProsody(name)
            .WithMetrics(false)
            .WithRateLimits(clientToServer: "10kb/s")
            .WithCertificate(certificatePath, keyPath)
            .WithExtraConfiguration("consider_websocket_secure = false\nconsider_bosh_secure = false");
    }

    /// <summary>
    /// Client encryption is required by both; in-band registration is closed on both (an anonymous attempt is refused
    /// and creates no account); metrics are served by the run-mode server only.
    /// </summary>
    private static async Task AssertSecureDefaultsDifferAsync(ProsodyResource run, ProsodyResource publish)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        foreach (var server in new[] { run, publish })
        {
            var plain = await XmppClient.GetStreamFeaturesAsync(server.PrimaryEndpoint.Host, server.PrimaryEndpoint.Port, server.Domain, afterStartTls: false, Cancel);
            Assert.Empty(plain.Descendants(XName.Get("mechanism", "urn:ietf:params:xml:ns:xmpp-sasl"))); // no password before TLS
            Assert.NotNull(plain.Element(XName.Get("starttls", "urn:ietf:params:xml:ns:xmpp-tls")));

            var registration = await LoadInBandRegistrationProbe.TryAsync(server.PrimaryEndpoint.Host, server.PrimaryEndpoint.Port, server.Domain, "intruder", "Intruder-Pass-1", Cancel);
            Log($"{server.Name}: in-band registration feature advertised: {registration.FeatureAdvertised}; form request answered {registration.FormAnswer}; registration answered {registration.RegistrationAnswer}");
            Assert.True(registration.RegistrationRefused, $"{server.Name} accepted an anonymous in-band registration: {registration.RegistrationAnswer}");
            var intruder = await Assert.ThrowsAsync<XmppAuthenticationException>(() => XmppClient.ConnectAsync(new XmppClientOptions
            {
                Host = server.PrimaryEndpoint.Host, Port = server.PrimaryEndpoint.Port, Domain = server.Domain, Username = "intruder", Password = "Intruder-Pass-1",
            }, Cancel));
            Assert.Equal("not-authorized", intruder.Condition);
        }

        var runMetrics = await http.GetAsync(new Uri($"{run.HttpEndpoint.Url}/metrics"), Cancel);
        var publishMetrics = await http.GetAsync(new Uri($"{publish.HttpEndpoint.Url}/metrics"), Cancel);
        Log($"GET /metrics: run defaults {(int)runMetrics.StatusCode}, publish defaults {(int)publishMetrics.StatusCode}");
        Assert.True(runMetrics.IsSuccessStatusCode);
        Assert.False(publishMetrics.IsSuccessStatusCode);
    }

    private static async Task<RoundResult> RunRoundAsync(string configuration, int round, ProsodyResource server, string password)
    {
        var options = new XmppClientOptions
        {
            Host = server.PrimaryEndpoint.Host,
            Port = server.PrimaryEndpoint.Port,
            Domain = server.Domain,
            Password = password,
            Timeout = TimeSpan.FromMinutes(2),
        };

        // All at once: TCP, STARTTLS, SCRAM, resource binding.
        var clock = Stopwatch.StartNew();
        var attempts = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async i =>
        {
            try
            {
                return (Client: await XmppClient.ConnectAsync(options with { Username = UserName(i) }, Cancel), Error: (string?)null);
            }
            catch (Exception error) when (error is XmppException or TimeoutException or IOException or System.Net.Sockets.SocketException)
            {
                return (Client: (XmppClient?)null, Error: $"{UserName(i)}: {error.GetType().Name}: {error.Message}");
            }
        }));
        var loginSeconds = clock.Elapsed.TotalSeconds;
        var clients = attempts.Select(a => a.Client).OfType<XmppClient>().ToList();
        var refused = attempts.Where(a => a.Error is not null).Select(a => a.Error!).ToList();
        foreach (var error in refused.Take(5))
        {
            Log($"refused: {error}");
        }

        try
        {
            // Each client sends its messages to the next one's full JID; each waits for all of its predecessor's.
            var (lost, disordered, messageSeconds) = (0, 0, 0.0);
            if (clients.Count == Clients)
            {
                clock.Restart();
                var receiving = clients.Select((client, i) => ReceiveAsync(client, clients[(i + Clients - 1) % Clients].Jid.ToString(), MessagesPerClient, round)).ToList();
                await Task.WhenAll(clients.Select(async (client, i) =>
                {
                    var to = clients[(i + 1) % Clients].Jid.ToString();
                    for (var m = 0; m < MessagesPerClient; m++)
                    {
                        await client.SendMessageAsync(to, $"round {round} message {m} {Filler}", cancellationToken: Cancel);
                    }
                }));
                var received = await Task.WhenAll(receiving);
                messageSeconds = clock.Elapsed.TotalSeconds;
                lost = received.Sum(r => r.Lost);
                disordered = received.Sum(r => r.Disordered);
            }

            // One client's sustained upload: a burst to its neighbour, timed until the neighbour has all of it.
            var (sender, receiver) = (clients[0], clients[1]);
            var burstBytes = 0;
            clock.Restart();
            var burstReceived = ReceiveAsync(receiver, sender.Jid.ToString(), BurstMessages, round + 1000);
            for (var m = 0; m < BurstMessages; m++)
            {
                var body = $"round {round + 1000} message {m} {Filler}";
                burstBytes += Encoding.UTF8.GetByteCount(body) + 150; // the message element around the body
                await sender.SendMessageAsync(receiver.Jid.ToString(), body, cancellationToken: Cancel);
            }

            var burst = await burstReceived;
            var burstSeconds = clock.Elapsed.TotalSeconds;
            return new(configuration, round, clients.Count, refused.Count, loginSeconds, Clients * MessagesPerClient, messageSeconds,
                lost + burst.Lost, disordered + burst.Disordered, burstBytes / 1024.0 / burstSeconds);
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Waits for <paramref name="count"/> messages of this round from one sender; counts the missing and the out of order.</summary>
    private static async Task<(int Lost, int Disordered)> ReceiveAsync(XmppClient client, string from, int count, int round)
    {
        var prefix = $"round {round} message ";
        var expected = 0;
        var disordered = 0;
        try
        {
            while (expected < count)
            {
                var message = await client.WaitForMessageAsync(m => m.IsFrom(from) && m.GetBody()?.StartsWith(prefix, StringComparison.Ordinal) == true, TimeSpan.FromMinutes(2), Cancel);
                var body = message.GetBody()!;
                var number = int.Parse(body[prefix.Length..body.IndexOf(' ', prefix.Length)], System.Globalization.CultureInfo.InvariantCulture);
                disordered += number == expected ? 0 : 1;
                expected = Math.Max(expected, number) + 1;
            }

            return (0, disordered);
        }
        catch (TimeoutException)
        {
            return (count - expected, disordered);
        }
    }

    private static RoundResult Best(IEnumerable<RoundResult> results, string configuration)
    {
        var rounds = results.Where(r => r.Configuration == configuration).ToList();
        return rounds[0] with
        {
            LoginSeconds = rounds.Min(r => r.LoginSeconds),
            MessageSeconds = rounds.Min(r => r.MessageSeconds),
            BurstKilobytesPerSecond = rounds.Max(r => r.BurstKilobytesPerSecond),
        };
    }

    private static string UserName(int i) => $"user{i:000}";

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");

    private sealed record RoundResult(string Configuration, int Round, int SignedIn, int Refused, double LoginSeconds, int Messages, double MessageSeconds, int Lost, int Disordered, double BurstKilobytesPerSecond)
    {
        public double LoginsPerSecond => SignedIn / LoginSeconds;

        public double MessagesPerSecond => MessageSeconds > 0 ? Messages / MessageSeconds : 0;

        public override string ToString() =>
            $"{Configuration}, round {Round}: {SignedIn} signed in ({Refused} refused) in {LoginSeconds:0.00} s = {LoginsPerSecond:0.0} logins/s; " +
            $"{Messages} messages in {MessageSeconds:0.00} s = {MessagesPerSecond:0} messages/s; lost {Lost}, out of order {Disordered}; " +
            $"one client's upload {BurstKilobytesPerSecond:0.0} KB/s";
    }
}
