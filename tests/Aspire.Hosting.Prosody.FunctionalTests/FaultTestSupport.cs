using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// What the fault tests need beyond <see cref="ResourceStates"/>: outside faults through the container runtime's CLI,
/// Aspire's resource commands, and every log line the app produced (its own loggers and each resource's console
/// output) to search for secrets.
/// </summary>
internal static class FaultTestSupport
{
    /// <summary>Runs the container runtime's CLI against a container, as an outside fault would (a crash, an operator).</summary>
    public static void Container(params string[] arguments)
    {
        var (exitCode, output) = ContainerRuntime.Run(ContainerRuntime.Name, arguments);
        Assert.True(exitCode == 0, $"{ContainerRuntime.Name} {string.Join(' ', arguments)} failed: {output}");
        Log($"{ContainerRuntime.Name} {string.Join(' ', arguments)}: {output.Trim()}");
    }

    /// <summary>Tries until the attempt succeeds (logging each failure), for what may take a moment to recover.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> attempt, string what)
    {
        var deadline = DateTime.UtcNow + ConditionTimeout;
        for (var tries = 1; ; tries++)
        {
            try
            {
                var result = await attempt();
                Log($"{what}: succeeded at try {tries}.");
                return result;
            }
            catch (Exception error) when (error is XmppException or TimeoutException or IOException or System.Xml.XmlException && DateTime.UtcNow < deadline)
            {
                Log($"{what}: try {tries} failed: {error.GetType().Name}: {error.Message}");
                await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
            }
        }
    }

    /// <summary>Runs an attempt whose outcome is reported rather than asserted: "succeeded" or "failed: …".</summary>
    public static async Task<string> Record(Func<Task> attempt)
    {
        try
        {
            await attempt();
            return "succeeded";
        }
        catch (Exception error) when (error is not OperationCanceledException || !Cancel.IsCancellationRequested)
        {
            return $"failed: {error.GetType().Name}: {error.Message}";
        }
    }

    /// <summary>Executes one of Aspire's resource commands (start, stop, restart, or the integration's), as the dashboard would.</summary>
    public static async Task<ExecuteCommandResult> CommandAsync(this DistributedApplication app, IResource resource, string command)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(resource, command, Cancel);
        Log($"command {command} on {resource.Name}: {(result.Success ? "succeeded" : "failed")} {result.Message}");
        return result;
    }
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
