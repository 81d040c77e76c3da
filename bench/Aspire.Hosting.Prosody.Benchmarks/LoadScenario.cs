namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>
/// (c) Load: one app with two servers, <c>AddProsody</c> with run mode's defaults and one configured as publish mode
/// would be, each with the same accounts; rounds alternate between them so that drift on the machine touches both.
/// The scenario itself is the load functional test's (tests/Aspire.Hosting.Prosody.Testing/ChatLoad.cs).
/// </summary>
internal sealed class LoadScenario(BenchmarkOptions options, Scenarios scenarios)
{
    private const int MessagesPerClient = 25;
    private const int BurstMessages = 48;

    public async Task<IReadOnlyList<ChatLoadRound>> RunAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10 + (3 * options.Runs)));
        var builder = scenarios.CreateBuilder();
        var password = builder.AddParameter("load-password", Convert.ToHexString(RandomNumberGenerator.GetBytes(12)), secret: true);
        var run = builder.AddProsody("chatrun").WithLoadUsers(options.Clients, password);
        var certificates = Directory.CreateTempSubdirectory("prosody-load-bench-");
        try
        {
            var publish = builder.AddPublishLikeProsody("chatpub", certificates).WithLoadUsers(options.Clients, password);
            await using var app = await builder.BuildAsync(limit.Token);
            await app.StartAsync(limit.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("chatrun", limit.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("chatpub", limit.Token);
            var secret = (await password.Resource.GetValueAsync(limit.Token))!;
            // Clients validate each server's certificate: the one the AppHost gave run mode, and the deployment-like one.
            var servers = new[]
            {
                (ChatLoad.RunDefaults, run.Resource, Scenarios.TrustAnchor(app, run.Resource)),
                (ChatLoad.PublishDefaults, publish.Resource, (X509Certificate2?)X509Certificate2.CreateFromPem(
                    await File.ReadAllTextAsync(Path.Combine(certificates.FullName, "chatpub.crt"), limit.Token))),
            };

            if (options.Warmup)
            {
                Console.WriteLine("  (c) warm-up round of each server (not counted)…");
                foreach (var (name, server, anchor) in servers)
                {
                    await ChatLoad.RunRoundAsync(name, 0, server, secret, options.Clients, MessagesPerClient, BurstMessages, Quiet, anchor, limit.Token);
                }
            }

            var rounds = new List<ChatLoadRound>();
            for (var round = 1; round <= options.Runs; round++)
            {
                foreach (var (name, server, anchor) in round % 2 == 1 ? servers : servers.Reverse())
                {
                    var result = await ChatLoad.RunRoundAsync(name, round, server, secret, options.Clients, MessagesPerClient, BurstMessages, Console.WriteLine, anchor, limit.Token);
                    rounds.Add(result);
                    Console.WriteLine($"  (c) {result}");
                }
            }

            await app.StopAsync(CancellationToken.None);
            return rounds;
        }
        finally
        {
            certificates.Delete(recursive: true);
        }
    }

    public void Summarize(IReadOnlyList<ChatLoadRound> rounds)
    {
        var run = rounds.Where(r => r.Configuration == ChatLoad.RunDefaults).ToList();
        var publish = rounds.Where(r => r.Configuration == ChatLoad.PublishDefaults).ToList();
        Console.WriteLine($"(c) {options.Clients} concurrent clients per server, {MessagesPerClient} messages of ~1 KiB each, then one client's burst of {BurstMessages}:");
        Line("logins/s", r => r.LoginsPerSecond, "0.0");
        Line("messages/s", r => r.MessagesPerSecond, "0");
        Line("one client's upload KB/s", r => r.BurstKilobytesPerSecond, "0.0");
        Console.WriteLine($"    refused {rounds.Sum(r => r.Refused)}, lost {rounds.Sum(r => r.Lost)}, duplicated or out of order {rounds.Sum(r => r.Disordered)} over {rounds.Count} rounds");

        void Line(string what, Func<ChatLoadRound, double> figure, string format)
        {
            string Format(double value) => value.ToString(format, CultureInfo.InvariantCulture);
            var runMedian = Statistics.Median(run.Select(figure));
            var publishMedian = Statistics.Median(publish.Select(figure));
            Console.WriteLine($"    {what,-25} run defaults {Statistics.Summary(run.Select(figure), Format)}; publish defaults {Statistics.Summary(publish.Select(figure), Format)}; " +
                $"ratio of the medians run/publish {(runMedian / publishMedian).ToString("0.00", CultureInfo.InvariantCulture)}");
        }
    }

    private static void Quiet(string line)
    {
    }
}
