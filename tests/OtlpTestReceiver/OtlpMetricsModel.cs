using Google.Protobuf.Collections;

namespace OtlpTestReceiver.Proto;

// Shortcuts over the generated OTLP types for what the tests read most: the resource's identity, every metric of a
// resource, and a number data point's value whichever of its two encodings the exporter chose.

public sealed partial class ResourceMetrics
{
    /// <summary>The <c>service.name</c> resource attribute: the resource the dashboard files the metrics under.</summary>
    public string? ServiceName => Resource?.Attributes.ValueOf("service.name") as string;

    /// <summary>The <c>service.instance.id</c> resource attribute: the replica within that resource.</summary>
    public string? ServiceInstanceId => Resource?.Attributes.ValueOf("service.instance.id") as string;

    /// <summary>The metrics of every instrumentation scope.</summary>
    public IEnumerable<Metric> Metrics => ScopeMetrics.SelectMany(s => s.Metrics);
}

public sealed partial class Metric
{
    /// <summary>The data points of a gauge or a sum; none for the other kinds.</summary>
    public IReadOnlyList<NumberDataPoint> NumberDataPoints => DataCase switch
    {
        DataOneofCase.Gauge => Gauge.DataPoints,
        DataOneofCase.Sum => Sum.DataPoints,
        _ => [],
    };
}

public sealed partial class NumberDataPoint
{
    /// <summary>The value, sent as <c>as_int</c> or <c>as_double</c>.</summary>
    public double Value => ValueCase == ValueOneofCase.AsInt ? AsInt : AsDouble;
}

public static class OtlpAttributes
{
    /// <summary>The value of the attribute with that key (string, bool, long or double; other kinds as their JSON), or null.</summary>
    public static object? ValueOf(this RepeatedField<KeyValue> attributes, string key) =>
        attributes.LastOrDefault(a => a.Key == key)?.Value.ToObject();

    /// <summary>The attribute's value as a plain .NET value.</summary>
    public static object? ToObject(this AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        null or AnyValue.ValueOneofCase.None => null,
        _ => value.ToString(),
    };

    /// <summary>The attributes as "key=value" pairs, for test logs.</summary>
    public static string Format(this RepeatedField<KeyValue> attributes) =>
        string.Join(",", attributes.Select(a => $"{a.Key}={a.Value.ToObject()}"));
}
