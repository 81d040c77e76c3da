namespace Aspire.Hosting.Prosody.Benchmarks;

internal sealed record BenchmarkOptions(int Runs, TimeSpan ProbeInterval, bool Warmup, IReadOnlySet<string> Parts, int Clients, bool Verbose, string Image, TimeSpan SoakDuration)
{
    /// <summary>The parts a run without --only measures: all but the soak, which takes 20 minutes on its own.</summary>
    private static readonly string[] DefaultParts = ["lag", "login", "load", "peers", "clients", "accounts", "metrics"];

    private static readonly string[] AllParts = [.. DefaultParts, "library", "soak"];

    public bool RunLag => Parts.Contains("lag");

    public bool RunLogin => Parts.Contains("login");

    public bool RunLoad => Parts.Contains("load");

    public bool RunPeers => Parts.Contains("peers");

    public bool RunClients => Parts.Contains("clients");

    public bool RunAccounts => Parts.Contains("accounts");

    public bool RunMetrics => Parts.Contains("metrics");

    public bool RunSoak => Parts.Contains("soak");

    public bool RunLibrary => Parts.Contains("library");

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Aspire.Hosting.Prosody.Benchmarks -- [options]
          --runs N               repetitions of each measurement (default 5)
          --probe-interval MS    interval of the external XMPP probe in (a) (default 5)
          --only PART[,PART]     run only these parts: lag (a), login (b), load (c), peers (d), clients (e),
                                 accounts (f), metrics (g), soak (h; never run unless named),
                                 library (i: Aspire.Prosody.Client against xmpp.js; needs Node.js, never run unless named)
          --clients N            concurrent clients per server in (c) and (d) (default 200)
          --soak-minutes N       length of the soak (default 20)
          --no-warmup            skip the uncounted warm-up apps
          --verbose              show the orchestrator's warnings and errors
        """;

    public static BenchmarkOptions? Parse(string[] args)
    {
        var options = new BenchmarkOptions(5, TimeSpan.FromMilliseconds(5), Warmup: true, new HashSet<string>(DefaultParts), Clients: 200, Verbose: false, ContainerImages.Prosody, TimeSpan.FromMinutes(20));
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--runs" when int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs > 0:
                    options = options with { Runs = runs };
                    break;
                case "--probe-interval" when int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0:
                    options = options with { ProbeInterval = TimeSpan.FromMilliseconds(ms) };
                    break;
                case "--only":
                    var only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (only.Length == 0 || only.Any(part => !AllParts.Contains(part)))
                    {
                        return null;
                    }

                    options = options with { Parts = new HashSet<string>(only) };
                    break;
                case "--soak-minutes" when int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes > 0:
                    options = options with { SoakDuration = TimeSpan.FromMinutes(minutes) };
                    break;
                case "--clients" when int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var clients) && clients >= 2:
                    options = options with { Clients = clients };
                    break;
                case "--no-warmup":
                    options = options with { Warmup = false };
                    break;
                case "--verbose":
                    options = options with { Verbose = true };
                    break;
                default:
                    return null;
            }
        }

        return options;
    }
}
