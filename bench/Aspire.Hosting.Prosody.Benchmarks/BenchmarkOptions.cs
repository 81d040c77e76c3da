using System.Globalization;

namespace Aspire.Hosting.Prosody.Benchmarks;

internal sealed record BenchmarkOptions(int Runs, TimeSpan ProbeInterval, bool Warmup, bool RunLag, bool RunLogin, bool Verbose, string Image)
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Aspire.Hosting.Prosody.Benchmarks -- [options]
          --runs N               repetitions of each measurement (default 5)
          --probe-interval MS    interval of the external XMPP probe in (a) (default 5)
          --only lag|login       run only (a) or only (b)
          --no-warmup            skip the uncounted warm-up apps
          --verbose              show the orchestrator's warnings and errors
        """;

    public static BenchmarkOptions? Parse(string[] args)
    {
        var options = new BenchmarkOptions(5, TimeSpan.FromMilliseconds(5), Warmup: true, RunLag: true, RunLogin: true, Verbose: false, "docker.io/prosodyim/prosody:13.0");
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
                    if (only is not ("lag" or "login"))
                    {
                        return null;
                    }

                    options = options with { RunLag = only == "lag", RunLogin = only == "login" };
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
