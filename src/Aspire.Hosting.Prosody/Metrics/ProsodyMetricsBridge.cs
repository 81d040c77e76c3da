using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Aspire.Hosting.Prosody.Metrics;

/// <summary>
/// Re-publishes one Prosody container's OpenMetrics scrape as OpenTelemetry instruments and exports them over
/// OTLP, under the container's own service name and instance id, so the dashboard shows them under the resource.
/// Counters stay counters and gauges stay gauges, with every label as an attribute; a histogram or summary
/// becomes its <c>_count</c>, <c>_sum</c> and <c>_bucket</c> (by <c>le</c>) counters, since OpenTelemetry cannot
/// observe a pre-aggregated histogram.
/// </summary>
internal sealed class ProsodyMetricsBridge : IDisposable
{
    private readonly Meter _meter;
    private readonly MeterProvider _provider;
    private readonly HashSet<string> _instruments = new(StringComparer.Ordinal);
    private volatile IReadOnlyDictionary<string, OpenMetricsFamily> _latest = new Dictionary<string, OpenMetricsFamily>();

    /// <summary>How long an export may take before it is given up; the next scrape exports again.</summary>
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(5);

    public ProsodyMetricsBridge(string serviceName, string instanceId, OtlpTarget target)
    {
        // One meter name per resource: a provider listens to meters by name, and each resource has its own provider.
        _meter = new Meter($"Prosody.{serviceName}");
        _provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.Clear().AddService(serviceName, serviceInstanceId: instanceId))
            .AddMeter(_meter.Name)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = target.Endpoint;
                exporter.Protocol = target.Protocol;
                exporter.Headers = target.ApiKey is null ? null : $"x-otlp-api-key={target.ApiKey}";
                // No timer of its own: Update exports each scrape at once. A second timer beside the scrape's cost the
                // AppHost a wake-up per interval, and made the dashboard up to an interval staler (bench/README.md, (g)).
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = Timeout.Infinite;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();
    }

    /// <summary>
    /// Replaces the values the instruments report, creates instruments for families seen for the first time, and
    /// exports them (blocking until the export is done or has timed out).
    /// </summary>
    public void Update(IReadOnlyList<OpenMetricsFamily> families)
    {
        Replace(families);
        _provider.ForceFlush((int)ExportTimeout.TotalMilliseconds);
    }

    /// <summary>The first half of <see cref="Update"/>, without the export.</summary>
    internal void Replace(IReadOnlyList<OpenMetricsFamily> families)
    {
        _latest = families.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var family in families)
        {
            if (!_instruments.Add(family.Name))
            {
                continue;
            }

            var name = family.Name;
            var unit = Unit(family.Unit);
            switch (family.Type)
            {
                case OpenMetricsType.Counter:
                    _meter.CreateObservableCounter(name, () => Observe(name, name + "_total", name), unit, family.Help);
                    break;
                case OpenMetricsType.Histogram or OpenMetricsType.Summary or OpenMetricsType.GaugeHistogram:
                    _meter.CreateObservableCounter(name + "_count", () => Observe(name, name + "_count"), null, family.Help);
                    _meter.CreateObservableCounter(name + "_sum", () => Observe(name, name + "_sum"), unit, family.Help);
                    if (family.Type == OpenMetricsType.Summary)
                    {
                        _meter.CreateObservableGauge(name, () => Observe(name, name), unit, family.Help);
                    }
                    else
                    {
                        _meter.CreateObservableCounter(name + "_bucket", () => Observe(name, name + "_bucket"), null, family.Help);
                    }

                    break;
                default:
                    _meter.CreateObservableGauge(name, () => Observe(name, name), unit, family.Help);
                    break;
            }
        }
    }

    public void Dispose()
    {
        // Disposing the provider flushes what was collected last.
        _provider.Dispose();
        _meter.Dispose();
    }

    private IEnumerable<Measurement<double>> Observe(string family, params string[] sampleNames)
    {
        if (!_latest.TryGetValue(family, out var snapshot))
        {
            yield break;
        }

        foreach (var sample in snapshot.Samples)
        {
            if (sampleNames.Contains(sample.Name) && double.IsFinite(sample.Value))
            {
                yield return new Measurement<double>(sample.Value, sample.Labels.Select(l => new KeyValuePair<string, object?>(l.Key, l.Value)).ToArray());
            }
        }
    }

    private static string? Unit(string? unit) => unit switch
    {
        null or "" => null,
        "seconds" => "s",
        "bytes" => "By",
        _ => unit,
    };
}

/// <summary>Where OTLP goes: the dashboard's endpoint, its protocol, and the API key it expects.</summary>
internal sealed record OtlpTarget(Uri Endpoint, OtlpExportProtocol Protocol, string? ApiKey);
