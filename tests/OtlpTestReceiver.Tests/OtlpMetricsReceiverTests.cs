using System.Diagnostics.Metrics;
using System.Net;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OtlpTestReceiver.Proto;
// OpenTelemetry.Metrics has SDK types of the same names.
using AggregationTemporality = OtlpTestReceiver.Proto.AggregationTemporality;
using Metric = OtlpTestReceiver.Proto.Metric;

namespace OtlpTestReceiver.Tests;

/// <summary>
/// The receiver against the real OpenTelemetry SDK exporter on loopback, over both OTLP transports: it must
/// understand every kind of metric the SDK sends, or the metrics tests would fail for the receiver's sake and not the
/// package's.
/// </summary>
public class OtlpMetricsReceiverTests
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf, "/v1/metrics", "application/x-protobuf")]
    [InlineData(OtlpExportProtocol.Grpc, "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", "application/grpc")]
    public async Task TheReceiverDecodesSumsGaugesAndBothKindsOfHistogramFromTheOpenTelemetrySdk(OtlpExportProtocol protocol, string path, string contentType)
    {
        await using var receiver = await OtlpMetricsReceiver.StartAsync(TestContext.Current.CancellationToken);
        using var meter = new Meter("Otlp.Reader.Test");
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddView("size", new Base2ExponentialBucketHistogramConfiguration())
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = protocol == OtlpExportProtocol.Grpc ? receiver.GrpcEndpoint : new Uri(receiver.Endpoint, "/v1/metrics");
                exporter.Protocol = protocol;
                exporter.Headers = $"{OtlpMetricsReceiver.ApiKeyHeader}=secret";
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build())
        {
            meter.CreateCounter<long>("requests").Add(3, new KeyValuePair<string, object?>("route", "/a"));
            meter.CreateUpDownCounter<long>("queue").Add(-2);
            meter.CreateHistogram<double>("latency", "ms").Record(12.5);
            meter.CreateHistogram<double>("size", "By").Record(1024);
            meter.CreateObservableGauge("temperature", () => 21.5);
            Assert.True(provider.ForceFlush(10_000));
        }

        var export = await receiver.WaitForExportAsync(e => e.ResourceMetrics.Count > 0, ExportTimeout, "the SDK's instruments", includeEarlier: true, TestContext.Current.CancellationToken);
        Assert.Equal((path, "secret"), (export.Path, export.ApiKey));
        Assert.StartsWith(contentType, export.ContentType, StringComparison.Ordinal);
        var metrics = export.ResourceMetrics.SelectMany(r => r.ScopeMetrics).Single(s => s.Scope.Name == meter.Name).Metrics.ToDictionary(m => m.Name);
        var requests = metrics["requests"];
        Assert.Equal((Metric.DataOneofCase.Sum, true), (requests.DataCase, requests.Sum.IsMonotonic));
        Assert.Equal(3, Assert.Single(requests.Sum.DataPoints).AsInt);
        Assert.Equal("/a", requests.Sum.DataPoints[0].Attributes.ValueOf("route"));
        Assert.Equal((Metric.DataOneofCase.Sum, false), (metrics["queue"].DataCase, metrics["queue"].Sum.IsMonotonic));
        Assert.Equal(-2, Assert.Single(metrics["queue"].Sum.DataPoints).Value);
        var latency = metrics["latency"];
        Assert.Equal((Metric.DataOneofCase.Histogram, AggregationTemporality.Cumulative, "ms"), (latency.DataCase, latency.Histogram.AggregationTemporality, latency.Unit));
        var histogram = Assert.Single(latency.Histogram.DataPoints);
        Assert.Equal((1ul, 12.5), (histogram.Count, histogram.Sum));
        var size = metrics["size"];
        Assert.Equal((Metric.DataOneofCase.ExponentialHistogram, "By"), (size.DataCase, size.Unit));
        var exponential = Assert.Single(size.ExponentialHistogram.DataPoints);
        Assert.Equal((1ul, 1024.0, 1ul), (exponential.Count, exponential.Sum, exponential.Positive.BucketCounts.Aggregate(0ul, (a, b) => a + b)));
        Assert.Equal(Metric.DataOneofCase.Gauge, metrics["temperature"].DataCase);
        Assert.Equal(21.5, Assert.Single(metrics["temperature"].Gauge.DataPoints).AsDouble);
        Assert.Empty(receiver.Rejected);
    }

    [Fact]
    public async Task TheReceiverRejectsOtlpJsonAndOtherPathsAndRecordsWhy()
    {
        await using var receiver = await OtlpMetricsReceiver.StartAsync(TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = receiver.Endpoint };

        using var json = await http.PostAsync("/v1/metrics", new StringContent("{}", null, "application/json"), TestContext.Current.CancellationToken);
        using var traces = await http.PostAsync("/v1/traces", new ByteArrayContent([]), TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, HttpStatusCode.NotFound), (json.StatusCode, traces.StatusCode));
        Assert.Equal(["content type application/json; charset=utf-8", "POST /v1/traces"], receiver.Rejected);
        Assert.Empty(receiver.Exports);
    }
}
