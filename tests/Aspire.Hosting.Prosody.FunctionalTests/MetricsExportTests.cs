using Aspire.Hosting.Prosody.Metrics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// The OTLP path without containers: the bridge's real OpenTelemetry exporter posts to the in-test receiver. It lives
/// here rather than in the unit tests because it needs both the package's internal bridge and the OTLP receiver.
/// </summary>
public class MetricsExportTests
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheBridgeExportsAScrapeAsTheResourceWithCountersAsMonotonicSumsGaugesAsGaugesAndLabelsAsAttributes()
    {
        await using var receiver = OtlpMetricsReceiver.Start();
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

        using (var bridge = new ProsodyMetricsBridge("chat", "abcd1234", new OtlpTarget(new Uri(receiver.Endpoint, "/v1/metrics"), OtlpExportProtocol.HttpProtobuf, "key"), TimeSpan.FromMilliseconds(200)))
        {
            bridge.Update(OpenMetricsText.Parse(scrape));
            await receiver.WaitForExportAsync(e => e.ResourceMetrics.SelectMany(r => r.Metrics).Any(m => m.DataPoints.Count > 0), ExportTimeout, "the scrape", includeEarlier: true, Cancel);
        }

        var export = receiver.Exports.Last(e => e.ResourceMetrics.SelectMany(r => r.Metrics).Any(m => m.DataPoints.Count > 0));
        Assert.Equal("key", export.ApiKey);
        var resource = Assert.Single(export.ResourceMetrics);
        Assert.Equal(("chat", "abcd1234"), (resource.ServiceName, resource.ServiceInstanceId));
        var metrics = resource.Metrics.ToDictionary(m => m.Name);

        var connections = metrics["prosody_mod_c2s__connections"];
        Assert.Equal(OtlpMetricKind.Gauge, connections.Kind);
        var c2s = Assert.Single(connections.DataPoints, p => Equals(p.Attributes["type"], "c2s"));
        Assert.Equal(2, c2s.Value);
        Assert.Equal("chat.dev.localhost", c2s.Attributes["host"]);
        Assert.Equal("ipv4", c2s.Attributes["ip_family"]);

        var encrypted = metrics["prosody_mod_c2s__encrypted"];
        Assert.Equal((OtlpMetricKind.Sum, true, OtlpTemporality.Cumulative), (encrypted.Kind, encrypted.IsMonotonic, encrypted.Temporality));
        Assert.Equal(5, Assert.Single(encrypted.DataPoints).Value);

        // A pre-aggregated histogram arrives as its count, sum (in the OpenTelemetry unit) and buckets by "le".
        Assert.Equal(4, Assert.Single(metrics["prosody_stats_collection_seconds_count"].DataPoints).Value);
        Assert.Equal("s", metrics["prosody_stats_collection_seconds_sum"].Unit);
        Assert.Equal(0.25, Assert.Single(metrics["prosody_stats_collection_seconds_sum"].DataPoints).Value);
        var buckets = metrics["prosody_stats_collection_seconds_bucket"];
        Assert.Equal(OtlpMetricKind.Sum, buckets.Kind);
        Assert.Equal(["0.001", "+Inf"], buckets.DataPoints.Select(p => (string)p.Attributes["le"]!));
    }
}
