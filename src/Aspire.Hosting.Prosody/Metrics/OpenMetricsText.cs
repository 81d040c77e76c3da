using System.Globalization;

namespace Aspire.Hosting.Prosody.Metrics;

/// <summary>The kind of a metric family, as the exposition's <c># TYPE</c> line declares it.</summary>
internal enum OpenMetricsType
{
    Unknown,
    Counter,
    Gauge,
    Histogram,
    Summary,
    StateSet,
    Info,
    GaugeHistogram,
}

internal sealed record OpenMetricsSample(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value);

internal sealed class OpenMetricsFamily(string name)
{
    public string Name { get; } = name;

    public OpenMetricsType Type { get; set; }

    public string? Help { get; set; }

    public string? Unit { get; set; }

    public List<OpenMetricsSample> Samples { get; } = [];
}

/// <summary>
/// Parses the OpenMetrics / Prometheus text exposition that Prosody's mod_http_openmetrics serves. Lines it cannot
/// read are skipped rather than failing the whole scrape.
/// </summary>
internal static class OpenMetricsText
{
    private static readonly string[] Suffixes = ["_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"];

    public static IReadOnlyList<OpenMetricsFamily> Parse(string text)
    {
        var families = new Dictionary<string, OpenMetricsFamily>(StringComparer.Ordinal);
        var order = new List<OpenMetricsFamily>();

        OpenMetricsFamily Family(string name)
        {
            if (!families.TryGetValue(name, out var family))
            {
                family = new OpenMetricsFamily(name);
                families[name] = family;
                order.Add(family);
            }

            return family;
        }

        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0 || line == "# EOF")
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 3)
                {
                    var family = Family(parts[2]);
                    var rest = parts.Length == 4 ? parts[3] : "";
                    switch (parts[1])
                    {
                        case "TYPE":
                            family.Type = ParseType(rest);
                            break;
                        case "HELP":
                            family.Help = rest;
                            break;
                        case "UNIT":
                            family.Unit = rest.Length > 0 ? rest : null;
                            break;
                    }
                }

                continue;
            }

            if (TryParseSample(line, out var sample))
            {
                Family(FamilyName(sample.Name, families)).Samples.Add(sample);
            }
        }

        return order.Where(f => f.Samples.Count > 0).ToList();
    }

    private static OpenMetricsType ParseType(string type) => type switch
    {
        "counter" => OpenMetricsType.Counter,
        "gauge" => OpenMetricsType.Gauge,
        "histogram" => OpenMetricsType.Histogram,
        "summary" => OpenMetricsType.Summary,
        "stateset" => OpenMetricsType.StateSet,
        "info" => OpenMetricsType.Info,
        "gaugehistogram" => OpenMetricsType.GaugeHistogram,
        _ => OpenMetricsType.Unknown,
    };

    /// <summary>A sample belongs to the declared family whose name it extends with a known suffix.</summary>
    private static string FamilyName(string sampleName, Dictionary<string, OpenMetricsFamily> declared)
    {
        if (declared.ContainsKey(sampleName))
        {
            return sampleName;
        }

        foreach (var suffix in Suffixes)
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) && declared.ContainsKey(sampleName[..^suffix.Length]))
            {
                return sampleName[..^suffix.Length];
            }
        }

        return sampleName;
    }

    private static bool TryParseSample(string line, out OpenMetricsSample sample)
    {
        sample = null!;
        var position = 0;
        while (position < line.Length && line[position] is not ('{' or ' '))
        {
            position++;
        }

        var name = line[..position];
        var labels = new List<KeyValuePair<string, string>>();
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (position < line.Length && line[position] != '}')
            {
                var equals = line.IndexOf('=', position);
                if (equals < 0 || equals + 1 >= line.Length || line[equals + 1] != '"')
                {
                    return false;
                }

                var key = line[position..equals].Trim(' ', ',');
                var (value, end) = ReadQuoted(line, equals + 1);
                if (end < 0)
                {
                    return false;
                }

                labels.Add(new(key, value));
                position = end;
                while (position < line.Length && line[position] is ',' or ' ')
                {
                    position++;
                }
            }

            position++;
        }

        var fields = line[Math.Min(position, line.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (name.Length == 0 || fields.Length == 0 || !TryParseValue(fields[0], out var number))
        {
            return false;
        }

        sample = new OpenMetricsSample(name, labels, number);
        return true;
    }

    private static (string Value, int End) ReadQuoted(string line, int quote)
    {
        var value = new System.Text.StringBuilder();
        for (var i = quote + 1; i < line.Length; i++)
        {
            switch (line[i])
            {
                case '"':
                    return (value.ToString(), i + 1);
                case '\\' when i + 1 < line.Length:
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                    break;
                default:
                    value.Append(line[i]);
                    break;
            }
        }

        return ("", -1);
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf" or "Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
