using OtlpTestReceiver.Proto;

namespace OtlpTestReceiver;

/// <summary>One OTLP export as it arrived: when, where (the HTTP path or the gRPC method), with which content type and API key, and what it held.</summary>
public sealed record OtlpExport(DateTime ReceivedAt, string Path, string? ContentType, string? ApiKey, ExportMetricsServiceRequest Request)
{
    public IList<ResourceMetrics> ResourceMetrics => Request.ResourceMetrics;
}
