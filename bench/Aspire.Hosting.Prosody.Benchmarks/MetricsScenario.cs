using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Aspire.Hosting.Prosody.Load;
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
/// exports, so that the process is otherwise idle. The bridge scrapes, parses and updates every 2 s and exports every
/// 2 s, as the forwarder does; CPU time and allocations are read for the whole process over the same span with and
/// without the bridge, and the difference is divided by the number of scrapes. Staleness: for each export, the time
/// from the scrape whose values it carries to its arrival at the listener.
/// </remarks>
internal sealed class MetricsScenario(BenchmarkOptions options, Scenarios scenarios)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public async Task RunAsync()
    {
        var text = await ScrapeLoadedProsodyAsync();
        var families = OpenMetricsText.Parse(text);
        Console.WriteLine($"  (g) Prosody's metric set: {text.Length / 1024.0:0.0} KiB of text, {families.Count} families, {families.Sum(f => f.Samples.Count)} samples");

        using var listener = new HttpListener();
        var port = Scenarios.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var exports = new ConcurrentQueue<long>();
        var exportBytes = 0L;
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

                if (context.Request.HttpMethod == "POST")
                {
                    using var body = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(body);
                    Interlocked.Add(ref exportBytes, body.Length);
                    exports.Enqueue(Stopwatch.GetTimestamp());
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                else
                {
                    var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                    context.Response.ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            }
        });

        var span = TimeSpan.FromSeconds(20 * options.Runs);
        var (idleCpu, idleAllocated) = await MeasureAsync(span, null);
        var scrapes = new List<long>();
        var (bridgeCpu, bridgeAllocated) = await MeasureAsync(span, async stop =>
        {
            using var bridge = new ProsodyMetricsBridge("chat", "bench", new OtlpTarget(new Uri($"http://127.0.0.1:{port}/v1/metrics"), OtlpExportProtocol.HttpProtobuf, null), Interval);
            using var http = new HttpClient();
            using var timer = new PeriodicTimer(Interval);
            try
            {
                do
                {
                    // What the forwarder does on each tick.
                    bridge.Update(OpenMetricsText.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), stop)));
                    lock (scrapes)
                    {
                        scrapes.Add(Stopwatch.GetTimestamp());
                    }
                }
                while (await timer.WaitForNextTickAsync(stop));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });
        listener.Stop();

        var count = scrapes.Count;
        var cpuPerScrape = (bridgeCpu - idleCpu).TotalMilliseconds / count;
        var allocatedPerScrape = (bridgeAllocated - idleAllocated) / (double)count;
        var staleness = exports.Select(arrival =>
        {
            var carried = scrapes.Where(s => s <= arrival).DefaultIfEmpty(0).Max();
            return carried == 0 ? double.NaN : Stopwatch.GetElapsedTime(carried, arrival).TotalMilliseconds;
        }).Where(double.IsFinite).Order().ToList();

        Console.WriteLine();
        Console.WriteLine($"(g) metrics bridge, {count} scrapes and {exports.Count} exports over {span.TotalSeconds:0} s (scrape and export every {Interval.TotalSeconds:0} s):");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    CPU per scrape (parse, update, its share of the export):   {cpuPerScrape:0.00} ms   (aim: < 5 ms)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    allocated per scrape:                                       {allocatedPerScrape / 1024:0} KiB"));
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
        await ChatLoad.RunRoundAsync("metrics", 1, chat.Resource, secret, 200, 5, 2, _ => { }, limit.Token);
        using var http = new HttpClient();
        var endpoint = chat.Resource.HttpEndpoint;
        var text = await http.GetStringAsync(new Uri($"http://{endpoint.Host}:{endpoint.Port}/metrics"), limit.Token);
        await app.StopAsync(CancellationToken.None);
        return text;
    }
}
