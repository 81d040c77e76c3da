using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// What the health tests need around a running app: the resource's health report as Aspire publishes it, a Prosody
/// container whose start is held back until the test opens a gate, and a way to freeze Prosody inside its container.
/// </summary>
internal static class HealthTestSupport
{
    /// <summary>Long enough for a loaded two-core machine: Aspire re-checks an unhealthy resource at most every 5 s.</summary>
    public static readonly TimeSpan ConditionTimeout = TimeSpan.FromMinutes(2);

    public static string CheckName(this IResourceBuilder<ProsodyResource> prosody) => $"{prosody.Resource.Name}_check";

    /// <summary>
    /// Keeps Prosody from starting until the file <c>open</c> exists in <paramref name="gate"/>, which is mounted into
    /// the container: the container runs (Aspire reports it Running and checks its health) while nothing answers XMPP.
    /// Then it continues exactly as the image would, with tini as PID 1.
    /// </summary>
    public static IResourceBuilder<ProsodyResource> WithStartGate(this IResourceBuilder<ProsodyResource> prosody, DirectoryInfo gate) =>
        prosody
            .WithBindMount(gate.FullName, "/gate", isReadOnly: true)
            .WithEntrypoint("/usr/bin/tini")
            .WithArgs("--", "/bin/sh", "-c", "echo 'waiting for the start gate'; until [ -e /gate/open ]; do sleep 0.02; done; exec /entrypoint.sh prosody -F");

    /// <summary>
    /// Starts the app without waiting for it: with a <c>WaitFor</c> dependent in the model, StartAsync only returns once
    /// the dependency is healthy. A start that fails makes the waits below fail at once instead of timing out.
    /// </summary>
    public static Task StartInBackground(this DistributedApplication app)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TestApp.StartTimeout + ConditionTimeout);
        var starting = app.StartAsync(timeout.Token);
        StartFailures.AddOrUpdate(app, starting);
        _ = starting.ContinueWith(_ => timeout.Dispose(), TaskScheduler.Default);
        return starting;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DistributedApplication, Task> StartFailures = [];

    public static void Open(this DirectoryInfo gate) => File.WriteAllText(Path.Combine(gate.FullName, "open"), "");

    public static void Close(this DirectoryInfo gate) => File.Delete(Path.Combine(gate.FullName, "open"));

    public static HealthReportSnapshot? Report(this ResourceEvent resourceEvent, string checkName) =>
        resourceEvent.Snapshot.HealthReports.FirstOrDefault(r => r.Name == checkName);

    /// <summary>Waits for the first published snapshot that satisfies <paramref name="predicate"/>, logging each state seen.</summary>
    public static async Task<ResourceEvent> WaitForAsync(this DistributedApplication app, string resourceName, Func<ResourceEvent, bool> predicate, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ConditionTimeout);
        string? last = null;
        try
        {
            var waiting = app.ResourceNotifications.WaitForResourceAsync(resourceName, e =>
            {
                var seen = Describe(e);
                if (seen != last)
                {
                    last = seen;
                    Log($"{resourceName}: {seen}");
                }

                return predicate(e);
            }, timeout.Token);
            if (StartFailures.TryGetValue(app, out var starting) && await Task.WhenAny(waiting, starting) == starting && starting.IsFaulted)
            {
                await starting;
            }

            return await waiting;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{resourceName} did not reach '{what}' within {ConditionTimeout}; last seen: {last}");
        }
    }

    /// <summary>Waits for a health report of <paramref name="checkName"/> with this status, run after <paramref name="after"/>.</summary>
    public static async Task<HealthReportSnapshot> WaitForReportAsync(this DistributedApplication app, string resourceName, string checkName, HealthStatus status, DateTime? after = null)
    {
        var resourceEvent = await app.WaitForAsync(resourceName, e =>
            e.Snapshot.State?.Text == KnownResourceStates.Running
            && e.Report(checkName) is { } report && report.Status == status && (after is null || report.LastRunAt > after),
            $"{checkName} {status}");
        return resourceEvent.Report(checkName)!;
    }

    public static ResourceEvent Current(this DistributedApplication app, string resourceName) =>
        app.ResourceNotifications.TryGetCurrentState(resourceName, out var resourceEvent)
            ? resourceEvent
            : throw new InvalidOperationException($"No state published for {resourceName}.");

    /// <summary>The container the orchestrator runs for the resource now.</summary>
    public static string ContainerId(this ResourceEvent resourceEvent) =>
        resourceEvent.Snapshot.Properties.FirstOrDefault(p => p.Name == "container.id")?.Value?.ToString() is { Length: > 0 } id
            ? id
            : throw new InvalidOperationException($"{resourceEvent.ResourceId} has no container id yet.");

    /// <summary>
    /// Sends a signal to the Prosody process (lua) inside the container. SIGSTOP freezes it as a hung server would be:
    /// its listening sockets stay open, so connections are accepted but never answered; SIGCONT resumes it.
    /// </summary>
    public static void SignalProsody(string containerId, string signal)
    {
        var script = $"found=; for p in /proc/[0-9]*; do if [ \"$(cat $p/comm 2>/dev/null)\" = lua5.4 ]; then kill -{signal} ${{p#/proc/}} && found=1; fi; done; [ -n \"$found\" ]";
        var (exitCode, output) = ContainerRuntime.Run(ContainerRuntime.Name, "exec", containerId, "/bin/sh", "-c", script);
        Assert.True(exitCode == 0, $"Could not send SIG{signal} to Prosody in {containerId}: {output}");
    }

    public static string Describe(ResourceEvent e)
    {
        var reports = string.Join("; ", e.Snapshot.HealthReports.Select(r => $"{r.Name}={r.Status?.ToString() ?? "pending"} '{r.Description}'"));
        return $"state={e.Snapshot.State?.Text ?? "none"} health={e.Snapshot.HealthStatus?.ToString() ?? "none"} exit={e.Snapshot.ExitCode?.ToString() ?? "-"} {reports}";
    }

    public static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
}
