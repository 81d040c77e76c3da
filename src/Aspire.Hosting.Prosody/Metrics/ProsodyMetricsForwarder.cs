using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;

namespace Aspire.Hosting.Prosody.Metrics;

/// <summary>
/// Brings Prosody's metrics into the Aspire dashboard in run mode. The dashboard accepts only OTLP and Prosody only
/// serves OpenMetrics, and no collector container can be assumed, so the AppHost itself scrapes each running
/// Prosody container's <c>/metrics</c> and exports the result over OTLP as that container.
/// </summary>
internal sealed class ProsodyMetricsForwarder(
    ResourceNotificationService notifications,
    DistributedApplicationModel model,
    IConfiguration configuration,
    ILogger<ProsodyMetricsForwarder> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, (string ResourceId, CancellationTokenSource Stop, Task Loop)> _running = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                if (change.Resource is not ProsodyResource prosody || !prosody.MetricsEnabled)
                {
                    continue;
                }

                var running = change.Snapshot.State?.Text == KnownResourceStates.Running;
                if (_running.TryGetValue(prosody.Name, out var current) && (!running || current.ResourceId != change.ResourceId))
                {
                    await StopAsync(prosody.Name).ConfigureAwait(false);
                }

                if (running && !_running.ContainsKey(prosody.Name) && ResolveTarget() is { } target)
                {
                    var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var instanceId = InstanceId(prosody.Name, change.ResourceId);
                    _running[prosody.Name] = (change.ResourceId, stop, Task.Run(() => ForwardAsync(prosody, instanceId, target, stop.Token), CancellationToken.None));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var name in _running.Keys.ToArray())
            {
                await StopAsync(name).ConfigureAwait(false);
            }
        }
    }

    private async Task StopAsync(string name)
    {
        var (_, stop, loop) = _running[name];
        _running.Remove(name);
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stop.Dispose();
    }

    private async Task ForwardAsync(ProsodyResource prosody, string instanceId, OtlpTarget target, CancellationToken cancellationToken)
    {
        using var bridge = new ProsodyMetricsBridge(prosody.Name, instanceId, target);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        logger.LogDebug("Forwarding metrics of {Resource} ({Instance}) to {Endpoint}", prosody.Name, instanceId, target.Endpoint);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                try
                {
                    var endpoint = prosody.HttpEndpoint;
                    var text = await http.GetStringAsync(new Uri($"http://{endpoint.Host}:{endpoint.Port}/metrics"), cancellationToken).ConfigureAwait(false);
                    bridge.Update(OpenMetricsText.Parse(text));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // Prosody may be restarting; the next tick tries again.
                    logger.LogDebug(ex, "Scraping metrics of {Resource} failed", prosody.Name);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The orchestrator names a container "{resource}-{suffix}" and gives its own telemetry the suffix as
    /// service.instance.id; using the same id puts these metrics under the same resource in the dashboard.
    /// </summary>
    internal static string InstanceId(string resourceName, string resourceId) =>
        resourceId.StartsWith(resourceName + "-", StringComparison.Ordinal) ? resourceId[(resourceName.Length + 1)..] : resourceId;

    /// <summary>The dashboard's OTLP endpoint: from the dashboard resource when it is in the model, else from configuration.</summary>
    private OtlpTarget? ResolveTarget()
    {
        var apiKey = configuration["AppHost:OtlpApiKey"];
        if (model.Resources.FirstOrDefault(r => r.Name == "aspire-dashboard") is IResourceWithEndpoints dashboard)
        {
            var http = new EndpointReference(dashboard, "otlp-http");
            if (http.Exists && http.IsAllocated)
            {
                return new(new Uri($"{http.Url.TrimEnd('/')}/v1/metrics"), OtlpExportProtocol.HttpProtobuf, apiKey);
            }

            var grpc = new EndpointReference(dashboard, "otlp-grpc");
            if (grpc.Exists && grpc.IsAllocated)
            {
                return new(new Uri(grpc.Url), OtlpExportProtocol.Grpc, apiKey);
            }
        }

        if ((configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] ?? configuration["DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"]) is { Length: > 0 } httpUrl)
        {
            return new(new Uri($"{httpUrl.TrimEnd('/')}/v1/metrics"), OtlpExportProtocol.HttpProtobuf, apiKey);
        }

        if ((configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] ?? configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"]) is { Length: > 0 } grpcUrl)
        {
            return new(new Uri(grpcUrl), OtlpExportProtocol.Grpc, apiKey);
        }

        logger.LogDebug("No OTLP endpoint (dashboard disabled): Prosody metrics are not forwarded.");
        return null;
    }
}
