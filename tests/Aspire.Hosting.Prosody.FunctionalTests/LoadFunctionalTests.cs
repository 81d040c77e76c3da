using Aspire.Hosting.Prosody.Load;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Load: 200 clients sign in at once and exchange messages, through a server with run mode's defaults and through
/// one configured as publish mode would configure it (applied in run mode, see <see cref="ChatLoad.AddPublishLikeProsody"/>),
/// in one app. Nothing may be refused, lost, duplicated or reordered, and run mode must not throttle a client the way
/// Prosody's default per-client limit (10kb/s, which publish mode keeps) does. The figures are printed here and
/// measured properly by the benchmark (<c>--only load</c>, bench/README.md).
/// </summary>
[RequiresContainers(ContainerImage.Prosody)]
public class LoadFunctionalTests
{
    private const int Clients = 200;
    private const int MessagesPerClient = 25;

    /// <summary>A client that sends this much in one go (a file-share link list, a vCard avatar, a bot's burst) should not wait.</summary>
    private const int BurstMessages = 48;

    /// <summary>
    /// Below this a single client's upload counts as throttled. Under Prosody's c2s default of 10kb/s (plus its burst
    /// allowance) the ~55 KB burst cannot arrive faster than about 16 KB/s; run mode's limit is 10mb/s, so the burst
    /// only has to arrive within 1.8 s: a stall on a loaded machine cannot move a result across the line.
    /// </summary>
    private const double ThrottledBelowKilobytesPerSecond = 30;


    [Fact]
    public async Task TwoHundredClientsSignInAndExchangeMessagesWithoutRefusalOrLossUnderRunAndPublishDefaults()
    {
        var builder = TestApp.CreateBuilder();
        var password = builder.AddPassword("load-password");
        var run = builder.AddProsody("chatrun").WithLoadUsers(Clients, password);
        var certificates = Directory.CreateTempSubdirectory("prosody-load-cert-");
        using var cleanup = certificates.DeleteWhenDisposed();
        var publish = builder.AddPublishLikeProsody("chatpub", certificates).WithLoadUsers(Clients, password);
        await using var app = await builder.StartAsync("chatrun", "chatpub");
        var secret = await password.ValueAsync();

        // What separates the two configurations on the wire (the unit tests compare the generated settings).
        await AssertSecureDefaultsDifferAsync(run.Resource, publish.Resource);

        // Every client validates the certificate: the developer certificate (or the AppHost's self-signed one), and the deployment-like one.
        using var publishCertificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(certificates.FullName, "chatpub.crt"), Cancel));
        var runRound = await ChatLoad.RunRoundAsync(ChatLoad.RunDefaults, 1, run.Resource, secret, Clients, MessagesPerClient, BurstMessages, Log,
            ServerCertificateTrust.Anchor(run.Resource), Cancel);
        var publishRound = await ChatLoad.RunRoundAsync(ChatLoad.PublishDefaults, 1, publish.Resource, secret, Clients, MessagesPerClient, BurstMessages, Log,
            publishCertificate, Cancel);
        var report = ChatLoad.Report(runRound, publishRound);
        Log(report);
        TestContext.Current.SendDiagnosticMessage(report);

        // Everyone signed in; nothing lost, duplicated or reordered, in either configuration.
        Assert.All([runRound, publishRound], r => Assert.Equal((Clients, 0, 0, 0), (r.SignedIn, r.Refused, r.Lost, r.Disordered)));

        // Not throttled in run mode: a developer's client, bot or test that sends more than a few kilobytes must not
        // crawl. Publish mode keeps Prosody's limit, and the publish-like server shows that the measurement can tell.
        Assert.True(runRound.BurstKilobytesPerSecond >= ThrottledBelowKilobytesPerSecond,
            $"Run mode throttles a single client to {runRound.BurstKilobytesPerSecond:0.0} KB/s: Prosody's mod_limits default c2s rate of 10kb/s applies in run mode." + Environment.NewLine + report);
        Assert.True(publishRound.BurstKilobytesPerSecond < ThrottledBelowKilobytesPerSecond,
            $"The publish-like server should keep Prosody's 10kb/s per-client limit, but one client uploaded {publishRound.BurstKilobytesPerSecond:0.0} KB/s." + Environment.NewLine + report);
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

}
