using System.Collections.Immutable;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.Health;

/// <summary>
/// Run mode: makes a Prosody that died inside its container Unhealthy at once, not at Aspire's next poll. Aspire
/// re-checks a Healthy resource only every 30 seconds, and the container keeps running while the entrypoint wrapper
/// starts Prosody again, so nothing else tells Aspire about the crash. This service follows each Prosody resource's
/// log for the wrapper's line, publishes an Unhealthy report with that line as its reason, and then runs the health
/// check every second, publishing each result, until Prosody answers again.
/// </summary>
internal sealed class ProsodyCrashWatcher(
    DistributedApplicationModel model,
    ResourceLoggerService logs,
    ResourceNotificationService notifications,
    ILogger<ProsodyCrashWatcher> logger) : BackgroundService
{
    /// <summary>The start of the line the entrypoint wrapper writes when Prosody died of anything but a stop.</summary>
    internal const string CrashLinePrefix = "aspire: Prosody stopped unexpectedly";

    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(model.Resources.OfType<ProsodyResource>().Select(resource => WatchAsync(resource, stoppingToken)));

    private async Task WatchAsync(ProsodyResource resource, CancellationToken stoppingToken)
    {
        Task recovery = Task.CompletedTask;
        try
        {
            await foreach (var batch in logs.WatchAsync(resource).WithCancellation(stoppingToken).ConfigureAwait(false))
            {
                foreach (var line in batch)
                {
                    var at = line.Content.IndexOf(CrashLinePrefix, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        continue;
                    }

                    await ReportCrashAsync(resource, line.Content[at..].Trim()).ConfigureAwait(false);
                    if (recovery.IsCompleted)
                    {
                        recovery = FollowRecoveryAsync(resource, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Stopped following {Resource}'s log for Prosody crashes.", resource.Name);
        }

        await recovery.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReportCrashAsync(ProsodyResource resource, string reason)
    {
        ProsodyHealthCheck.DoubtStream(resource);
        await PublishAsync(resource, HealthStatus.Unhealthy, reason).ConfigureAwait(false);
    }

    /// <summary>Runs the health check every second and publishes its result, until Prosody is Healthy again.</summary>
    private async Task FollowRecoveryAsync(ProsodyResource resource, CancellationToken stoppingToken)
    {
        try
        {
            var check = new ProsodyHealthCheck(resource);
            var context = new HealthCheckContext
            {
                Registration = new HealthCheckRegistration(ProsodyHealthCheck.Name(resource), check, failureStatus: null, tags: null),
            };
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(RecheckInterval, stoppingToken).ConfigureAwait(false);
                if (!IsRunning(resource))
                {
                    return;
                }

                var result = await check.CheckHealthAsync(context, stoppingToken).ConfigureAwait(false);
                await PublishAsync(resource, result.Status, result.Description).ConfigureAwait(false);
                if (result.Status == HealthStatus.Healthy)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private bool IsRunning(ProsodyResource resource) =>
        notifications.TryGetCurrentState(resource.Name, out var current) && current.Snapshot.State?.Text == KnownResourceStates.Running;

    /// <summary>Replaces the report of the resource's own check, as Aspire's health service would after a run.</summary>
    private Task PublishAsync(ProsodyResource resource, HealthStatus status, string? description)
    {
        if (!IsRunning(resource))
        {
            // Stopped or restarting through the orchestrator: its state says so already.
            return Task.CompletedTask;
        }

        var name = ProsodyHealthCheck.Name(resource);
        var report = new HealthReportSnapshot(name, status, description, ExceptionText: null) { LastRunAt = DateTime.UtcNow };
        return notifications.PublishUpdateAsync(resource, snapshot =>
        {
            var reports = snapshot.HealthReports.RemoveAll(r => r.Name == name).Add(report);
            return snapshot.WithHealthReports(reports);
        });
    }
}
