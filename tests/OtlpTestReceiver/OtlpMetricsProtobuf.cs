using System.Buffers.Binary;
using System.Text;

namespace OtlpTestReceiver;

/// <summary>The data kind of an OTLP metric: the field number of its <c>data</c> oneof in <c>Metric</c>.</summary>
public enum OtlpMetricKind
{
    Unknown = 0,
    Gauge = 5,
    Sum = 7,
    Histogram = 9,
    ExponentialHistogram = 10,
    Summary = 11,
}

/// <summary>AggregationTemporality in metrics.proto.</summary>
public enum OtlpTemporality
{
    Unspecified = 0,
    Delta = 1,
    Cumulative = 2,
}

public sealed record OtlpDataPoint(IReadOnlyDictionary<string, object?> Attributes, double? Value, ulong StartTimeUnixNano, ulong TimeUnixNano);

public sealed record OtlpMetric(
    string Name,
    string Description,
    string Unit,
    OtlpMetricKind Kind,
    bool IsMonotonic,
    OtlpTemporality Temporality,
    IReadOnlyList<OtlpDataPoint> DataPoints);

public sealed record OtlpScopeMetrics(string ScopeName, IReadOnlyList<OtlpMetric> Metrics);

public sealed record OtlpResourceMetrics(IReadOnlyDictionary<string, object?> ResourceAttributes, IReadOnlyList<OtlpScopeMetrics> Scopes)
{
    public string? ServiceName => ResourceAttributes.GetValueOrDefault("service.name") as string;

    public string? ServiceInstanceId => ResourceAttributes.GetValueOrDefault("service.instance.id") as string;

    public IEnumerable<OtlpMetric> Metrics => Scopes.SelectMany(s => s.Metrics);
}

