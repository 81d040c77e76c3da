using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.FunctionalTests;

// Inside the namespace, so that the package's XmppClient and XmppClientOptions win over the project-wide
// XmppTestClient ones of the same names.
using Aspire.Prosody.Client;

/// <summary>
/// The package's own client (Aspire.Prosody.Client) signed in to a running Prosody resource from the test, trusting
/// exactly the certificate the AppHost gave the server; and the same trust handed to a project resource as a file.
/// </summary>
internal static class ClientIntegrationSupport
{
    /// <summary>The package client's logs in the current test's output, through the app host's own test logger.</summary>
    public static ILoggerFactory TestOutputLogging { get; } = LoggerFactory.Create(logging => logging
        .SetMinimumLevel(LogLevel.Debug)
        .AddProvider(new TestOutputLoggerProvider()));

    public static XmppClientOptions PackageClientOptions(this ProsodyResource prosody, string userName, string password)
    {
        var options = new XmppClientOptions
        {
            Host = prosody.PrimaryEndpoint.Host,
            Port = prosody.PrimaryEndpoint.Port,
            Domain = prosody.Domain,
            Username = userName,
            Password = password,
            RequestTimeout = StanzaTimeout,
        };
        options.TrustedCertificates.Add(ServerCertificateTrust.Anchor(prosody));
        return options;
    }

    public static async Task<XmppClient> ConnectPackageClientAsync(this ProsodyResource prosody, string userName, string password)
    {
        var client = new XmppClient(prosody.PackageClientOptions(userName, password), TestOutputLogging);
        await client.ConnectAsync(Cancel);
        return client;
    }

    /// <summary>
    /// Gives a project the server's certificate as a PEM file through the client integration's configuration
    /// (<c>Aspire:Prosody:Client:{connection}:TrustedCertificatesPath</c>), written when the project starts: with a
    /// trusted developer certificate the system store would do, without one the AppHost's self-signed one is needed.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServerCertificateTrust(this IResourceBuilder<ProjectResource> project, ProsodyResource prosody, string connectionName) =>
        project.WithEnvironment(context =>
        {
            var path = Path.Combine(Path.GetTempPath(), $"prosody-trust-{Guid.NewGuid():N}.pem");
            File.WriteAllText(path, ServerCertificateTrust.Anchor(prosody).ExportCertificatePem());
            context.EnvironmentVariables[$"Aspire__Prosody__Client__{connectionName}__TrustedCertificatesPath"] = path;
        });

    /// <summary>Reads messages until one satisfies <paramref name="last"/>, returning all of them.</summary>
    public static async Task<List<XmppMessage>> ReceiveUntilAsync(this XmppClient client, Func<XmppMessage, bool> last, TimeSpan timeout)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        cancel.CancelAfter(timeout);
        var received = new List<XmppMessage>();
        try
        {
            await foreach (var message in client.ReceiveMessagesAsync(cancel.Token))
            {
                received.Add(message);
                if (last(message))
                {
                    return received;
                }
            }
        }
        catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"The awaited message did not arrive within {timeout}; {received.Count} others did, the last: '{received.LastOrDefault()?.Body}'.");
    }
}

/// <summary>Keeps the log lines of one resource, as the orchestrator forwards them (category <c>…Resources.{name}</c>).</summary>
internal sealed class ResourceLogCapture(string resourceName) : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    /// <summary>Captures the console output of the resource <paramref name="resourceName"/> of the app this builder builds.</summary>
    public static ResourceLogCapture AddTo(IDistributedApplicationTestingBuilder builder, string resourceName)
    {
        var capture = new ResourceLogCapture(resourceName);
        builder.Services.AddLogging(logging => logging.AddProvider(capture));
        return capture;
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) =>
        categoryName.EndsWith($".Resources.{resourceName}", StringComparison.Ordinal) ? new Capture(_lines) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Capture(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}
