using System.Globalization;
using Aspire.Hosting.Prosody.Testing;

namespace Aspire.Hosting.Prosody.Benchmarks;

internal sealed record BenchmarkOptions(int Runs, TimeSpan ProbeInterval, bool Warmup, bool RunLag, bool RunLogin, bool RunLoad, int Clients, bool Verbose, string Image)
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Aspire.Hosting.Prosody.Benchmarks -- [options]
          --runs N               repetitions of each measurement (default 5)
          --probe-interval MS    interval of the external XMPP probe in (a) (default 5)
          --only lag|login|load  run only (a), (b) or (c)
          --clients N            concurrent clients per server in (c) (default 200)
          --no-warmup            skip the uncounted warm-up apps
          --verbose              show the orchestrator's warnings and errors
        """;

    public static BenchmarkOptions? Parse(string[] args)
    {
        var options = new BenchmarkOptions(5, TimeSpan.FromMilliseconds(5), Warmup: true, RunLag: true, RunLogin: true, RunLoad: true, Clients: 200, Verbose: false, ContainerImages.Prosody);
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
                    var only = Value();
                    if (only is not ("lag" or "login" or "load"))
                    {
                        return null;
                    }

                    options = options with { RunLag = only == "lag", RunLogin = only == "login", RunLoad = only == "load" };
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