/// <summary>
/// Decodes an OTLP <c>ExportMetricsServiceRequest</c> (opentelemetry/proto/collector/metrics/v1) from protobuf, by
/// hand: just the fields the tests look at, skipping every other field by its wire type as protobuf requires.
/// </summary>
public static class OtlpMetricsProtobuf
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    /// <summary>ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }</summary>
    public static IReadOnlyList<OtlpResourceMetrics> DecodeExportRequest(ReadOnlySpan<byte> message)
    {
        var result = new List<OtlpResourceMetrics>();
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == 1 && wireType == WireLengthDelimited)
            {
                result.Add(DecodeResourceMetrics(reader.Bytes()));
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return result;
    }

    /// <summary>ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }</summary>
    private static OtlpResourceMetrics DecodeResourceMetrics(ReadOnlySpan<byte> message)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var scopes = new List<OtlpScopeMetrics>();
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireLengthDelimited):
                    // Resource { repeated KeyValue attributes = 1; }
                    var resource = new Reader(reader.Bytes());
                    while (resource.Next(out var resourceField, out var resourceWireType))
                    {
                        if (resourceField == 1 && resourceWireType == WireLengthDelimited)
                        {
                            AddKeyValue(attributes, resource.Bytes());
                        }
                        else
                        {
                            resource.Skip(resourceWireType);
                        }
                    }

                    break;
                case (2, WireLengthDelimited):
                    scopes.Add(DecodeScopeMetrics(reader.Bytes()));
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new(attributes, scopes);
    }

    /// <summary>ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }</summary>
    private static OtlpScopeMetrics DecodeScopeMetrics(ReadOnlySpan<byte> message)
    {
        var scopeName = "";
        var metrics = new List<OtlpMetric>();
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireLengthDelimited):
                    // InstrumentationScope { string name = 1; }
                    var scope = new Reader(reader.Bytes());
                    while (scope.Next(out var scopeField, out var scopeWireType))
                    {
                        if (scopeField == 1 && scopeWireType == WireLengthDelimited)
                        {
                            scopeName = scope.String();
                        }
                        else
                        {
                            scope.Skip(scopeWireType);
                        }
                    }

                    break;
                case (2, WireLengthDelimited):
                    metrics.Add(DecodeMetric(reader.Bytes()));
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new(scopeName, metrics);
    }

    /// <summary>
    /// Metric { string name = 1; string description = 2; string unit = 3; oneof data { Gauge gauge = 5; Sum sum = 7;
    /// Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; Summary summary = 11; } }
    /// </summary>
    private static OtlpMetric DecodeMetric(ReadOnlySpan<byte> message)
    {
        string name = "", description = "", unit = "";
        var kind = OtlpMetricKind.Unknown;
        var isMonotonic = false;
        var temporality = OtlpTemporality.Unspecified;
        var points = new List<OtlpDataPoint>();
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireLengthDelimited):
                    name = reader.String();
                    break;
                case (2, WireLengthDelimited):
                    description = reader.String();
                    break;
                case (3, WireLengthDelimited):
                    unit = reader.String();
                    break;
                case (5 or 7 or 9 or 10 or 11, WireLengthDelimited):
                    kind = (OtlpMetricKind)field;
                    // Gauge, Sum and Histogram: data_points = 1; Sum and Histogram: aggregation_temporality = 2;
                    // Sum: is_monotonic = 3. Only Gauge and Sum carry NumberDataPoints.
                    var data = new Reader(reader.Bytes());
                    while (data.Next(out var dataField, out var dataWireType))
                    {
                        switch (dataField, dataWireType)
                        {
                            case (1, WireLengthDelimited) when kind is OtlpMetricKind.Gauge or OtlpMetricKind.Sum:
                                points.Add(DecodeNumberDataPoint(data.Bytes()));
                                break;
                            case (2, WireVarint) when kind is not OtlpMetricKind.Gauge:
                                temporality = (OtlpTemporality)data.Varint();
                                break;
                            case (3, WireVarint) when kind is OtlpMetricKind.Sum:
                                isMonotonic = data.Varint() != 0;
                                break;
                            default:
                                data.Skip(dataWireType);
                                break;
                        }
                    }

                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new(name, description, unit, kind, isMonotonic, temporality, points);
    }

    /// <summary>
    /// NumberDataPoint { fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; oneof value { double as_double = 4;
    /// sfixed64 as_int = 6; } repeated KeyValue attributes = 7; }
    /// </summary>
    private static OtlpDataPoint DecodeNumberDataPoint(ReadOnlySpan<byte> message)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        double? value = null;
        ulong start = 0, time = 0;
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (2, WireFixed64):
                    start = reader.Fixed64();
                    break;
                case (3, WireFixed64):
                    time = reader.Fixed64();
                    break;
                case (4, WireFixed64):
                    value = BitConverter.UInt64BitsToDouble(reader.Fixed64());
                    break;
                case (6, WireFixed64):
                    value = unchecked((long)reader.Fixed64());
                    break;
                case (7, WireLengthDelimited):
                    AddKeyValue(attributes, reader.Bytes());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new(attributes, value, start, time);
    }

    /// <summary>KeyValue { string key = 1; AnyValue value = 2; }</summary>
    private static void AddKeyValue(Dictionary<string, object?> attributes, ReadOnlySpan<byte> message)
    {
        string? key = null;
        object? value = null;
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireLengthDelimited):
                    key = reader.String();
                    break;
                case (2, WireLengthDelimited):
                    value = DecodeAnyValue(reader.Bytes());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        if (key is not null)
        {
            attributes[key] = value;
        }
    }

    /// <summary>AnyValue { oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; … } }</summary>
    private static object? DecodeAnyValue(ReadOnlySpan<byte> message)
    {
        object? value = null;
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireLengthDelimited):
                    value = reader.String();
                    break;
                case (2, WireVarint):
                    value = reader.Varint() != 0;
                    break;
                case (3, WireVarint):
                    value = unchecked((long)reader.Varint());
                    break;
                case (4, WireFixed64):
                    value = BitConverter.UInt64BitsToDouble(reader.Fixed64());
                    break;
                default:
                    // Arrays, key-value lists and bytes: not used by the tests, kept as their raw bytes.
                    value = wireType == WireLengthDelimited ? reader.Bytes().ToArray() : null;
                    if (wireType != WireLengthDelimited)
                    {
                        reader.Skip(wireType);
                    }

                    break;
            }
        }

        return value;
    }

    /// <summary>Reads protobuf wire format: tags, varints, fixed-width numbers and length-delimited fields.</summary>
    private ref struct Reader(ReadOnlySpan<byte> buffer)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _position;

        public bool Next(out int field, out int wireType)
        {
            if (_position >= _buffer.Length)
            {
                field = wireType = 0;
                return false;
            }

            var tag = Varint();
            field = checked((int)(tag >> 3));
            wireType = (int)(tag & 7);
            if (field == 0)
            {
                throw new FormatException("A protobuf field number is 0.");
            }

            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= _buffer.Length)
                {
                    throw new FormatException("A protobuf varint runs past the end of the message.");
                }

                var b = _buffer[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new FormatException("A protobuf varint is longer than 10 bytes.");
        }

        public ulong Fixed64()
        {
            var value = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
            return value;
        }

        public ReadOnlySpan<byte> Bytes() => Take(checked((int)Varint()));

        public string String() => Encoding.UTF8.GetString(Bytes());

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case WireVarint:
                    Varint();
                    break;
                case WireFixed64:
                    Take(8);
                    break;
                case WireLengthDelimited:
                    Bytes();
                    break;
                case WireFixed32:
                    Take(4);
                    break;
                default:
                    throw new FormatException($"Unsupported protobuf wire type {wireType}.");
            }
        }

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length < 0 || _position + length > _buffer.Length)
            {
                throw new FormatException("A protobuf field runs past the end of the message.");
            }

            var slice = _buffer.Slice(_position, length);
            _position += length;
            return slice;
        }
    }
}
