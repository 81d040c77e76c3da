using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>Creates app models that run for real under the Aspire orchestrator, with their logs in the test output.</summary>
internal static class TestApp
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public static IDistributedApplicationTestingBuilder CreateBuilder(params string[] images)
    {
        ContainerRuntime.Require(images.Length == 0 ? [ContainerRuntime.ProsodyImage] : images);
        var builder = DistributedApplicationTestingBuilder.Create([], (options, _) =>
        {
            options.DisableDashboard = true;
            options.EnableResourceLogging = true;
        });
        builder.Services.AddTestOutputLogging();
        return builder;
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

    /// <summary>A secret parameter with a random value the test knows.</summary>
    public static IResourceBuilder<ParameterResource> AddPassword(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, Convert.ToHexString(RandomNumberGenerator.GetBytes(12)), secret: true);

    public static async Task<DistributedApplication> StartAsync(this IDistributedApplicationTestingBuilder builder, params string[] waitForHealthy)
    {
        var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StartTimeout);
        await app.StartAsync(timeout.Token);
        foreach (var name in waitForHealthy)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }

        return app;
    }

    public static async Task<string> ValueAsync(this IResourceBuilder<ParameterResource> parameter) =>
        (await parameter.Resource.GetValueAsync(TestContext.Current.CancellationToken))!;

    public static async Task<string> ValueAsync(this ParameterResource parameter) =>
        (await parameter.GetValueAsync(TestContext.Current.CancellationToken))!;

    private sealed class TestOutputLoggerProvider : ILoggerProvider
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
}
