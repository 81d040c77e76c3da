using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// What the fault tests need around a running app: every state change Aspire publishes for a resource (what the
/// dashboard shows), waits on those states, the container behind a resource, Aspire's resource commands, and every
/// log line the app produced (its own loggers and each resource's console output) to search for secrets.
/// </summary>
internal static class FaultTestSupport
{
    /// <summary>Generous for a loaded two-core machine: Aspire re-checks health every few seconds, DCP polls containers.</summary>
    public static readonly TimeSpan ConditionTimeout = TimeSpan.FromMinutes(2);

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static string Summary(this CustomResourceSnapshot snapshot) =>
        $"state={snapshot.State?.Text ?? "none"} health={snapshot.HealthStatus?.ToString() ?? "none"} exit={snapshot.ExitCode?.ToString() ?? "-"} " +
        string.Join("; ", snapshot.HealthReports.Select(r => $"{r.Name}={r.Status?.ToString() ?? "pending"}"));

    public static bool IsRunningAndHealthy(this CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy;

    /// <summary>Waits for the first published snapshot that satisfies <paramref name="predicate"/>, logging each distinct state seen.</summary>
    public static async Task<CustomResourceSnapshot> WaitForSnapshotAsync(this DistributedApplication app, string resourceName, Func<CustomResourceSnapshot, bool> predicate, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(ConditionTimeout);
        string? last = null;
        try
        {
            var resourceEvent = await app.ResourceNotifications.WaitForResourceAsync(resourceName, e =>
            {
                var seen = e.Snapshot.Summary();
                if (seen != last)
                {
                    last = seen;
                    Log($"{resourceName}: {seen}");
                }

                return predicate(e.Snapshot);
            }, timeout.Token);
            return resourceEvent.Snapshot;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !Cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"{resourceName} did not become '{what}' within {ConditionTimeout}; last seen: {last}");
        }
    }

    public static CustomResourceSnapshot StateOf(this DistributedApplication app, string resourceName) =>
        app.ResourceNotifications.TryGetCurrentState(resourceName, out var resourceEvent)
            ? resourceEvent.Snapshot
            : throw new InvalidOperationException($"No state published for {resourceName}.");

    public static string ContainerOf(this CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "container.id")?.Value?.ToString() is { Length: > 0 } id
            ? id
            : throw new InvalidOperationException("The resource has no container id.");

    /// <summary>Runs the container runtime's CLI against a container, as an outside fault would (a crash, an operator).</summary>
    public static void Container(params string[] arguments)
    {
        var (exitCode, output) = ContainerRuntime.Run(ContainerRuntime.Name, arguments);
        Assert.True(exitCode == 0, $"{ContainerRuntime.Name} {string.Join(' ', arguments)} failed: {output}");
        Log($"{ContainerRuntime.Name} {string.Join(' ', arguments)}: {output.Trim()}");
    }

    /// <summary>Executes one of Aspire's resource commands (start, stop, restart, or the integration's), as the dashboard would.</summary>
    public static async Task<ExecuteCommandResult> CommandAsync(this DistributedApplication app, IResource resource, string command)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(resource, command, Cancel);
        Log($"command {command} on {resource.Name}: {(result.Success ? "succeeded" : "failed")} {result.Message}");
        return result;
    }

    /// <summary>Polls until <paramref name="condition"/> holds.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? ConditionTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not {what} within {timeout ?? ConditionTimeout}.");
            }

            await Task.Delay(200, Cancel);
        }
    }

    public static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
}

/// <summary>
/// Everything an app logs: every category of its own loggers at every level (Aspire, the orchestrator's output, the
/// integration's health checks and commands), and each resource's console output as the dashboard shows it.
/// </summary>
internal sealed class FaultLogCapture : ILoggerProvider
{
    /// <summary>
    /// Aspire's notification service dumps whole resource snapshots at Trace level, resolved environment variables
    /// included (values the dashboard masks): a diagnostic level nobody runs with, and not this integration's output.
    /// It is counted, not searched.
    /// </summary>
    private const string SnapshotTraceCategory = "Aspire.Hosting.ApplicationModel.ResourceNotificationService Trace";

    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<Task> _watchers = [];

    public static FaultLogCapture AddTo(IDistributedApplicationTestingBuilder builder)
    {
        var capture = new FaultLogCapture();
        builder.Services.AddLogging(logging =>
        {
            logging.AddProvider(capture);
            // A rule for this provider replaces the global category filters for it: everything, down to Trace.
            logging.AddFilter<FaultLogCapture>(null, LogLevel.Trace);
        });
        return capture;
    }

    public int Count => _lines.Count;

    /// <summary>Follows the console output of these resources from their first line, until the app stops.</summary>
    public void WatchResources(DistributedApplication app, params IResource[] resources)
    {
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var resource in resources)
        {
            _watchers.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in logs.WatchAsync(resource))
                    {
                        foreach (var line in batch)
                        {
                            _lines.Enqueue($"[{resource.Name} console] {line.Content}");
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }));
        }
    }

    /// <summary>The lines that hold any of the secrets, raw or base64-encoded (as in a SASL PLAIN exchange).</summary>
    public List<string> Leaks(IReadOnlyDictionary<string, string> secrets, IReadOnlyDictionary<string, string>? users = null)
    {
        var forms = secrets.SelectMany(s => new[]
        {
            (s.Key, Form: s.Value),
            (s.Key, Form: Convert.ToBase64String(Encoding.UTF8.GetBytes(s.Value))),
        }).ToList();
        foreach (var (user, password) in users ?? new Dictionary<string, string>())
        {
            forms.Add(($"{user} (SASL PLAIN)", Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"))));
        }

        return _lines.Where(line => !line.StartsWith($"[{SnapshotTraceCategory}]", StringComparison.Ordinal))
            .SelectMany(line => forms.Where(f => line.Contains(f.Form, StringComparison.Ordinal)).Select(f => $"{f.Key} in: {line}")).ToList();
    }

    /// <summary>How many lines were left out of <see cref="Leaks"/> as Aspire's Trace-level snapshot dumps, and how many of those hold a secret.</summary>
    public (int Lines, int WithSecrets) SnapshotTraces(IReadOnlyDictionary<string, string> secrets)
    {
        var traces = _lines.Where(line => line.StartsWith($"[{SnapshotTraceCategory}]", StringComparison.Ordinal)).ToList();
        return (traces.Count, traces.Count(line => secrets.Values.Any(secret => line.Contains(secret, StringComparison.Ordinal))));
    }

    public int LinesOf(string resourceName) => _lines.Count(l => l.StartsWith($"[{resourceName} console]", StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"[{category} {logLevel}] {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
