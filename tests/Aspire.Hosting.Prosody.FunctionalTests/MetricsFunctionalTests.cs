using OtlpTestReceiver.Proto;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Prosody's metrics as the dashboard would receive them: the AppHost exports them over OTLP/HTTP to the configured
/// endpoint, here an in-test receiver, and the test reads back only what was exported.
/// </summary>
[RequiresContainers(ContainerImage.Prosody)]
public class MetricsFunctionalTests
{
    private const string Connections = "prosody_mod_c2s__connections";
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TheExportedC2sConnectionsGaugeOfTheResourceRisesWhenAClientSignsInAndFallsWhenItLeaves()
    {
        await using var receiver = await OtlpMetricsReceiver.StartAsync(Cancel);
        var apiKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var builder = TestApp.CreateBuilder();
        // Where the AppHost finds the dashboard's OTLP/HTTP endpoint and its API key when the dashboard is not in the model.
        builder.Configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = receiver.Endpoint.ToString();
        builder.Configuration["AppHost:OtlpApiKey"] = apiKey;
        var password = builder.AddPassword("alice-password");
        var chat = builder.AddProsody("chat").WithUser("alice", password);
        await using var app = await builder.StartAsync("chat");

        // The dashboard puts telemetry under a resource by service.name and service.instance.id: the orchestrator
        // names the container "{resource}-{suffix}" and the suffix is the instance id.
        var current = app.Current("chat");
        Assert.StartsWith("chat-", current.ResourceId, StringComparison.Ordinal);
        var instanceId = current.ResourceId["chat-".Length..];
        var (_, containerName) = ContainerRuntime.Run(ContainerRuntime.Name, "inspect", "--format", "{{.Name}}", current.ContainerId());
        Assert.Equal($"chat-{instanceId}", containerName.Trim().TrimStart('/'));

        bool FromChat(ResourceMetrics r) => r.ServiceName == "chat";

        // Before anyone signs in: no c2s connection (the series only appears with the first client).
        var idle = await receiver.WaitForExportAsync(e => e.ResourceMetrics.Any(r => FromChat(r) && r.Metrics.Any()) && ConnectionCount(e) is null or 0,
            ExportTimeout, "metrics of chat without client connections", includeEarlier: true, Cancel);
        Assert.Equal("/v1/metrics", idle.Path);
        Assert.StartsWith("application/x-protobuf", idle.ContentType, StringComparison.Ordinal);
        Assert.Equal(apiKey, idle.ApiKey);
        var resource = Assert.Single(idle.ResourceMetrics, FromChat);
        Assert.Equal(instanceId, resource.ServiceInstanceId);
        LogExport(idle);

        // Prosody's counters arrive as cumulative monotonic sums, its gauges as gauges.
        var counters = resource.Metrics.Where(m => m.DataCase == Metric.DataOneofCase.Sum).ToList();
        Assert.NotEmpty(counters);
        Assert.All(counters, m => Assert.True(m.Sum.IsMonotonic && m.Sum.AggregationTemporality == AggregationTemporality.Cumulative, $"{m.Name}: monotonic {m.Sum.IsMonotonic}, {m.Sum.AggregationTemporality}"));
        Assert.Contains(resource.Metrics, m => m.DataCase == Metric.DataOneofCase.Gauge);

        await using (var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync()))
        {
            var connected = await receiver.WaitForExportAsync(e => ConnectionCount(e) >= 1, ExportTimeout, "a c2s connection", cancellationToken: Cancel);
            LogExport(connected);
            var gauge = Assert.Single(Assert.Single(connected.ResourceMetrics, FromChat).Metrics, m => m.Name == Connections);
            Assert.Equal(Metric.DataOneofCase.Gauge, gauge.DataCase);
            // Prosody's labels survive as attributes: one series per host, connection type and IP family.
            var c2s = gauge.Gauge.DataPoints.Where(IsChatClientSeries).ToList();
            Assert.NotEmpty(c2s);
            Assert.All(c2s, p => Assert.Contains(p.Attributes.ValueOf("ip_family"), new object[] { "ipv4", "ipv6" }));
            Assert.True(c2s.Sum(p => p.Value) >= 1);

            // The encrypted (STARTTLS) session is counted by a counter that only grows.
            var encrypted = Assert.Single(Assert.Single(connected.ResourceMetrics, FromChat).Metrics, m => m.Name == "prosody_mod_c2s__encrypted");
            Assert.Equal(Metric.DataOneofCase.Sum, encrypted.DataCase);
            Assert.True(encrypted.Sum.IsMonotonic);
            Assert.True(encrypted.Sum.DataPoints.Sum(p => p.Value) >= 1);
        }

        var left = await receiver.WaitForExportAsync(e => e.ResourceMetrics.Any(FromChat) && ConnectionCount(e) is null or 0, ExportTimeout, "the client gone", cancellationToken: Cancel);
        LogExport(left);
        Assert.Empty(receiver.Rejected);
    }

    /// <summary>The exported number of authenticated c2s connections to the chat host (all IP families), or null when no such series was exported.</summary>
    private static double? ConnectionCount(OtlpExport export)
    {
        var points = export.ResourceMetrics.Where(r => r.ServiceName == "chat")
            .SelectMany(r => r.Metrics).Where(m => m.Name == Connections)
            .SelectMany(m => m.NumberDataPoints)
            .Where(IsChatClientSeries)
            .ToList();
        return points.Count == 0 ? null : points.Sum(p => p.Value);
    }

    private static bool IsChatClientSeries(NumberDataPoint point) =>
        Equals(point.Attributes.ValueOf("host"), "chat.dev.localhost") && Equals(point.Attributes.ValueOf("type"), "c2s");

    private static void LogExport(OtlpExport export)
    {
        foreach (var resource in export.ResourceMetrics)
        {
            Log($"export at {export.ReceivedAt:HH:mm:ss.fff}: {resource.Resource.Attributes.Format()}");
            Log($"  {resource.Metrics.Count()} metrics: {resource.Metrics.Count(m => m.DataCase == Metric.DataOneofCase.Sum)} sums, {resource.Metrics.Count(m => m.DataCase == Metric.DataOneofCase.Gauge)} gauges");
            foreach (var metric in resource.Metrics.Where(m => m.Name.StartsWith("prosody_mod_c2s", StringComparison.Ordinal)))
            {
                var points = string.Join("; ", metric.NumberDataPoints.Select(p => $"{{{p.Attributes.Format()}}} {p.Value}"));
                Log($"  {metric.Name} [{metric.DataCase}{(metric.Sum?.IsMonotonic == true ? ", monotonic" : "")}, {metric.Sum?.AggregationTemporality}, unit '{metric.Unit}'] {points}");
            }
        }
    }
}
