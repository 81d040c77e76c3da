using Aspire.Hosting.Prosody.Commands;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static Aspire.Hosting.Prosody.FunctionalTests.FaultTestSupport;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Faults under the real orchestrator: the Prosody container killed mid-session, the database restarted under
/// Prosody, the TURN server down. Each test asserts what Aspire publishes (the dashboard's State and HealthStatus) at
/// every step, that the server comes back through Aspire's own start command, that clients reconnect and that nothing
/// the server accepted is lost; and searches everything the app logged for the secrets it was given.
/// </summary>
public class FaultFunctionalTests
{
    [Fact]
    [RequiresContainers(ContainerImage.Prosody)]
    public async Task AKilledProsodyIsShownDownThenRestartsFromTheDashboardCommandAndDeliversEveryMessageItAcceptedBeforeTheKill()
    {
        var volume = $"prosody-fault-{Guid.NewGuid():N}";
        var builder = TestApp.CreateBuilder();
        var logs = FaultLogCapture.AddTo(builder);
        var adminPassword = builder.AddPassword("admin-password");
        var alicePassword = builder.AddPassword("alice-password");
        var bobPassword = builder.AddPassword("bob-password");
        var chat = builder.AddProsody("chat", adminPassword: adminPassword).WithUser("alice", alicePassword).WithUser("bob", bobPassword).WithDataVolume(volume);
        using var cleanup = TestCleanup.RemoveVolumeWhenDisposed(volume);
        await using var app = await builder.StartAsync("chat");
        logs.WatchResources(app, chat.Resource);
        var before = await app.WaitForSnapshotAsync("chat", s => s.IsRunningAndHealthy(), "running and healthy");

        // Alice sends Bob, who is offline, five messages; a ping answered after them means the server handled them.
        var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync(), SaslMechanisms.Plain);
        var sent = Enumerable.Range(1, 5).Select(i => $"offline message {i} <&> \u2713").ToList();
        foreach (var body in sent)
        {
            await alice.SendMessageAsync("bob@chat.dev.localhost", body, cancellationToken: Cancel);
        }

        await alice.AddRosterItemAsync("bob@chat.dev.localhost", "Bob", Cancel);
        await alice.PingAsync(cancellationToken: Cancel);

        // The fault: SIGKILL, as an out-of-memory kill or a crash would end it. No graceful shutdown, no flush.
        Container("kill", "--signal", "KILL", before.ContainerId());
        var down = await app.WaitForSnapshotAsync("chat", s => s.State?.Text != KnownResourceStates.Running, "not running");
        Assert.NotEqual(HealthStatus.Healthy, down.HealthStatus);
        Assert.NotEqual(KnownResourceStates.Running, app.StateOf("chat").State?.Text);
        await EventuallyAsync(() => !alice.IsConnected, "Alice's session closed");
        await alice.DisposeAsync();

        // Back through the dashboard's own command.
        var start = await app.CommandAsync(chat.Resource, KnownResourceCommands.StartCommand);
        Assert.True(start.Success, start.Message);
        var after = await app.WaitForSnapshotAsync("chat", s => s.IsRunningAndHealthy(), "running and healthy again");
        Assert.NotEqual(before.ContainerId(), after.ContainerId());

        // Nothing accepted before the kill is lost: Bob gets all five, in order, once; Alice's roster survived.
        await using var bob = await chat.Resource.SignInAsync("bob", await bobPassword.ValueAsync());
        await bob.SendPresenceAsync(cancellationToken: Cancel);
        var received = new List<string>();
        foreach (var _ in sent)
        {
            var message = await bob.WaitForMessageAsync(m => m.GetBody() is not null, StanzaTimeout, Cancel);
            Assert.True(message.IsFrom("alice@chat.dev.localhost"));
            received.Add(message.GetBody()!);
        }

        Assert.Equal(sent, received);
        await using var aliceAgain = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
        Assert.Equal("Bob", Assert.Single(await aliceAgain.GetRosterAsync(Cancel), i => i.Jid == "bob@chat.dev.localhost").Name);

        // And the restarted server works live.
        await aliceAgain.SendMessageAsync(bob.Jid.ToString(), "after the restart", cancellationToken: Cancel);
        Assert.Equal("after the restart", (await bob.WaitForMessageAsync(m => m.GetBody() is not null, StanzaTimeout, Cancel)).GetBody());
        await Assert.ThrowsAsync<TimeoutException>(() => bob.WaitForMessageAsync(m => m.GetBody() is not null, TimeSpan.FromSeconds(2), Cancel));

