namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>
/// (f) How cost grows with declared accounts: for 10, 100 and 1,000 <c>WithUser</c> accounts, on internal storage
/// and on PostgreSQL, the time to build the app model (builder to <c>BuildAsync</c>) and the time from the
/// container's start (the runtime's StartedAt; the orchestrator reports Running only about when Prosody already
/// answers) to Healthy, which waits for every account to be created.
/// Each measurement is a fresh app and a fresh container, so every account is created (and its password hashed).
/// </summary>
internal sealed class AccountsScenario(BenchmarkOptions options, Scenarios scenarios, string runtime)
{
    private static readonly int[] Sizes = [10, 100, 1000];
    private static readonly string[] Storages = ["internal", "PostgreSQL"];

    public async Task<IReadOnlyList<AccountsSample>> RunAsync()
    {
        var samples = new List<AccountsSample>();
        if (options.Warmup)
        {
            Console.WriteLine("  (f) warm-up app of each storage (not counted)…");
            foreach (var storage in Storages)
            {
                await MeasureAsync(10, storage);
            }
        }

        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var storage in run % 2 == 1 ? Storages : Storages.Reverse())
            {
                foreach (var size in run % 2 == 1 ? Sizes : Sizes.Reverse())
                {
                    var sample = await MeasureAsync(size, storage);
                    samples.Add(sample);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  (f) run {run}: {size} accounts on {storage}: model built in {sample.ModelBuild.TotalMilliseconds:0} ms, container start → Healthy {sample.StartToHealthy.TotalMilliseconds:0} ms"));
                }
            }
        }

        return samples;
    }

    public void Summarize(IReadOnlyList<AccountsSample> samples)
    {
        Console.WriteLine($"(f) accounts declared with WithUser, {options.Runs} fresh apps each; median [min – max]:");
        Console.WriteLine($"    {"accounts",-9} {"storage",-11} {"model build ms",-22} {"container start → Healthy ms",-30} {"ms per account beyond the first 10",-14}");
        foreach (var storage in Storages)
        {
            double Median(int size) => Statistics.Median(samples.Where(s => s.Accounts == size && s.Storage == storage).Select(s => s.StartToHealthy.TotalMilliseconds));
            foreach (var size in Sizes)
            {
                var at = samples.Where(s => s.Accounts == size && s.Storage == storage).ToList();
                string Cell(Func<AccountsSample, double> figure) => Statistics.Summary(at.Select(figure), v => v.ToString("0", CultureInfo.InvariantCulture));
                // What each account adds: the start itself (a container, Prosody loading) does not grow with them.
                var added = size == Sizes[0] ? "" : ((Median(size) - Median(Sizes[0])) / (size - Sizes[0])).ToString("0.00", CultureInfo.InvariantCulture);
                Console.WriteLine($"    {size,-9} {storage,-11} {Cell(s => s.ModelBuild.TotalMilliseconds),-22} {Cell(s => s.StartToHealthy.TotalMilliseconds),-30} {added,-14}");
            }
        }
    }

    private async Task<AccountsSample> MeasureAsync(int accounts, string storage)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var clock = Stopwatch.StartNew();
        var builder = scenarios.CreateBuilder();
        var password = builder.AddParameter("password", Convert.ToHexString(RandomNumberGenerator.GetBytes(12)), secret: true);
        var chat = builder.AddProsody("chat");
        for (var i = 0; i < accounts; i++)
        {
            chat.WithUser($"user{i:0000}", password);
        }

        if (storage == "PostgreSQL")
        {
            chat.WithPostgres(builder.AddPostgres("postgres").AddDatabase("prosodydb"));
        }

        await using var app = await builder.BuildAsync(limit.Token);
        var modelBuild = clock.Elapsed;

        await app.StartAsync(limit.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("chat", limit.Token);
        var healthy = DateTimeOffset.UtcNow;
        var started = long.Parse(
            ContainerProcesses.Checked(ContainerRuntime.Run(runtime, "inspect", "--format", "{{.State.StartedAt.UnixMilli}}", app.ContainerIdOf("chat"))).Trim(),
            CultureInfo.InvariantCulture);
        await app.StopAsync(CancellationToken.None);
        return new(accounts, storage, modelBuild, healthy - DateTimeOffset.FromUnixTimeMilliseconds(started));
    }
}

/// <summary>One fresh app with some accounts on one storage.</summary>
internal sealed record AccountsSample(int Accounts, string Storage, TimeSpan ModelBuild, TimeSpan StartToHealthy);
