using static Aspire.Hosting.Prosody.FunctionalTests.FaultTestSupport;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Run mode heals a crashed Prosody by itself: the entrypoint wrapper starts the process again in the same container
/// and says so in the resource's log, while a Stop from the dashboard stays a stop.
/// </summary>
public class RecoveryFunctionalTests
{
    private const string RestartLine = "aspire: Prosody stopped unexpectedly";

    private static string Logs(string containerId) => ContainerRuntime.Run(ContainerRuntime.Name, "logs", containerId).Output;

    [Theory]
    [RequiresContainers(ContainerImage.Prosody)]
    [InlineData("KILL", 9)]
    [InlineData("SEGV", 11)]
    public async Task AProsodyThatDiesComesBackHealthyByItselfInTheSameContainerAndSaysSo(string signal, int number)
    {
        var (builder, chat, alicePassword, bobPassword) = TestApp.CreateChatWithAliceAndBob();
        await using var app = await builder.StartAsync("chat");
        var containerId = app.ContainerIdOf("chat");
        // Stored offline for bob before the crash; the process restarts in the same container, over the same files.
        await using (var alice = await chat.Resource.ConnectPackageClientAsync("alice", await alicePassword.ValueAsync()))
        {
            await alice.SendMessageAsync(Jid.Parse("bob@chat.dev.localhost"), "kept across the crash", cancellationToken: Cancel);
            await alice.PingAsync(cancellationToken: Cancel);
        }

        var killedAt = DateTime.UtcNow;
        HealthTestSupport.SignalProsody(containerId, signal);

        // Nobody clicks Start: the wrapper logs the crash and starts Prosody again, and the health check finds it.
        await EventuallyAsync(() => Logs(containerId).Contains($"{RestartLine} (signal {number})", StringComparison.Ordinal), "the restart line in the log");
        var back = await app.WaitForSnapshotAsync("chat",
            s => s.IsRunningAndHealthy() && s.HealthReports.All(r => r.LastRunAt > killedAt), "healthy again by itself");
        Assert.Equal(containerId, back.ContainerId());
        Log($"After the {signal}: {back.Summary()}");

        // Signing in sends the initial presence, which is what releases offline messages.
        await using var bob = await chat.Resource.ConnectPackageClientAsync("bob", await bobPassword.ValueAsync());
        var stored = Assert.Single(await bob.ReceiveUntilAsync(_ => true, StanzaTimeout));
        Assert.Equal("kept across the crash", stored.Body);
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody)]
    public async Task AStopFromTheDashboardIsNotUndone()
    {
        var builder = TestApp.CreateBuilder();
        var chat = builder.AddProsody("chat");
        await using var app = await builder.StartAsync("chat");
        var containerId = app.ContainerIdOf("chat");

        var stop = await app.CommandAsync(chat.Resource, KnownResourceCommands.StopCommand);
        Assert.True(stop.Success, stop.Message);
        var stopped = await app.WaitForSnapshotAsync("chat", s => s.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state), "stopped");
        Log($"Stopped: {stopped.Summary()}");

        // Longer than the wrapper would wait before a restart (1 s, doubling): the resource stays stopped.
        await Task.Delay(TimeSpan.FromSeconds(8), Cancel);
        Assert.Contains(app.StateOf("chat").State?.Text, KnownResourceStates.TerminalStates);
        Assert.DoesNotContain(RestartLine, Logs(containerId), StringComparison.Ordinal);
    }
}
