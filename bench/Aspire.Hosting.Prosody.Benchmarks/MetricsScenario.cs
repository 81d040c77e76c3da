using System.Collections.Concurrent;
using System.Net;
using Aspire.Hosting.Prosody.Metrics;
using OpenTelemetry.Exporter;

namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>
/// (g) The metrics bridge: what it costs the AppHost per scrape of Prosody's full metric set, and how far the
/// dashboard lags behind Prosody.
/// </summary>
/// <remarks>
/// A real Prosody under load (one round of 200 clients, so that every family has its labels) provides the
/// <c>/metrics</c> text; the app is then stopped, and a loopback listener serves that text and accepts the OTLP
/// exports, so that the process is otherwise idle. Every 2 s the bridge scrapes, parses, replaces its values and
/// exports, as the forwarder does; CPU time and allocations are read for the whole process over the same span idle, with
/// the bridge, and with the same GET and POST but no bridge; the differences are divided by the number of scrapes.
/// Staleness: for each export, the time from the scrape whose values it carries to its arrival at the listener.
/// </remarks>
internal sealed class MetricsScenario(BenchmarkOptions options, Scenarios scenarios)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private (double CpuMilliseconds, double AllocatedBytes) _parseUpdate;

    public async Task RunAsync()
    {
        var text = await ScrapeLoadedProsodyAsync();
        var families = OpenMetricsText.Parse(text);
        Console.WriteLine($"  (g) Prosody's metric set: {text.Length / 1024.0:0.0} KiB of text, {families.Count} families, {families.Sum(f => f.Samples.Count)} samples");

        // The bridge's own work, without any I/O: parse the text and hand the families to the instruments (no export).
        using (var quiet = new ProsodyMetricsBridge("parse", "bench", new OtlpTarget(new Uri("http://127.0.0.1:9/v1/metrics"), OtlpExportProtocol.HttpProtobuf, null)))
        {
            const int Iterations = 2000;
            for (var i = 0; i < 200; i++)
            {
                quiet.Replace(OpenMetricsText.Parse(text));
            }

            using var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Iterations; i++)
            {
                quiet.Replace(OpenMetricsText.Parse(text));
            }

            self.Refresh();
            _parseUpdate = ((self.TotalProcessorTime - cpu).TotalMilliseconds / Iterations, (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)Iterations);
        }

        using var listener = new HttpListener();
        var port = Scenarios.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var exports = new ConcurrentQueue<long>();
        var exportBytes = 0L;
        var textBytes = System.Text.Encoding.UTF8.GetBytes(text);
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                try
                {
                    if (context.Request.HttpMethod == "POST")
                    {
                        using var body = new MemoryStream();
                        await context.Request.InputStream.CopyToAsync(body);
                        if (context.Request.Url?.AbsolutePath == "/v1/metrics")
                        {
                            Interlocked.Add(ref exportBytes, body.Length);
                            exports.Enqueue(Stopwatch.GetTimestamp());
                        }

                        context.Response.StatusCode = 200;
                        context.Response.Close();
                    }
                    else
                    {
                        context.Response.ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
                        await context.Response.OutputStream.WriteAsync(textBytes);
                        context.Response.Close();
                    }
                }
                catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
                {
                    // A request abandoned when a measured span ended.
                }
            }
        });

        var span = TimeSpan.FromSeconds(20 * options.Runs);
        var scrapes = new List<long>();
        Func<CancellationToken, Task> Cycle(TimeSpan interval) => async stop =>
        {
            using var bridge = new ProsodyMetricsBridge("chat", "bench", new OtlpTarget(new Uri($"http://127.0.0.1:{port}/v1/metrics"), OtlpExportProtocol.HttpProtobuf, null));
            using var http = new HttpClient();
            using var timer = new PeriodicTimer(interval);
            try
            {
                do
                {
                    // What the forwarder does on each tick.
                    var scraped = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), stop);
                    lock (scrapes)
                    {
                        scrapes.Add(Stopwatch.GetTimestamp());
                    }

                    bridge.Update(OpenMetricsText.Parse(scraped));
                }
                while (await timer.WaitForNextTickAsync(stop));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        };

        // First 100 quick cycles, not counted: the runtime optimises a method after its first 30 calls, and an AppHost
        // that runs for more than a minute or two runs the optimised code.
        await MeasureAsync(TimeSpan.FromMilliseconds(50) * 100, Cycle(TimeSpan.FromMilliseconds(50)));
        scrapes.Clear();
        exports.Clear();
        Interlocked.Exchange(ref exportBytes, 0);
        var (idleCpu, idleAllocated) = await MeasureAsync(span, null);
        var (bridgeCpu, bridgeAllocated) = await MeasureAsync(span, Cycle(Interval));

        // The same requests without the bridge: a GET of the text and a POST of an export's size, on the same timer.
        // What this costs (both ends of the HTTP, the stand-in server, waking up every 2 s) is not the bridge's.
        var exportSize = exports.IsEmpty ? 0 : (int)(Interlocked.Read(ref exportBytes) / exports.Count);
        var requests = 0;
        var (httpCpu, httpAllocated) = await MeasureAsync(span, async stop =>
        {
            using var http = new HttpClient();
            using var timer = new PeriodicTimer(Interval);
            var payload = new byte[exportSize];
            try
            {
                do
                {
                    await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), stop);
                    using var content = new ByteArrayContent(payload);
                    (await http.PostAsync(new Uri($"http://127.0.0.1:{port}/not-an-export"), content, stop)).Dispose();
                    requests++;
                }
                while (await timer.WaitForNextTickAsync(stop));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });
        listener.Stop();

        var count = scrapes.Count;
        var httpPerCycle = (httpCpu - idleCpu).TotalMilliseconds / Math.Max(requests, 1);
        var cpuPerScrape = (bridgeCpu - idleCpu).TotalMilliseconds / count;
        var allocatedPerScrape = (bridgeAllocated - idleAllocated) / (double)count;
        var staleness = exports.Select(arrival =>
        {
            var carried = scrapes.Where(s => s <= arrival).DefaultIfEmpty(0).Max();
            return carried == 0 ? double.NaN : Stopwatch.GetElapsedTime(carried, arrival).TotalMilliseconds;
        }).Where(double.IsFinite).Order().ToList();

        Console.WriteLine();
        Console.WriteLine($"(g) metrics bridge, {count} scrapes and {exports.Count} exports over {span.TotalSeconds:0} s (scrape and export every {Interval.TotalSeconds:0} s):");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    parse + replace values alone (no I/O), per scrape:         {_parseUpdate.CpuMilliseconds:0.000} ms CPU, {_parseUpdate.AllocatedBytes / 1024:0} KiB allocated"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    whole cycle per scrape (HTTP GET, parse, replace, export;   {cpuPerScrape:0.00} ms CPU"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      the loopback server answering both is in this process):  {allocatedPerScrape / 1024:0} KiB allocated"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    the same GET and POST without the bridge, per cycle:       {httpPerCycle:0.00} ms CPU, {(httpAllocated - idleAllocated) / (double)Math.Max(requests, 1) / 1024:0} KiB allocated"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    the bridge's share per scrape (difference):                 {cpuPerScrape - httpPerCycle:0.00} ms CPU   (aim: < 5 ms)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    OTLP bytes per export:                                      {(exports.IsEmpty ? 0 : exportBytes / exports.Count / 1024.0):0.0} KiB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    staleness, scrape → export arrives:                         p50 {ChatLoad.Percentile(staleness, 0.5):0} ms, max {(staleness.Count == 0 ? double.NaN : staleness[^1]):0} ms"));
        Console.WriteLine("    Prosody computes its statistics when scraped (statistics_interval = \"manual\"), so the scrape itself is current.");
    }

    /// <summary>The process's CPU time and allocations over <paramref name="span"/>, with <paramref name="work"/> running (or idle).</summary>
    private static async Task<(TimeSpan Cpu, long Allocated)> MeasureAsync(TimeSpan span, Func<CancellationToken, Task>? work)
    {
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        using var stop = new CancellationTokenSource(span);
        if (work is null)
        {
            await Task.Delay(span);
        }
        else
        {
            await work(stop.Token);
        }

        process.Refresh();
        return (process.TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    /// <summary>Prosody's /metrics after a load round, so that the metric set is what a busy server reports.</summary>
    private async Task<string> ScrapeLoadedProsodyAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var builder = scenarios.CreateBuilder();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var chat = builder.AddProsody("chat").WithLoadUsers(200, builder.AddParameter("load-password", secret, secret: true));
        await using var app = await builder.BuildAsync(limit.Token);
        await app.StartAsync(limit.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("chat", limit.Token);
        await ChatLoad.RunRoundAsync("metrics", 1, chat.Resource, secret, 200, 5, 2, _ => { }, Scenarios.TrustAnchor(app, chat.Resource), limit.Token);
        using var http = new HttpClient();
        var endpoint = chat.Resource.HttpEndpoint;
        var text = await http.GetStringAsync(new Uri($"http://{endpoint.Host}:{endpoint.Port}/metrics"), limit.Token);
        await app.StopAsync(CancellationToken.None);
        return text;
    }
}
