using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// The Prosody health check under the real orchestrator: what Aspire reports while Prosody does not answer, what
/// <c>WaitFor</c> does with it, and which part of the check a failure names.
/// </summary>
[RequiresContainers(ContainerImage.Prosody)]
public class HealthFunctionalTests
{
    /// <summary>
    /// A dependent process that makes exactly one attempt, at its start, to open an XMPP stream to Prosody through the
    /// connection details it was given, and succeeds only if the stream features arrive. If <c>WaitFor</c> released it
    /// before Prosody answered, this single attempt would fail.
    /// </summary>
    private const string SingleAttemptClient = """
        echo "bot: opening an XMPP stream to $XMPP_HOST:$XMPP_PORT for $XMPP_DOMAIN"
        exec 3<>"/dev/tcp/$XMPP_HOST/$XMPP_PORT" || { echo 'bot: cannot connect'; exit 2; }
        printf "<?xml version='1.0'?><stream:stream to='%s' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" "$XMPP_DOMAIN" >&3
        reply=
        while IFS= read -r -d '>' -t 10 part <&3; do
          reply="$reply$part>"
          case "$reply" in *'</stream:features>'*) echo "bot: stream features received: $reply"; exit 0;; esac
        done
        echo "bot: no stream features, only: $reply"
        exit 3
        """;


    [Fact]
    public async Task UntilProsodyAnswersXmppTheResourceIsUnhealthyNamingTheStreamAndWaitForHoldsADependentWhoseOnlyAttemptThenSucceeds()
    {
        var gate = Directory.CreateTempSubdirectory("prosody-gate-");
        using var cleanup = gate.DeleteWhenDisposed();
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        chat.WithStartGate(gate);
        var bot = builder.AddExecutable("bot", "bash", gate.FullName, "-c", SingleAttemptClient)
            .WithEnvironment("XMPP_HOST", $"{chat.Resource.Host}")
            .WithEnvironment("XMPP_PORT", $"{chat.Resource.Port}")
            .WithEnvironment("XMPP_DOMAIN", chat.Resource.Domain)
            .WaitFor(chat);
        // StartAsync itself returns only once every resource is created, which for the bot means once WaitFor released it.
        await using var app = await builder.BuildAsync(Cancel);
        var starting = app.StartInBackground();

        // The container runs, but Prosody has not started: every check fails, naming the XMPP stream.
        var first = await app.WaitForReportAsync("chat", chat.CheckName(), HealthStatus.Unhealthy);
        var second = await app.WaitForReportAsync("chat", chat.CheckName(), HealthStatus.Unhealthy, after: first.LastRunAt);
        foreach (var report in new[] { first, second })
        {
            Assert.Contains("stream", report.Description, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("HTTP", report.Description, StringComparison.Ordinal);
        }

        Assert.Equal(HealthStatus.Unhealthy, app.Current("chat").Snapshot.HealthStatus);

        // Two failed rounds of checks later, the dependent has still not been started.
        var waiting = app.Current("bot").Snapshot;
        Assert.Equal(KnownResourceStates.Waiting, waiting.State?.Text);
        Assert.Null(waiting.StartTimeStamp);

        var clock = Stopwatch.StartNew();
        gate.Open();
        await app.WaitForReportAsync("chat", chat.CheckName(), HealthStatus.Healthy);
        Log($"Healthy {clock.ElapsedMilliseconds} ms after the start gate opened.");
        Assert.Equal(HealthStatus.Healthy, app.Current("chat").Snapshot.HealthStatus);

        // Released now, the dependent's one and only stream attempt gets the features.
        var finished = await app.WaitForAsync("bot", e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), "finished");
        Assert.Equal(0, finished.Snapshot.ExitCode);

        await starting;

        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        Assert.Equal("alice@chat.dev.localhost", alice.Jid.Bare.ToString());
    }

    [Fact]
    public async Task AStoppedProsodyIsNeverReportedHealthyAndAfterStartItIsUnhealthyUntilItAnswersXmppAgain()
    {
        var gate = Directory.CreateTempSubdirectory("prosody-gate-");
        using var cleanup = gate.DeleteWhenDisposed();
        gate.Open();
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        chat.WithStartGate(gate);
        await using var app = await builder.StartAsync("chat");
        var firstContainer = app.Current("chat").ContainerId();

        // Stopped through the orchestrator, as the dashboard's Stop command does.
        gate.Close();
        var stop = await app.ResourceCommands.ExecuteCommandAsync("chat", KnownResourceCommands.StopCommand, Cancel);
        Assert.True(stop.Success, stop.Message);
        var stopped = await app.WaitForAsync("chat", e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), "stopped");
        Assert.NotEqual(HealthStatus.Healthy, stopped.Snapshot.HealthStatus);
        // Nothing answers XMPP on the endpoint any more.
        var probe = chat.Resource.ClientOptions("alice", "") with { Timeout = TimeSpan.FromSeconds(2) };
        await Assert.ThrowsAnyAsync<Exception>(() => XmppTestClient.XmppClient.GetStreamFeaturesAsync(probe, cancellationToken: Cancel));

