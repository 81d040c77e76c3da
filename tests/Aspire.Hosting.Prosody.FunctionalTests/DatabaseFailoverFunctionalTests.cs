using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static Aspire.Hosting.Prosody.FunctionalTests.FaultTestSupport;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// A PostgreSQL restart under a running Prosody in run mode: the resource is Unhealthy, naming storage, while the
/// database is down, Healthy once it is back, and Prosody survives every restart (no LuaDBI use-after-free crash:
/// docs/postgres-restart-segfault.md), so signed-in clients keep their sessions.
/// </summary>
[RequiresContainers(ContainerImage.Prosody, ContainerImage.Postgres)]
public class DatabaseFailoverFunctionalTests
{
    private const int Restarts = 3;

    [Fact]
    public async Task ThreePostgresRestartsUnderSignedInClientsMakeTheResourceUnhealthyNamingStorageWhileDownAndNeverRestartProsody()
    {
        var volume = $"prosody-failover-pg-{Guid.NewGuid():N}";
        var builder = TestApp.CreateBuilder();
        var pgPassword = builder.AddPassword("pg-password");
        var alicePassword = builder.AddPassword("alice-password");
        var bobPassword = builder.AddPassword("bob-password");
        var pg = builder.AddPostgres("pg", password: pgPassword).WithDataVolume(volume);
        var chat = builder.AddProsody("chat").WithUser("alice", alicePassword).WithUser("bob", bobPassword)
            .WithPostgres(pg.AddDatabase("prosodydb"));
        using var cleanup = TestCleanup.RemoveVolumeWhenDisposed(volume);
        await using var app = await builder.StartAsync("chat");
        var containerId = app.ContainerIdOf("chat");
        var bobPw = await bobPassword.ValueAsync();
        await using var alice = await chat.Resource.SignInAsync("alice", await alicePassword.ValueAsync());
        await alice.SendPresenceAsync(cancellationToken: Cancel);

        for (var round = 1; round <= Restarts; round++)
        {
            var stop = await app.CommandAsync(pg.Resource, KnownResourceCommands.StopCommand);
            Assert.True(stop.Success, stop.Message);
            await app.WaitForSnapshotAsync("pg", s => s.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state), "stopped");
            var stoppedAt = Stopwatch.StartNew();

            // Storage traffic during the outage (a sign-in needs the accounts store), then the collections that make
            // the use-after-free deterministic: the first frees the dropped connection, the one after the reconnect
            // finalizes its statements.
            var failedSignIn = await Record(async () => await (await chat.Resource.SignInAsync("bob", bobPw)).DisposeAsync());
            Log($"Round {round}: signing in while the database is down: {failedSignIn}");
            CollectGarbage(containerId);

            if (round == 1)
            {
                // Aspire polls a healthy resource every 30 s; the check then finds storage unreadable and says so.
                var unhealthy = await app.WaitForSnapshotAsync("chat", s =>
                    s.HealthReports.Any(r => r.Name == chat.CheckName() && r.Status == HealthStatus.Unhealthy
                        && r.Description?.Contains("storage", StringComparison.Ordinal) == true), "unhealthy naming storage");
                Log($"Round {round}: unhealthy {stoppedAt.ElapsedMilliseconds} ms after the stop: {unhealthy.Summary()}");
                Assert.Equal(KnownResourceStates.Running, unhealthy.State?.Text);
            }

            // The signed-in session lives in memory: it keeps working.
            await alice.PingAsync(cancellationToken: Cancel);

            var start = await app.CommandAsync(pg.Resource, KnownResourceCommands.StartCommand);
            Assert.True(start.Success, start.Message);
            await app.WaitForSnapshotAsync("pg", s => s.IsRunningAndHealthy(), "running and healthy again");
            await using (var bob = await RetryAsync(() => chat.Resource.SignInAsync("bob", bobPw), $"Bob signs in after restart {round}"))
            {
                await bob.PingAsync(cancellationToken: Cancel);
            }

            CollectGarbage(containerId);
            await alice.PingAsync(cancellationToken: Cancel);
            var healthy = await app.WaitForSnapshotAsync("chat", s => s.IsRunningAndHealthy(), "healthy after the database is back");
            Log($"Round {round}: healthy again {stoppedAt.ElapsedMilliseconds} ms after the stop: {healthy.Summary()}");
        }

        // Prosody never died: the wrapper restarted nothing, the container is the same, alice's session survived.
        var logs = ContainerRuntime.Run(ContainerRuntime.Name, "logs", containerId).Output;
        var restarts = logs.Split('\n').Count(l => l.Contains(ProsodyCrashWatcherLine, StringComparison.Ordinal));
        Log($"Prosody restarts by the wrapper across {Restarts} database restarts: {restarts}");
        Assert.Equal(0, restarts);
        Assert.Equal(containerId, app.ContainerIdOf("chat"));
        Assert.Contains("closed its", logs, StringComparison.Ordinal);
        await alice.PingAsync(cancellationToken: Cancel);
    }

    private const string ProsodyCrashWatcherLine = "aspire: Prosody stopped unexpectedly";

    /// <summary>Two full collections inside Prosody, through its admin shell.</summary>
    private static void CollectGarbage(string containerId)
    {
        var (exitCode, output) = ContainerRuntime.Run(ContainerRuntime.Name, "exec", containerId,
            "prosodyctl", "shell", "> collectgarbage('collect'); collectgarbage('collect')");
        Log($"collectgarbage in Prosody: exit {exitCode} {output.Trim()}");
    }
}
