using Aspire.Hosting.Prosody.Metrics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OtlpTestReceiver.Proto;
// OpenTelemetry.Metrics has SDK types of the same names.
using AggregationTemporality = OtlpTestReceiver.Proto.AggregationTemporality;
using Metric = OtlpTestReceiver.Proto.Metric;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// The OTLP path without containers: the bridge's real OpenTelemetry exporter posts to the in-test receiver. It lives
/// here rather than in the unit tests because it needs both the package's internal bridge and the OTLP receiver.
/// </summary>
public class MetricsExportTests
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    // Both of the dashboard's OTLP endpoints: otlp-http, and otlp-grpc (the one an AppHost without ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL uses).
    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task TheBridgeExportsAScrapeAsTheResourceWithCountersAsMonotonicSumsGaugesAsGaugesAndLabelsAsAttributes(OtlpExportProtocol protocol)
    {
        await using var receiver = await OtlpMetricsReceiver.StartAsync(Cancel);
        const string scrape = """
            # TYPE prosody_mod_c2s__connections gauge
            prosody_mod_c2s__connections{host="chat.dev.localhost",ip_family="ipv4",type="c2s"} 2
            prosody_mod_c2s__connections{host="chat.dev.localhost",ip_family="ipv4",type="c2s_unauthed"} 1
            # TYPE prosody_mod_c2s__encrypted counter
            prosody_mod_c2s__encrypted_total{protocol="TLSv1.3"} 5
            # TYPE prosody_stats_collection_seconds histogram
            # UNIT prosody_stats_collection_seconds seconds
            prosody_stats_collection_seconds_bucket{le="0.001"} 3
            prosody_stats_collection_seconds_bucket{le="+Inf"} 4
            prosody_stats_collection_seconds_count 4
            prosody_stats_collection_seconds_sum 0.25
            # EOF
            """;

        // A service name of its own: a bridge listens to its meter by name process-wide, and other tests may run a "chat" bridge alongside.
        var endpoint = protocol == OtlpExportProtocol.Grpc ? receiver.GrpcEndpoint : new Uri(receiver.Endpoint, "/v1/metrics");
        using (var bridge = new ProsodyMetricsBridge($"bridge-{protocol}", "abcd1234", new OtlpTarget(endpoint, protocol, "key")))
        {
            bridge.Update(OpenMetricsText.Parse(scrape));
            await receiver.WaitForExportAsync(e => e.ResourceMetrics.SelectMany(r => r.Metrics).Any(m => m.NumberDataPoints.Count > 0), ExportTimeout, "the scrape", includeEarlier: true, Cancel);
        }

        var export = receiver.Exports.Last(e => e.ResourceMetrics.SelectMany(r => r.Metrics).Any(m => m.NumberDataPoints.Count > 0));
        Assert.Equal("key", export.ApiKey);
        var resource = Assert.Single(export.ResourceMetrics);
        Assert.Equal(($"bridge-{protocol}", "abcd1234"), (resource.ServiceName, resource.ServiceInstanceId));
        var metrics = resource.Metrics.ToDictionary(m => m.Name);

        var connections = metrics["prosody_mod_c2s__connections"];
        Assert.Equal(Metric.DataOneofCase.Gauge, connections.DataCase);
        var c2s = Assert.Single(connections.Gauge.DataPoints, p => Equals(p.Attributes.ValueOf("type"), "c2s"));
        Assert.Equal(2, c2s.Value);
        Assert.Equal("chat.dev.localhost", c2s.Attributes.ValueOf("host"));
        Assert.Equal("ipv4", c2s.Attributes.ValueOf("ip_family"));

        var encrypted = metrics["prosody_mod_c2s__encrypted"];
        Assert.Equal((Metric.DataOneofCase.Sum, true, AggregationTemporality.Cumulative), (encrypted.DataCase, encrypted.Sum.IsMonotonic, encrypted.Sum.AggregationTemporality));
        Assert.Equal(5, Assert.Single(encrypted.Sum.DataPoints).Value);

        // A pre-aggregated histogram arrives as its count, sum (in the OpenTelemetry unit) and buckets by "le".
        Assert.Equal(4, Assert.Single(metrics["prosody_stats_collection_seconds_count"].NumberDataPoints).Value);
        Assert.Equal("s", metrics["prosody_stats_collection_seconds_sum"].Unit);
        Assert.Equal(0.25, Assert.Single(metrics["prosody_stats_collection_seconds_sum"].NumberDataPoints).Value);
        var buckets = metrics["prosody_stats_collection_seconds_bucket"];
        Assert.Equal(Metric.DataOneofCase.Sum, buckets.DataCase);
        Assert.Equal(["0.001", "+Inf"], buckets.Sum.DataPoints.Select(p => (string)p.Attributes.ValueOf("le")!));
    }
}