        // Started again with Prosody held back: running, checked, and unhealthy because no XMPP stream opens.
        var startedAt = DateTime.UtcNow;
        var start = await app.ResourceCommands.ExecuteCommandAsync("chat", KnownResourceCommands.StartCommand, Cancel);
        Assert.True(start.Success, start.Message);
        var restarted = await app.WaitForAsync("chat", e =>
            e.Snapshot.State?.Text == KnownResourceStates.Running
            && e.Snapshot.HealthStatus == HealthStatus.Unhealthy
            && e.Report(chat.CheckName()) is { Status: HealthStatus.Unhealthy } report
            && report.LastRunAt > startedAt, "running and unhealthy after start");
        var unhealthy = restarted.Report(chat.CheckName())!;
        Assert.Contains("stream", unhealthy.Description, StringComparison.OrdinalIgnoreCase);
        Log($"Containers: {firstContainer} before the stop, {restarted.ContainerId()} after the start.");

        gate.Open();
        await app.WaitForReportAsync("chat", chat.CheckName(), HealthStatus.Healthy, after: unhealthy.LastRunAt);
        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        Assert.Equal("alice@chat.dev.localhost", alice.Jid.Bare.ToString());
    }

    [Fact]
    public async Task TheHealthCheckNamesTheFailingPartHttpWhenTheWebsocketPathIsMissingAndXmppWhenProsodyIsFrozen()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        // Prosody serves the websocket somewhere else: XMPP works, the HTTP part of the check gets 404.
        chat.WithExtraConfiguration("http_paths = { websocket = \"/elsewhere\" }");
        await using var app = await builder.StartAsync();

        var unhealthy = await app.WaitForAsync("chat", e =>
            e.Report(chat.CheckName()) is { Status: HealthStatus.Unhealthy, Description: { } d } && d.Contains("HTTP", StringComparison.Ordinal),
            "unhealthy for HTTP");
        var http = unhealthy.Report(chat.CheckName())!;
        Assert.Contains("HTTP", http.Description, StringComparison.Ordinal);
        Assert.Contains("404", http.Description, StringComparison.Ordinal);
        Assert.Contains("/xmpp-websocket", http.Description, StringComparison.Ordinal);
        // …and the XMPP part really is fine.
        await using (var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync()))
        {
            Assert.True(alice.IsTlsEstablished);
        }

        // Frozen, Prosody still accepts connections but never answers: now the XMPP part fails, and the report says so.
        var container = app.Current("chat").ContainerId();
        HealthTestSupport.SignalProsody(container, "STOP");
        try
        {
            var frozen = await app.WaitForAsync("chat", e =>
                e.Report(chat.CheckName()) is { Status: HealthStatus.Unhealthy, Description: { } d } && !d.Contains("HTTP", StringComparison.Ordinal),
                "unhealthy for XMPP");
            var xmpp = frozen.Report(chat.CheckName())!;
            Assert.Contains("stream features", xmpp.Description, StringComparison.Ordinal);
            Assert.Equal(KnownResourceStates.Running, frozen.Snapshot.State?.Text);
        }
        finally
        {
            HealthTestSupport.SignalProsody(container, "CONT");
        }

        // Thawed, the XMPP part passes again and the HTTP part is the one reported.
        var thawed = await app.WaitForAsync("chat", e =>
            e.Report(chat.CheckName()) is { Status: HealthStatus.Unhealthy, Description: { } d } && d.Contains("HTTP", StringComparison.Ordinal),
            "unhealthy for HTTP again");
        Assert.Contains("404", thawed.Report(chat.CheckName())!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKilledProsodyMakesTheResourceUnhealthyWithinSecondsNamingTheCrashAndHealthyOnceItAnswersAgainWhileAHealthyServerLogsNoCheckConnections()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        await using var app = await builder.StartAsync("chat");
        var containerId = app.ContainerIdOf("chat");
        var firstCheck = app.StateOf("chat").HealthReports.Single(r => r.Name == chat.CheckName()).LastRunAt;

        // Aspire's next poll of a healthy resource, 30 s later: the check asks Prosody over HTTP only, so Prosody logs
        // no client connection for it (only the first check opened an XMPP stream).
        await app.WaitForReportAsync("chat", chat.CheckName(), HealthStatus.Healthy, after: firstCheck);
        var connections = CountLines(ContainerRuntime.Run(ContainerRuntime.Name, "logs", containerId).Output, "Client connected");
        Log($"Client connections Prosody logged after two health checks: {connections}");
        Assert.InRange(connections, 1, 1);

        // The crash: Aspire's poll is ~30 s away, but the wrapper's log line makes the resource Unhealthy at once.
        // Watched from before the kill: on a loaded machine `exec kill` can take longer than Prosody takes to come back,
        // and a watch started afterwards would see only the Healthy state after the short Unhealthy one.
        var clock = Stopwatch.StartNew();
        var watchingDown = app.WaitForSnapshotAsync("chat", s => s.HealthStatus == HealthStatus.Unhealthy, "unhealthy after the kill");
        HealthTestSupport.SignalProsody(containerId, "KILL");
        var down = await watchingDown;
        var toUnhealthy = clock.Elapsed;
        var report = down.HealthReports.Single(r => r.Name == chat.CheckName());
        Log($"Unhealthy {toUnhealthy.TotalMilliseconds:F0} ms after SIGKILL: {report.Description}");
        Assert.Contains("Prosody stopped unexpectedly (signal 9)", report.Description, StringComparison.Ordinal);
        Assert.Equal(KnownResourceStates.Running, down.State?.Text);
        Assert.True(toUnhealthy < TimeSpan.FromSeconds(5), $"Unhealthy only {toUnhealthy} after the kill.");

        // Healthy again as soon as Prosody answers, not at Aspire's next poll.
        var back = await app.WaitForSnapshotAsync("chat", s => s.IsRunningAndHealthy(), "healthy again");
        var toHealthy = clock.Elapsed;
        Log($"Healthy again {toHealthy.TotalMilliseconds:F0} ms after SIGKILL: {back.Summary()}");
        Assert.True(toHealthy < TimeSpan.FromSeconds(15), $"Healthy again only {toHealthy} after the kill.");
        Assert.Equal(containerId, back.ContainerId());
        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        Assert.True(alice.IsTlsEstablished);
    }

    [Theory]
    [InlineData("expired", "not now")]
    [InlineData("not yet valid", "not now")]
    [InlineData("key of another certificate", "private key does not match public key")]
    public async Task WhileTlsCannotWorkForClientsTheResourceIsUnhealthyNamingTheReason(string fault, string reason)
    {
        // The certificate reaches Prosody as a user would give it in configuration of their own: through a mounted
        // directory and c2s_ssl (the typed methods may refuse such a certificate while the model is built).
        var directory = Directory.CreateTempSubdirectory("prosody-tls-");
        using var cleanup = directory.DeleteWhenDisposed();
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes for the mounted certificate.");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory.FullName, (UnixFileMode)0b111_101_101);
        }

        var now = DateTimeOffset.UtcNow;
        var (notBefore, notAfter) = fault switch
        {
            "expired" => (now.AddDays(-30), now.AddDays(-1)),
            "not yet valid" => (now.AddDays(1), now.AddDays(30)),
            _ => (now.AddDays(-1), now.AddDays(30)),
        };
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=chat.dev.localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("chat.dev.localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        using var otherKey = RSA.Create(2048);
        var keyPem = fault == "key of another certificate" ? otherKey.ExportPkcs8PrivateKeyPem() : key.ExportPkcs8PrivateKeyPem();
        foreach (var (name, text) in new[] { ("tls.crt", certificate.ExportCertificatePem()), ("tls.key", keyPem) })
        {
            var path = Path.Combine(directory.FullName, name);
            await File.WriteAllTextAsync(path, text + "\n", Cancel);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
            }
        }

        var builder = TestApp.CreateBuilder();
        var chat = builder.AddProsody("chat")
            .WithBindMount(directory.FullName, "/etc/prosody/faulty-tls", isReadOnly: true)
            .WithExtraConfiguration("c2s_ssl = { certificate = \"/etc/prosody/faulty-tls/tls.crt\"; key = \"/etc/prosody/faulty-tls/tls.key\" }");
        await using var app = await builder.BuildAsync(Cancel);
        await app.StartAsync(Cancel);

        var unhealthy = await app.WaitForAsync("chat", e =>
            e.Report(chat.CheckName()) is { Status: HealthStatus.Unhealthy, Description: { } d } && d.Contains("TLS cannot work", StringComparison.Ordinal),
            "unhealthy naming TLS");
        var description = unhealthy.Report(chat.CheckName())!.Description!;
        Log($"{fault}: {description}");
        Assert.Contains(reason, description, StringComparison.Ordinal);
        Assert.Contains("chat.dev.localhost", description, StringComparison.Ordinal);
    }

    private static int CountLines(string text, string needle) =>
        text.Split('\n').Count(line => line.Contains(needle, StringComparison.Ordinal));
}
