using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.Testing;

/// <summary>
/// What every functional test uses around its own steps: the current test's cancellation, its output, and the one set
/// of timeouts, generous for a loaded two-core machine. Test projects import it with a global <c>using static</c>.
/// </summary>
internal static class TestScope
{
    /// <summary>Starting an app: pulling nothing, but starting containers and waiting for health on a busy machine.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>A state Aspire publishes: it re-checks health every few seconds (at most every 5 s when unhealthy), DCP polls containers.</summary>
    public static readonly TimeSpan ConditionTimeout = TimeSpan.FromMinutes(2);

    /// <summary>A stanza the server should deliver or answer.</summary>
    public static readonly TimeSpan StanzaTimeout = TimeSpan.FromSeconds(30);

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Writes a time-stamped line to the current test's output.</summary>
    public static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");

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

    /// <summary>Sends the app's logs (and its resources' logs) to the current test's output.</summary>
    public static IServiceCollection AddTestOutputLogging(this IServiceCollection services) =>
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning);
            logging.AddProvider(new TestOutputLoggerProvider());
        });
}

/// <summary>Writes the app host's and the resources' logs to the current test's output.</summary>
internal sealed class TestOutputLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class TestOutputLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Resource logs arrive under "<resource>.<category>"; the current test's output collects them.
            // An app that outlives its test (after a failure) has no test to write to any more.
            try
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