        await AssertNoSecretInLogsAsync(logs, "chat",
            new() { ["admin-password"] = await adminPassword.ValueAsync(), ["alice-password"] = await alicePassword.ValueAsync(), ["bob-password"] = await bobPassword.ValueAsync() },
            new() { ["alice"] = await alicePassword.ValueAsync() });
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody, ContainerImage.Postgres)]
    public async Task WhileTheDatabaseRestartsTheDashboardShowsWhatProsodyDoesAndNothingItAcceptedIsLost()
    {
        var volume = $"prosody-fault-pg-{Guid.NewGuid():N}";
        var builder = TestApp.CreateBuilder();
        var logs = FaultLogCapture.AddTo(builder);
        var pgPassword = builder.AddPassword("pg-password");
        var adminPassword = builder.AddPassword("admin-password");
        var alicePassword = builder.AddPassword("alice-password");
        var bobPassword = builder.AddPassword("bob-password");
        var pg = builder.AddPostgres("pg", password: pgPassword).WithDataVolume(volume);
        var chat = builder.AddProsody("chat", adminPassword: adminPassword).WithUser("alice", alicePassword).WithUser("bob", bobPassword)
            .WithPostgres(pg.AddDatabase("prosodydb")).WithLogLevel(ProsodyLogLevel.Debug);
        using var cleanup = TestCleanup.RemoveVolumeWhenDisposed(volume);
        await using var app = await builder.StartAsync("chat");
        logs.WatchResources(app, chat.Resource, pg.Resource);
        await app.WaitForSnapshotAsync("pg", s => s.IsRunningAndHealthy(), "running and healthy");

        await using var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync(), SaslMechanisms.Plain);
        await alice.SendMessageAsync("bob@chat.dev.localhost", "stored before the database restart", cancellationToken: Cancel);
        await alice.AddRosterItemAsync("bob@chat.dev.localhost", "Bob", Cancel);
        await alice.PingAsync(cancellationToken: Cancel);

        // The fault: the database goes away (Aspire's stop command, as from the dashboard).
        var stop = await app.CommandAsync(pg.Resource, KnownResourceCommands.StopCommand);
        Assert.True(stop.Success, stop.Message);
        var pgDown = await app.WaitForSnapshotAsync("pg", s => s.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state), "stopped");
        Assert.NotEqual(HealthStatus.Healthy, pgDown.HealthStatus);

        // Prosody itself stays up: still Running, and a health check run after the stop still finds it answering.
        var stoppedAt = DateTime.UtcNow;
        var chatDuring = await app.WaitForSnapshotAsync("chat", s => s.HealthReports.Any(r => r.LastRunAt > stoppedAt), "checked after the stop");
        Assert.Equal(KnownResourceStates.Running, chatDuring.State?.Text);
        Log($"During the outage: chat {chatDuring.Summary()}.");

        // What a client sees meanwhile: the signed-in session keeps working (ping), a new sign-in needs the database.
        await alice.PingAsync(cancellationToken: Cancel);
        var bobPw = await bobPassword.ValueAsync();
        var signInDuring = await Record(async () => await (await chat.Resource.SignInAsync("bob", bobPw)).DisposeAsync());
        Log($"Signing in while the database is down: {signInDuring}");

        // Back through the dashboard's start command; the data volume keeps the database's contents.
        var start = await app.CommandAsync(pg.Resource, KnownResourceCommands.StartCommand);
        Assert.True(start.Success, start.Message);
        await app.WaitForSnapshotAsync("pg", s => s.IsRunningAndHealthy(), "running and healthy again");

        // Prosody's next queries meet the dead connection and reconnect. (The 13.0 image's PostgreSQL driver could
        // segfault here, docs/postgres-restart-segfault.md; mod_aspire_sql_failover prevents it, which
        // DatabaseFailoverFunctionalTests proves.) Should Prosody die anyway, the entrypoint wrapper starts it again,
        // so signing in succeeds after a few tries; should the container itself end, the dashboard says so and the
        // start command brings it back. Nothing it accepted may be lost.
        var (bob, crash) = await SignInOrCrashAsync(app, chat.Resource, "bob", bobPw);
        if (crash is not null)
        {
            Log($"Prosody did not survive the database restart; the dashboard shows: {crash.Summary()}");
            Assert.NotEqual(KnownResourceStates.Running, crash.State?.Text);
            Assert.NotEqual(0, crash.ExitCode ?? 0);
            var restart = await app.CommandAsync(chat.Resource, KnownResourceCommands.StartCommand);
            Assert.True(restart.Success, restart.Message);
            await app.WaitForSnapshotAsync("chat", s => s.IsRunningAndHealthy(), "running and healthy again");
            bob = await RetryAsync(() => chat.Resource.SignInAsync("bob", bobPw), "Bob signs in after Prosody's restart");
        }

        await using (bob)
        {
            await bob!.SendPresenceAsync(cancellationToken: Cancel);
            var stored = await bob.WaitForMessageAsync(m => m.GetBody() is not null, StanzaTimeout, Cancel);
            Assert.Equal("stored before the database restart", stored.GetBody());
            await using var aliceAgain = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
            Assert.Equal("Bob", Assert.Single(await aliceAgain.GetRosterAsync(Cancel), i => i.Jid == "bob@chat.dev.localhost").Name);
            await aliceAgain.AddRosterItemAsync("carol@chat.dev.localhost", "Carol", Cancel);
            Assert.Contains(await aliceAgain.GetRosterAsync(Cancel), i => i.Jid == "carol@chat.dev.localhost");
        }

        await AssertNoSecretInLogsAsync(logs, "chat",
            new()
            {
                ["pg-password"] = await pgPassword.ValueAsync(), ["admin-password"] = await adminPassword.ValueAsync(),
                ["alice-password"] = await alicePassword.ValueAsync(), ["bob-password"] = await bobPassword.ValueAsync(),
            },
            new() { ["alice"] = await alicePassword.ValueAsync() });
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody, ContainerImage.Coturn)]
    public async Task WhileTheTurnServerIsDownItIsShownExitedProsodyStaysHealthyAndTheTurnCheckFailsClearlyUntilItIsStartedAgain()
    {
        // Ports of its own: the TURN tests use 3478-3480 and 49160-49177.
        const int TurnPort = 3490;
        var builder = TestApp.CreateBuilder();
        var logs = FaultLogCapture.AddTo(builder);
        var adminPassword = builder.AddPassword("admin-password");
        var alicePassword = builder.AddPassword("alice-password");
        var turnSecret = builder.AddPassword("turn-secret");
        var bridgeSecret = builder.AddPassword("bridge-secret");
        var chat = builder.AddProsody("chat", adminPassword: adminPassword).WithUser("alice", alicePassword)
            .WithTurnServer(port: TurnPort, relayPortMin: 49190, relayPortMax: 49191, secret: turnSecret)
            .WithLogLevel(ProsodyLogLevel.Debug);
        chat.AddExternalComponent("bridge", secret: bridgeSecret);
        var coturn = builder.Resources.OfType<CoturnResource>().Single();
        await using var app = await builder.StartAsync("chat", "chat-turn");
        logs.WatchResources(app, chat.Resource, coturn);

        await using var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync(), SaslMechanisms.Plain);
        await AllocateAsync(alice, chat.Resource);
        var checkWhileUp = await app.CommandAsync(chat.Resource, ProsodyCommands.CheckTurn);

        // The fault: the coturn container stops underneath Aspire.
        var before = app.StateOf("chat-turn");
        Container("stop", "--time", "1", before.ContainerId());
        var down = await app.WaitForSnapshotAsync("chat-turn", s => s.State?.Text != KnownResourceStates.Running, "not running");
        Assert.NotEqual(HealthStatus.Healthy, down.HealthStatus);

        // Prosody is not coturn: it stays Running and healthy (a health check run after the stop says so) and still serves.
        var stoppedAt = DateTime.UtcNow;
        var chatDuring = await app.WaitForSnapshotAsync("chat", s => s.HealthReports.Any(r => r.LastRunAt > stoppedAt), "checked after the stop");
        Assert.True(chatDuring.IsRunningAndHealthy(), chatDuring.Summary());
        await alice.PingAsync(cancellationToken: Cancel);

        // The TURN check fails, and says why: the dashboard's Check TURN command, and a client's allocation.
        var checkWhileDown = await app.CommandAsync(chat.Resource, ProsodyCommands.CheckTurn);
        Assert.False(checkWhileDown.Success, checkWhileDown.Message);
        // Prosody's own words: "No STUN response: connection refused" (the address given to clients), or, once the
        // check is pointed at coturn's container-network name, that the name no longer resolves.
        Assert.StartsWith("prosodyctl check turn found problems: Error:", checkWhileDown.Message, StringComparison.Ordinal);
        var allocation = await Record(() => AllocateAsync(alice, chat.Resource));
        Log($"A client's allocation while coturn is down: {allocation}");
        Assert.StartsWith("failed", allocation);

        // Back through the dashboard's start command: healthy again, and relays are allocated again.
        var start = await app.CommandAsync(coturn, KnownResourceCommands.StartCommand);
        Assert.True(start.Success, start.Message);
        await app.WaitForSnapshotAsync("chat-turn", s => s.IsRunningAndHealthy(), "running and healthy again");
        await AllocateAsync(alice, chat.Resource);
        var checkAfter = await app.CommandAsync(chat.Resource, ProsodyCommands.CheckTurn);

        await AssertNoSecretInLogsAsync(logs, "chat-turn",
            new()
            {
                ["turn-secret"] = await turnSecret.ValueAsync(), ["bridge-secret"] = await bridgeSecret.ValueAsync(),
                ["admin-password"] = await adminPassword.ValueAsync(), ["alice-password"] = await alicePassword.ValueAsync(),
            },
            new() { ["alice"] = await alicePassword.ValueAsync() });

        // The Check TURN command must tell a working TURN server from a stopped one.
        Assert.True(checkWhileUp.Success && checkAfter.Success,
            $"Check TURN fails while coturn is up and allocates relays for clients: '{checkWhileUp.Message}' / '{checkAfter.Message}'. " +
            "prosodyctl runs inside the Prosody container, where the address handed to clients (127.0.0.1 in run mode) is Prosody's own loopback, not coturn.");
    }

    /// <summary>A relay over TCP with the credentials Prosody hands out now; fails with the client's error when TURN is down.</summary>
    private static async Task AllocateAsync(XmppClient client, ProsodyResource prosody)
    {
        var turn = Assert.Single(await client.GetExternalServicesAsync(prosody.Domain, Cancel), s => s is { Type: "turn", Transport: "tcp" });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        await using var relay = await TurnClient.ConnectAsync(TurnTransport.Tcp, turn.Host, turn.Port, line => Log($"turn: {line}"), timeout.Token);
        var allocated = await relay.AllocateAsync(turn.Username!, turn.Password!, timeout.Token);
        Log($"Allocated {allocated.Relayed} through {turn.Host}:{turn.Port}");
        await relay.RefreshAsync(TimeSpan.Zero, timeout.Token);
    }

    /// <summary>
    /// Signs in as soon as the server lets us; or returns the snapshot that shows the server is no longer running.
    /// </summary>
    private static async Task<(XmppClient? Client, CustomResourceSnapshot? Crash)> SignInOrCrashAsync(DistributedApplication app, ProsodyResource prosody, string user, string password)
    {
        var deadline = DateTime.UtcNow + ConditionTimeout;
        for (var tries = 1; ; tries++)
        {
            if (app.StateOf(prosody.Name) is { } state && state.State?.Text != KnownResourceStates.Running)
            {
                return (null, state);
            }

            try
            {
                var client = await prosody.SignInAsync(user, password);
                Log($"{user} signed in at try {tries}.");
                return (client, null);
            }
            catch (Exception error) when (error is XmppException or TimeoutException or IOException or System.Xml.XmlException && DateTime.UtcNow < deadline)
            {
                Log($"{user} cannot sign in yet (try {tries}): {error.GetType().Name}: {error.Message}");
                await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
            }
        }
    }

    private static async Task AssertNoSecretInLogsAsync(FaultLogCapture logs, string resourceName, Dictionary<string, string> secrets, Dictionary<string, string> plainUsers)
    {
        await EventuallyAsync(() => logs.LinesOf(resourceName) > 0, $"{resourceName}'s console output captured", TimeSpan.FromSeconds(30));
        var leaks = logs.Leaks(secrets, plainUsers);
        var traces = logs.SnapshotTraces(secrets);
        Log($"Searched {logs.Count} log lines ({logs.LinesOf(resourceName)} from {resourceName}'s console) for {secrets.Count} secrets: {leaks.Count} found. " +
            $"Not searched: {traces.Lines} Trace-level snapshot dumps of Aspire's notification service, {traces.WithSecrets} of them with a secret value.");
        Assert.True(leaks.Count == 0, $"Secrets in the logs:{Environment.NewLine}{string.Join(Environment.NewLine, leaks.Take(20))}");
    }
}
