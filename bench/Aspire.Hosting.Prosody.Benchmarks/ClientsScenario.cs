namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>
/// (e) How cost grows with clients: the load round against one AddProsody with its defaults, at 50, 100, 200 and 400
/// concurrent clients, the sizes interleaved round by round; the resident memory of the container's processes is
/// sampled every second during each round and its peak printed.
/// </summary>
internal sealed class ClientsScenario(BenchmarkOptions options, Scenarios scenarios, string runtime)
{
    private static readonly int[] Sizes = [50, 100, 200, 400];
    private const int MessagesPerClient = 25;
    private const int BurstMessages = 48;

    public async Task<IReadOnlyList<ClientsRound>> RunAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10 + (6 * options.Runs)));
        var builder = scenarios.CreateBuilder();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var password = builder.AddParameter("load-password", secret, secret: true);
        var chat = builder.AddProsody("chat").WithLoadUsers(Sizes.Max(), password);
        await using var app = await builder.BuildAsync(limit.Token);
        await app.StartAsync(limit.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("chat", limit.Token);
        var containerId = app.ContainerIdOf("chat");
        var target = new ChatTarget(chat.Resource.PrimaryEndpoint.Host, chat.Resource.PrimaryEndpoint.Port, chat.Resource.Domain);
        var anchor = Scenarios.TrustAnchor(app, chat.Resource);
        Console.WriteLine($"  (e) idle: {ContainerProcesses.ResidentMebibytes(runtime, containerId):0.0} MiB resident");

        if (options.Warmup)
        {
            Console.WriteLine("  (e) warm-up round at 200 clients (not counted)…");
            await ChatLoad.RunRoundAsync("warm-up", 0, target, secret, 200, MessagesPerClient, BurstMessages, _ => { }, anchor, limit.Token);
        }

        var rounds = new List<ClientsRound>();
        for (var round = 1; round <= options.Runs; round++)
        {
            foreach (var clients in round % 2 == 1 ? Sizes : Sizes.Reverse())
            {
                using var sampling = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
                var peak = SamplePeakAsync(containerId, sampling.Token);
                var result = await ChatLoad.RunRoundAsync($"{clients} clients", round, target, secret, clients, MessagesPerClient, BurstMessages, Console.WriteLine, anchor, limit.Token);
                await sampling.CancelAsync();
                var resident = await peak;
                rounds.Add(new(clients, result, resident));
                Console.WriteLine($"  (e) {result}; peak resident {resident:0.0} MiB");
            }
        }

        await app.StopAsync(CancellationToken.None);
        return rounds;
    }

    public void Summarize(IReadOnlyList<ClientsRound> rounds)
    {
        Console.WriteLine($"(e) AddProsody defaults, {MessagesPerClient} messages of ~1 KiB per client, {options.Runs} rounds per size; median [min – max]:");
        Console.WriteLine($"    {"clients",-8} {"logins/s",-26} {"messages/s",-26} {"p99 latency ms",-26} {"peak resident MiB",-26}");
        foreach (var size in Sizes)
        {
            var at = rounds.Where(r => r.Clients == size).ToList();
            string Cell(Func<ClientsRound, double> figure, string format) => Statistics.Summary(at.Select(figure), v => v.ToString(format, CultureInfo.InvariantCulture));
            Console.WriteLine($"    {size,-8} {Cell(r => r.Load.LoginsPerSecond, "0.0"),-26} {Cell(r => r.Load.MessagesPerSecond, "0"),-26} {Cell(r => r.Load.LatencyP99, "0"),-26} {Cell(r => r.PeakResidentMebibytes, "0.0"),-26}");
        }

        Console.WriteLine($"    refused {rounds.Sum(r => r.Load.Refused)}, lost {rounds.Sum(r => r.Load.Lost)}, duplicated or out of order {rounds.Sum(r => r.Load.Disordered)} over {rounds.Count} rounds");
    }

    private async Task<double> SamplePeakAsync(string containerId, CancellationToken cancellationToken)
    {
        var peak = 0.0;
        try
        {
            while (true)
            {
                peak = Math.Max(peak, ContainerProcesses.ResidentMebibytes(runtime, containerId));
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            return peak;
        }
    }
}

/// <summary>One load round at one client count, with the container's peak resident memory during it.</summary>
internal sealed record ClientsRound(int Clients, ChatLoadRound Load, double PeakResidentMebibytes);
