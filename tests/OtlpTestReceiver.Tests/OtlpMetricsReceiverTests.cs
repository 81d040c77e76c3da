using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace OtlpTestReceiver.Tests;

/// <summary>
/// The receiver against the real OpenTelemetry SDK exporter on loopback: its protobuf reader must understand every
/// kind of metric the SDK sends, or the metrics tests would fail for the receiver's sake and not the package's.
/// </summary>
public class OtlpMetricsReceiverTests
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheReceiverDecodesIntegerSumsNonMonotonicSumsAndHistogramsFromTheOpenTelemetrySdk()
    {
        await using var receiver = OtlpMetricsReceiver.Start();
        using var meter = new Meter("Otlp.Reader.Test");
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri(receiver.Endpoint, "/v1/metrics");
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build())
        {
            meter.CreateCounter<long>("requests").Add(3, new KeyValuePair<string, object?>("route", "/a"));
            meter.CreateUpDownCounter<long>("queue").Add(-2);
            meter.CreateHistogram<double>("latency", "ms").Record(12.5);
            Assert.True(provider.ForceFlush(10_000));
        }

        var export = await receiver.WaitForExportAsync(e => e.ResourceMetrics.Count > 0, ExportTimeout, "the SDK's instruments", includeEarlier: true, TestContext.Current.CancellationToken);
        var metrics = export.ResourceMetrics.SelectMany(r => r.Scopes).Single(s => s.ScopeName == meter.Name).Metrics.ToDictionary(m => m.Name);
        var requests = metrics["requests"];
        Assert.Equal((OtlpMetricKind.Sum, true), (requests.Kind, requests.IsMonotonic));
        Assert.Equal(3, Assert.Single(requests.DataPoints).Value);
        Assert.Equal("/a", requests.DataPoints[0].Attributes["route"]);
        Assert.Equal((OtlpMetricKind.Sum, false), (metrics["queue"].Kind, metrics["queue"].IsMonotonic));
        Assert.Equal(-2, Assert.Single(metrics["queue"].DataPoints).Value);
        Assert.Equal((OtlpMetricKind.Histogram, OtlpTemporality.Cumulative, "ms"), (metrics["latency"].Kind, metrics["latency"].Temporality, metrics["latency"].Unit));
        Assert.Empty(receiver.Rejected);
    }
}
