using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static Aspire.Hosting.Prosody.Testing.TestScope;

namespace Aspire.Hosting.Prosody.Testing;

/// <summary>
/// A running app's resources as Aspire publishes them (what the dashboard shows): their states, waits on those states,
/// the container behind a resource, and one line summing a state up for the test output.
/// </summary>
internal static class ResourceStates
{
    private static readonly ConditionalWeakTable<DistributedApplication, Task> Starts = [];

    public static string Summary(this CustomResourceSnapshot snapshot) =>
        $"state={snapshot.State?.Text ?? "none"} health={snapshot.HealthStatus?.ToString() ?? "none"} exit={snapshot.ExitCode?.ToString() ?? "-"} " +
        string.Join("; ", snapshot.HealthReports.Select(r => $"{r.Name}={r.Status?.ToString() ?? "pending"} '{r.Description}'"));

    /// <summary>
    /// The resource's console log so far, as the dashboard shows it: the logger service replays what it kept and then
    /// waits for more, so three quiet seconds end the read.
    /// </summary>
    public static async Task<List<string>> ConsoleLinesAsync(this DistributedApplication app, IResource resource)
    {
        var lines = new List<string>();
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        quiet.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(resource).WithCancellation(quiet.Token))
            {
                lines.AddRange(batch.Select(line => line.Content));
            }
        }
        catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
        {
        }

        return lines;
    }

    public static bool IsRunningAndHealthy(this CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy;

    /// <summary>
    /// Starts the app without waiting for it: with a <c>WaitFor</c> dependent in the model, StartAsync only returns once
    /// the dependency is healthy. A start that fails makes the waits below fail at once instead of timing out.
    /// </summary>
    public static Task StartInBackground(this DistributedApplication app)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(StartTimeout + ConditionTimeout);
        var starting = app.StartAsync(timeout.Token);
        Starts.AddOrUpdate(app, starting);
        _ = starting.ContinueWith(_ => timeout.Dispose(), TaskScheduler.Default);
        return starting;
    }

    /// <summary>Waits for the first published state that satisfies <paramref name="predicate"/>, logging each distinct state seen.</summary>
    public static async Task<ResourceEvent> WaitForAsync(this DistributedApplication app, string resourceName, Func<ResourceEvent, bool> predicate, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(ConditionTimeout);
        string? last = null;
        try
        {
            var waiting = app.ResourceNotifications.WaitForResourceAsync(resourceName, e =>
            {
                var seen = e.Snapshot.Summary();
                if (seen != last)
                {
                    last = seen;
                    Log($"{resourceName}: {seen}");
                }

                return predicate(e);
            }, timeout.Token);
            if (Starts.TryGetValue(app, out var starting) && await Task.WhenAny(waiting, starting) == starting && starting.IsFaulted)
            {
                await starting;
            }

            return await waiting;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !Cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"{resourceName} did not reach '{what}' within {ConditionTimeout}; last seen: {last}");
        }
    }

    /// <inheritdoc cref="WaitForAsync"/>
    public static async Task<CustomResourceSnapshot> WaitForSnapshotAsync(this DistributedApplication app, string resourceName, Func<CustomResourceSnapshot, bool> predicate, string what) =>
        (await app.WaitForAsync(resourceName, e => predicate(e.Snapshot), what)).Snapshot;

    public static ResourceEvent Current(this DistributedApplication app, string resourceName) =>
        app.ResourceNotifications.TryGetCurrentState(resourceName, out var resourceEvent)
            ? resourceEvent
            : throw new InvalidOperationException($"No state published for {resourceName}.");

    public static CustomResourceSnapshot StateOf(this DistributedApplication app, string resourceName) => app.Current(resourceName).Snapshot;

    /// <summary>The container the orchestrator runs for the resource now.</summary>
    public static string ContainerId(this CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "container.id")?.Value?.ToString() is { Length: > 0 } id
            ? id
            : throw new InvalidOperationException("The resource has no container id yet.");

    /// <inheritdoc cref="ContainerId(CustomResourceSnapshot)"/>
    public static string ContainerId(this ResourceEvent resourceEvent) => resourceEvent.Snapshot.ContainerId();

    /// <inheritdoc cref="ContainerId(CustomResourceSnapshot)"/>
    public static string ContainerIdOf(this DistributedApplication app, string resourceName) => app.StateOf(resourceName).ContainerId();
}
