using Aspire.Hosting.Prosody.Benchmarks;

// Benchmarks of Aspire.Hosting.Prosody under the real orchestrator (see bench/README.md):
//  (a) the lag between the moment Prosody first answers XMPP (an external probe on the published c2s port) and the
//      moment Aspire reports the resource healthy;
//  (b) app start to the first successful login, AddProsody (healthy, then sign in) against a bare container of the
//      same image with no health check (the floor: sign-in attempted in a tight loop);
//  (c) load: many clients sign in at once and exchange messages, run mode's defaults against publish mode's;
//  (d) peers: the same load against AddProsody's default, AddProsody unproxied and the plain container;
//  (e) clients, (f) accounts, (g) metrics: how cost grows; (h) soak: 20 minutes of chat with faults.
var options = BenchmarkOptions.Parse(args);
if (options is null)
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

// The same probe as the functional tests: a runtime that really runs containers, with the image in it.
var (runtime, problem) = ContainerRuntime.Check([options.Image]);
if (runtime is null)
{
    throw new InvalidOperationException($"{problem} {ContainerRuntime.HowToGetOne}");
}

Console.WriteLine($"Aspire.Hosting.Prosody benchmarks: {options.Runs} runs each, probe every {options.ProbeInterval.TotalMilliseconds} ms, " +
    $"image {options.Image}, runtime {runtime}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

var runner = new Scenarios(options);
if (options.Warmup)
{
    // The first app of a process pays for JIT and for the orchestrator's first start: measured, never counted.
    Console.WriteLine("Warm-up (not counted)…");
    if (options.RunLag)
    {
        await runner.MeasureLagAsync();
    }

    if (options.RunLogin)
    {
        await runner.MeasureFloorLoginAsync();
        await runner.MeasureProsodyLoginAsync();
    }
}

var lags = new List<LagSample>();
var prosodyLogins = new List<LoginSample>();
var floorLogins = new List<LoginSample>();
for (var run = 1; run <= options.Runs; run++)
{
    if (options.RunLag)
    {
        var lag = await runner.MeasureLagAsync();
        lags.Add(lag);
        Console.WriteLine($"  (a) run {run}: first XMPP answer → Healthy {Ms(lag.Lag)}  (Running → first answer {Ms(lag.RunningToFirstAnswer)}, Running → Healthy {Ms(lag.RunningToHealthy)}, {lag.ProbeAttempts} probe attempts)");
    }

    if (options.RunLogin)
    {
        // Alternate the order so that drift on the machine (caches, other load) does not favour one side.
        LoginSample prosody, floor;
        if (run % 2 == 1)
        {
            floor = await runner.MeasureFloorLoginAsync();
            prosody = await runner.MeasureProsodyLoginAsync();
        }
        else
        {
            prosody = await runner.MeasureProsodyLoginAsync();
            floor = await runner.MeasureFloorLoginAsync();
        }

        floorLogins.Add(floor);
        prosodyLogins.Add(prosody);
        Console.WriteLine($"  (b) run {run}: AddProsody {Ms(prosody.StartToLogin)} (healthy at {Ms(prosody.StartToReady)}, {prosody.FailedAttempts} failed logins, TLS {prosody.Tls}); " +
            $"bare container {Ms(floor.StartToLogin)} ({floor.FailedAttempts} failed attempts, TLS {floor.Tls}); ratio {Ratio(prosody.StartToLogin, floor.StartToLogin)}");
    }
}

// (c) and (d) keep one app for all their rounds: their own loops, after (a) and (b).
var load = new LoadScenario(options, runner);
var loadRounds = options.RunLoad ? await load.RunAsync() : [];
var peers = new PeerScenario(options, runner, runtime);
var peerRounds = options.RunPeers ? await peers.RunAsync() : [];
var clients = new ClientsScenario(options, runner, runtime);
var clientRounds = options.RunClients ? await clients.RunAsync() : [];
var accounts = new AccountsScenario(options, runner, runtime);
var accountSamples = options.RunAccounts ? await accounts.RunAsync() : [];
if (options.RunMetrics)
{
    // (g) prints its own summary: one measurement, not rounds.
    await new MetricsScenario(options, runner).RunAsync();
}

if (options.RunLibrary)
{
    // (i) prints its own summary, ratios included.
    await new LibraryScenario(options, runner).RunAsync();
}

if (options.RunSoak)
{
    // The soak prints its own summary: it is one long run, not rounds.
    await new SoakScenario(options, runner, runtime).RunAsync();
}

Console.WriteLine();
Console.WriteLine($"Results ({options.Runs} runs; median [min – max])");
if (options.RunLag)
{
    Console.WriteLine($"(a) first XMPP answer → Aspire reports Healthy:  {Summary(lags.Select(l => l.Lag))}   (aim: median < 250 ms)");
    Console.WriteLine($"    Running → first XMPP answer:                 {Summary(lags.Select(l => l.RunningToFirstAnswer))}");
    Console.WriteLine($"    Running → Healthy:                           {Summary(lags.Select(l => l.RunningToHealthy))}");
}

if (options.RunLogin)
{
    var prosodyMedian = Median(prosodyLogins.Select(l => l.StartToLogin));
    var floorMedian = Median(floorLogins.Select(l => l.StartToLogin));
    Console.WriteLine($"(b) app start → first login, AddProsody:         {Summary(prosodyLogins.Select(l => l.StartToLogin))}");
    Console.WriteLine($"    app start → first login, bare container:     {Summary(floorLogins.Select(l => l.StartToLogin))}");
    Console.WriteLine($"    ratio of the medians AddProsody / floor:     {Ratio(prosodyMedian, floorMedian)}   (aim: ≤ 1.10)");
    Console.WriteLine($"    ratio per run (paired):                      {Statistics.Summary(prosodyLogins.Zip(floorLogins, (p, f) => p.StartToLogin / f.StartToLogin), r => r.ToString("0.000", CultureInfo.InvariantCulture))}");
    Console.WriteLine($"    AddProsody: app start → Healthy:             {Summary(prosodyLogins.Select(l => l.StartToReady))}");
}

if (options.RunLoad)
{
    load.Summarize(loadRounds);
}

if (options.RunPeers)
{
    peers.Summarize(peerRounds);
}

if (options.RunClients)
{
    clients.Summarize(clientRounds);
}

if (options.RunAccounts)
{
    accounts.Summarize(accountSamples);
}

return 0;

static string Ms(TimeSpan value) => $"{value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";

static string Ratio(TimeSpan a, TimeSpan b) => (a / b).ToString("0.000", CultureInfo.InvariantCulture);

static TimeSpan Median(IEnumerable<TimeSpan> values) => TimeSpan.FromTicks((long)Statistics.Median(values.Select(v => (double)v.Ticks)));

static string Summary(IEnumerable<TimeSpan> values) => Statistics.Summary(values.Select(v => v.TotalMilliseconds), v => $"{v.ToString("0", CultureInfo.InvariantCulture)} ms");

namespace Aspire.Hosting.Prosody.Benchmarks
{
    internal static class Statistics
    {
        public static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            if (sorted.Length == 0)
            {
                return double.NaN;
            }

            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        public static string Summary<T>(IEnumerable<T> values, Func<T, string>? format = null) where T : IConvertible
        {
            var numbers = values.Select(v => v.ToDouble(CultureInfo.InvariantCulture)).ToArray();
            format ??= v => v.ToString(CultureInfo.InvariantCulture) ?? "";
            if (numbers.Length == 0)
            {
                return "no samples";
            }

            T Back(double d) => (T)Convert.ChangeType(d, typeof(T), CultureInfo.InvariantCulture);
            return $"{format(Back(Median(numbers)))} [{format(Back(numbers.Min()))} – {format(Back(numbers.Max()))}]";
        }
    }
}
