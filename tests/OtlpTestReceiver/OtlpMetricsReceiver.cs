using System.IO.Compression;
using System.Net;
using System.Net.Sockets;

namespace OtlpTestReceiver;

/// <summary>One OTLP/HTTP export as it arrived: when, with which content type and API key, and what it held.</summary>
public sealed record OtlpExport(DateTime ReceivedAt, string Path, string? ContentType, string? ApiKey, IReadOnlyList<OtlpResourceMetrics> ResourceMetrics);

/// <summary>
/// A minimal OTLP/HTTP metrics receiver (what the dashboard's <c>otlp-http</c> endpoint is to an exporter) on a free
/// loopback port: it accepts <c>POST /v1/metrics</c> with <c>application/x-protobuf</c>, answers with an empty
/// <c>ExportMetricsServiceResponse</c>, and keeps every decoded export for the test to read back.
/// </summary>
public sealed class OtlpMetricsReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<OtlpExport> _exports = [];
    private readonly List<string> _rejected = [];
    private readonly Task _loop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpMetricsReceiver(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"{Endpoint}");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>The base URL to configure as <c>ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL</c>; exporters post to <c>/v1/metrics</c> under it.</summary>
    public Uri Endpoint { get; }

    public static OtlpMetricsReceiver Start()
    {
        // HttpListener cannot bind port 0: take a free port from the OS, then listen on it.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new OtlpMetricsReceiver(port);
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

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url?.AbsolutePath ?? "";
        var contentType = request.ContentType;
        string? problem = null;
        try
        {
            using var body = new MemoryStream();
            var input = request.Headers["Content-Encoding"] == "gzip" ? new GZipStream(request.InputStream, CompressionMode.Decompress) : request.InputStream;
            await input.CopyToAsync(body);
            if (request.HttpMethod != "POST" || path != "/v1/metrics")
            {
                problem = $"{request.HttpMethod} {path}";
            }
            else if (contentType?.Split(';')[0].Trim() != "application/x-protobuf")
            {
                problem = $"content type {contentType}";
            }
            else
            {
                var export = new OtlpExport(DateTime.UtcNow, path, contentType, request.Headers["x-otlp-api-key"], OtlpMetricsProtobuf.DecodeExportRequest(body.ToArray()));
                Record(export, null);
            }
        }
        catch (FormatException ex)
        {
            problem = $"undecodable body: {ex.Message}";
        }

        if (problem is not null)
        {
            Record(null, problem);
        }

        // An empty ExportMetricsServiceResponse: everything accepted.
        context.Response.StatusCode = problem is null ? 200 : 400;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.ContentLength64 = 0;
        context.Response.Close();
    }

    private void Record(OtlpExport? export, string? problem)
    {
        lock (_exports)
        {
            if (export is not null)
            {
                _exports.Add(export);
            }
            else
            {
                _rejected.Add(problem!);
            }

            var changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
