using Grpc.Core;
using OtlpTestReceiver.Proto;

namespace OtlpTestReceiver;

/// <summary>The OTLP/gRPC <c>MetricsService</c>: hands every export to the receiver and accepts it whole.</summary>
internal sealed class OtlpMetricsGrpcService(OtlpMetricsReceiver receiver) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext().Request;
        receiver.Record(new OtlpExport(DateTime.UtcNow, http.Path, http.ContentType, context.RequestHeaders.GetValue(OtlpMetricsReceiver.ApiKeyHeader), request));
        return Task.FromResult(new ExportMetricsServiceResponse());
    }
}
