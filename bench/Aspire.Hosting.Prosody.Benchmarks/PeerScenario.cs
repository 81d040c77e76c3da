namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>
/// (d) Peers: the load round against what a user could run instead, in one run with rotating order:
/// (a) AddProsody with its defaults (endpoints published by the container runtime), (b) AddProsody with every
/// endpoint through the orchestrator's proxy (Aspire's default for containers, and this package's until the
/// measurement), (c) the same image started by the container runtime directly (<see cref="PlainContainer"/>).
/// Figures are printed with their ratio to (c).
/// </summary>
internal sealed class PeerScenario(BenchmarkOptions options, Scenarios scenarios, string runtime)
{
    private const int MessagesPerClient = 25;
    private const int BurstMessages = 48;

    public const string Default = "(a) AddProsody default";
    public const string Proxied = "(b) AddProsody through the proxy";
    public const string Plain = "(c) plain container";

    // Run mode's PROSODY_C2S_RATE_LIMIT: the plain container gets it too, so only the path differs, not the bandwidth policy.
    private const string RunModeClientRateLimit = "10mb/s";

    public async Task<IReadOnlyList<PeerRound>> RunAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10 + (4 * options.Runs)));
        var builder = scenarios.CreateBuilder();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var password = builder.AddParameter("load-password", secret, secret: true);
        var standard = builder.AddProsody("chata").WithLoadUsers(options.Clients, password);
        var proxied = builder.AddProsody("chatb").WithLoadUsers(options.Clients, password);
        foreach (var endpoint in proxied.Resource.Annotations.OfType<EndpointAnnotation>().ToList())
        {
            proxied.WithEndpoint(endpoint.Name, e => e.IsProxied = true);
        }

        await using var app = await builder.BuildAsync(limit.Token);
        await app.StartAsync(limit.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("chata", limit.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("chatb", limit.Token);
        await using var plain = await PlainContainer.StartAsync(runtime, options.Image, "chatc.localhost", options.Clients, ChatLoad.UserName, secret,
            RunModeClientRateLimit, limit.Token);

        var targets = new (string Name, ChatTarget Target, string ContainerId, X509Certificate2? Anchor)[]
        {
            (Default, Target(standard.Resource), app.ContainerIdOf("chata"), Scenarios.TrustAnchor(app, standard.Resource)),
            (Proxied, Target(proxied.Resource), app.ContainerIdOf("chatb"), Scenarios.TrustAnchor(app, proxied.Resource)),
            (Plain, plain.Target, plain.ContainerId, plain.Certificate),
        };
        Console.WriteLine($"  (d) c2s ports: (a) {targets[0].Target.Port} published by the runtime, (b) {targets[1].Target.Port} through the proxy, (c) {targets[2].Target.Port} published by the runtime");

        if (options.Warmup)
        {
            Console.WriteLine("  (d) warm-up round of each target (not counted)…");
            foreach (var (name, target, _, anchor) in targets)
            {
                await ChatLoad.RunRoundAsync(name, 0, target, secret, options.Clients, MessagesPerClient, BurstMessages, _ => { }, anchor, limit.Token);
            }
        }

        var rounds = new List<PeerRound>();
        for (var round = 1; round <= options.Runs; round++)
        {
            // Rotate the order so that no target always runs first or last.
            for (var k = 0; k < targets.Length; k++)
            {
                var (name, target, containerId, anchor) = targets[(round + k) % targets.Length];
                var cpuBefore = ContainerProcesses.OrchestratorCpuSeconds();
                var result = await ChatLoad.RunRoundAsync(name, round, target, secret, options.Clients, MessagesPerClient, BurstMessages, Console.WriteLine, anchor, limit.Token);
                var orchestratorCpu = ContainerProcesses.OrchestratorCpuSeconds() - cpuBefore;
                rounds.Add(new(result, orchestratorCpu));
                Console.WriteLine($"  (d) {result}; orchestrator CPU {orchestratorCpu:0.00} s");
            }
        }

        await app.StopAsync(CancellationToken.None);
        return rounds;
    }

    public void Summarize(IReadOnlyList<PeerRound> rounds)
    {
        Console.WriteLine($"(d) {options.Clients} clients per target, {options.Runs} rounds each in rotating order; median [min – max], and the ratio of the medians to (c):");
        Line("logins/s", r => r.Load.LoginsPerSecond, "0.0");
        Line("messages/s", r => r.Load.MessagesPerSecond, "0");
        Line("latency p50 ms", r => r.Load.LatencyP50, "0.0");
        Line("latency p99 ms", r => r.Load.LatencyP99, "0.0");
        Line("orchestrator CPU s/round", r => r.OrchestratorCpuSeconds, "0.00", ratio: false);
        Console.WriteLine($"    refused {rounds.Sum(r => r.Load.Refused)}, lost {rounds.Sum(r => r.Load.Lost)}, duplicated or out of order {rounds.Sum(r => r.Load.Disordered)} over {rounds.Count} rounds");

        void Line(string what, Func<PeerRound, double> figure, string format, bool ratio = true)
        {
            string Format(double value) => value.ToString(format, CultureInfo.InvariantCulture);
            var plain = Statistics.Median(rounds.Where(r => r.Load.Configuration == Plain).Select(figure));
            var cells = new[] { Default, Proxied, Plain }.Select(name =>
            {
                var values = rounds.Where(r => r.Load.Configuration == name).Select(figure).ToList();
                var summary = Statistics.Summary(values, Format);
                return ratio && name != Plain ? $"{name[..3]} {summary} = {(Statistics.Median(values) / plain).ToString("0.00", CultureInfo.InvariantCulture)}×" : $"{name[..3]} {summary}";
            });
            Console.WriteLine($"    {what,-26}{string.Join("; ", cells)}");
        }
    }

    private static ChatTarget Target(ProsodyResource server) => new(server.PrimaryEndpoint.Host, server.PrimaryEndpoint.Port, server.Domain);
}

/// <summary>One load round against one peer, with the orchestrator's CPU time during it.</summary>
internal sealed record PeerRound(ChatLoadRound Load, double OrchestratorCpuSeconds);
