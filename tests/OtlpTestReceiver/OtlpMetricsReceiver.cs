using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OtlpTestReceiver.Proto;
using Prosody.Tests.Shared;

namespace OtlpTestReceiver;

/// <summary>
/// An OTLP metrics receiver on free loopback ports, standing in for the dashboard's two OTLP endpoints: OTLP/HTTP
/// (<c>POST /v1/metrics</c>, <c>application/x-protobuf</c>) at <see cref="Endpoint"/> and OTLP/gRPC
/// (<c>MetricsService/Export</c>) at <see cref="GrpcEndpoint"/>. It accepts every export and keeps it for the test
/// to read back; anything else is answered with an error and listed in <see cref="Rejected"/>.
/// </summary>
public sealed class OtlpMetricsReceiver : IAsyncDisposable
{
    /// <summary>The header that carries the dashboard's OTLP API key.</summary>
    public const string ApiKeyHeader = "x-otlp-api-key";

    private readonly List<OtlpExport> _exports = [];
    private readonly List<string> _rejected = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    private OtlpMetricsReceiver()
    {
    }

    /// <summary>The base URL to configure as <c>ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL</c>; exporters post to <c>/v1/metrics</c> under it.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The URL to configure as <c>ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL</c>: gRPC over cleartext HTTP/2.</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    public static async Task<OtlpMetricsReceiver> StartAsync(CancellationToken cancellationToken = default)
    {
        var receiver = new OtlpMetricsReceiver();
        ListenOptions http = null!, grpc = null!;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Without TLS there is no protocol negotiation: one port per protocol, port 0 for a free one.
            kestrel.Listen(TestLoopback.Address, 0, listen => (http = listen).Protocols = HttpProtocols.Http1);
            kestrel.Listen(TestLoopback.Address, 0, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        builder.Services.AddRequestDecompression();
        builder.Services.AddSingleton(receiver);

        var app = builder.Build();
        app.UseRequestDecompression();
        // As a Delegate, so that ASP.NET Core writes the returned result.
        app.MapPost("/v1/metrics", (Delegate)receiver.ReceiveHttpAsync);
        app.MapGrpcService<OtlpMetricsGrpcService>();
        app.MapFallback(context =>
        {
            receiver.Reject($"{context.Request.Method} {context.Request.Path}");
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await app.StartAsync(cancellationToken);

        // Kestrel writes the bound port back into each listener's endpoint.
        receiver._app = app;
        receiver.Endpoint = new Uri($"http://{http.IPEndPoint}");
        receiver.GrpcEndpoint = new Uri($"http://{grpc.IPEndPoint}");
        return receiver;
    }

    public IReadOnlyList<OtlpExport> Exports
    {
        get
        {
            lock (_exports)
            {
                return [.. _exports];
            }
        }
    }

    /// <summary>Requests that were not a decodable OTLP metrics export, with the reason.</summary>
    public IReadOnlyList<string> Rejected
    {
        get
        {
            lock (_exports)
            {
                return [.. _rejected];
            }
        }
    }

    /// <summary>Waits until an export received from now on (or already received, when <paramref name="includeEarlier"/>) satisfies the condition.</summary>
    public async Task<OtlpExport> WaitForExportAsync(Func<OtlpExport, bool> condition, TimeSpan timeout, string what, bool includeEarlier = false, CancellationToken cancellationToken = default)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancel.CancelAfter(timeout);
        int seen;
        lock (_exports)
        {
            seen = includeEarlier ? 0 : _exports.Count;
        }

        while (true)
        {
            Task changed;
            lock (_exports)
            {
                for (; seen < _exports.Count; seen++)
                {
                    if (condition(_exports[seen]))
                    {
                        return _exports[seen];
                    }
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No exported metrics showed {what} within {timeout} ({Exports.Count} exports received, rejected: {string.Join("; ", Rejected)}).");
            }
        }
    }

    internal void Record(OtlpExport export) => Update(() => _exports.Add(export));

    private void Reject(string problem) => Update(() => _rejected.Add(problem));

    private void Update(Action change)
    {
        lock (_exports)
        {
            change();
            var changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.TrySetResult();
        }
    }

    /// <summary>OTLP/HTTP: a binary protobuf <c>ExportMetricsServiceRequest</c>, answered with an empty response (everything accepted).</summary>
    private async Task<IResult> ReceiveHttpAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentType?.Split(';')[0].Trim() != "application/x-protobuf")
        {
            Reject($"content type {request.ContentType}");
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }

        ExportMetricsServiceRequest message;
        try
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, context.RequestAborted);
            message = ExportMetricsServiceRequest.Parser.ParseFrom(body.ToArray());
        }
        catch (InvalidProtocolBufferException ex)
        {
            Reject($"undecodable body: {ex.Message}");
            return Results.BadRequest();
        }

        Record(new OtlpExport(DateTime.UtcNow, request.Path, request.ContentType, request.Headers[ApiKeyHeader], message));
        return Results.Bytes(new ExportMetricsServiceResponse().ToByteArray(), "application/x-protobuf");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
