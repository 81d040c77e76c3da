using System.Diagnostics;
using Aspire.Hosting.Prosody.Configuration;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// The hostile inputs the builder methods accept (see <see cref="HostileInputCases"/>), checked by the real programs
/// that read them: the images' Lua 5.4 reads every generated literal and every generated conf.d file, prosodyctl
/// checks every generated configuration with its environment, and coturn's image's shell runs every generated coturn
/// command. Three containers in all, each working through a whole batch.
/// </summary>
public class HostileInputFunctionalTests
{
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    [RequiresContainers(ContainerImage.Prosody)]
    public async Task EveryGeneratedLuaLiteralAndConfigFileEvaluatesInLuaToTheExactBytesOfTheAcceptedInput()
    {
        var runtime = ContainerRuntime.Name;
        var cases = HostileInputCases.Create();
        var work = Directory.CreateTempSubdirectory("prosody-hostile-lua-");
        using var cleanup = work.DeleteWhenDisposed();
        // Every literal, in one table, printed back byte by byte.
        var values = new StringBuilder("return {\n");
        foreach (var literal in cases.Literals)
        {
            values.Append(LuaSyntax.String(literal)).Append(",\n");
        }

        File.WriteAllText(Path.Combine(work.FullName, "values.lua"), values.Append("}\n").ToString());

        // Every generated conf.d file, run as Lua in an environment that records what it sets.
        Directory.CreateDirectory(Path.Combine(work.FullName, "conf"));
        foreach (var configuration in cases.Configurations)
        {
            File.WriteAllText(Path.Combine(work.FullName, "conf", configuration.Name), configuration.Lua);
        }

        File.WriteAllLines(Path.Combine(work.FullName, "conf", "list.txt"), cases.Configurations.Select(c => c.Name));
        File.WriteAllText(Path.Combine(work.FullName, "evaluate.lua"), EvaluateLua);

        var clock = Stopwatch.StartNew();
        var (exitCode, output) = await RunAsync(runtime, "run", "--rm", "--network", "none", "-v", $"{work.FullName}:/w", "--entrypoint", "/bin/sh",
            ContainerRuntime.ProsodyImage, "-c", "lua5.4 -v && lua5.4 /w/evaluate.lua");
        Assert.True(exitCode == 0, $"Lua failed: {output}");
        Log($"Lua 5.4 evaluated {cases.Literals.Count} literals and {cases.Configurations.Count} conf.d files in {clock.Elapsed.TotalSeconds:0.0} s ({output.Trim()}).");

        var failures = new List<string>();
        var printed = File.ReadAllLines(Path.Combine(work.FullName, "literals.out"));
        Assert.Equal(cases.Literals.Count, printed.Length);
        for (var i = 0; i < cases.Literals.Count; i++)
        {
            if (printed[i] != Hex(cases.Literals[i]))
            {
                failures.Add($"literal {Show(cases.Literals[i])} evaluates to {printed[i][..Math.Min(120, printed[i].Length)]}");
            }
        }

        var evaluated = File.ReadAllLines(Path.Combine(work.FullName, "evaluate.out")).Select(l => l.Split(' ')).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var configuration in cases.Configurations)
        {
            var expected = configuration.Decisions.Accounts.Select(a => $"jid {Hex(a.Jid)}")
                .Concat(configuration.Decisions.MetricsAllowedNetwork is { } network ? [$"cidr {Hex(network)}"] : [])
                .Concat(configuration.Decisions.ExternalComponents.Select(c => $"component {Hex(c.Domain)}"))
                .Append("OK");
            var actual = evaluated.GetValueOrDefault(configuration.Name, []).Select(p => string.Join(' ', p.Skip(1)));
            if (!expected.SequenceEqual(actual))
            {
                failures.Add($"{configuration.Name}: Lua read [{string.Join(", ", actual)}], expected [{string.Join(", ", expected)}]");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(30)));
        Log(Figures(cases));
    }

    [Fact]
    [RequiresContainers(ContainerImage.Prosody)]
    public async Task EveryConfigurationGeneratedFromAcceptedInputsPassesProsodysOwnCheck()
    {
        var runtime = ContainerRuntime.Name;
        var cases = HostileInputCases.Create();
        var work = Directory.CreateTempSubdirectory("prosody-hostile-check-");
        using var cleanup = work.DeleteWhenDisposed();
        foreach (var configuration in cases.Configurations)
        {
            var directory = Directory.CreateDirectory(Path.Combine(work.FullName, "cases", configuration.Name));
            File.WriteAllText(Path.Combine(directory.FullName, ProsodyConfiguration.ConfigFileName), configuration.Lua);
            // Sourced by the shell: every value single-quoted, so the shell passes it on unchanged.
            File.WriteAllLines(Path.Combine(directory.FullName, "env.sh"),
                configuration.Environment.Select(v => $"export {v.Key}='{v.Value.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        }

        Directory.CreateDirectory(Path.Combine(work.FullName, "out"));
        File.WriteAllText(Path.Combine(work.FullName, "mod_aspire_accounts.lua"), EmbeddedResources.Read("mod_aspire_accounts.lua"));
        const string Script = """
            mkdir -p /usr/local/lib/prosody-aspire/modules && cp /w/mod_aspire_accounts.lua /usr/local/lib/prosody-aspire/modules/
            for d in /w/cases/*; do
              n=$(basename "$d")
              cp "$d/aspire.cfg.lua" /etc/prosody/conf.d/aspire.cfg.lua
              ( . "$d/env.sh"; prosodyctl check config ) > "/w/out/$n.txt" 2>&1
              echo "$n $?" >> /w/out/status.txt
            done
            """;

        var clock = Stopwatch.StartNew();
        var (exitCode, output) = await RunAsync(runtime, "run", "--rm", "--network", "none", "-v", $"{work.FullName}:/w", "--entrypoint", "/bin/sh",
            ContainerRuntime.ProsodyImage, "-c", Script);
        Assert.True(exitCode == 0, $"The check loop failed: {output}");
        var statuses = File.ReadAllLines(Path.Combine(work.FullName, "out", "status.txt")).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);
        Log($"prosodyctl check config ran {statuses.Count} times in {clock.Elapsed.TotalSeconds:0.0} s.");

        Assert.Equal(cases.Configurations.Count, statuses.Count);
        // A punycode domain (xn--…) is one Prosody serves, but prosodyctl advises its Unicode form; that advice,
        // and nothing else, is expected for such a configuration.
        bool OnlyPunycodeAdvice(HostileInputCases.Configuration c) =>
            c.Decisions.Settings.Domain.Split('.').Any(l => l.StartsWith("xn--", StringComparison.Ordinal))
            && File.ReadAllText(Path.Combine(work.FullName, "out", $"{c.Name}.txt")) is var text
            && text.Contains("incorrectly-encoded hostnames", StringComparison.Ordinal) && !text.Contains("invalid host names", StringComparison.Ordinal);
        var failures = cases.Configurations.Where(c => statuses[c.Name] != "0" && !OnlyPunycodeAdvice(c))
            .Select(c => $"{c.Name} (exit {statuses[c.Name]}): {File.ReadAllText(Path.Combine(work.FullName, "out", $"{c.Name}.txt")).Trim()}{Environment.NewLine}  environment: " +
                string.Join(", ", c.Environment.Select(v => $"{v.Key}={Show(v.Value)}")))
            .ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {statuses.Count} configurations fail prosodyctl check config:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(10))}");
        foreach (var configuration in cases.Configurations.Where(c => !OnlyPunycodeAdvice(c)))
        {
            Assert.Contains("All checks passed", File.ReadAllText(Path.Combine(work.FullName, "out", $"{configuration.Name}.txt")));
        }

        Log(Figures(cases));
    }

    [Fact]
    [RequiresContainers(ContainerImage.Coturn)]
    public async Task EveryCoturnCommandGeneratedFromAcceptedInputsPassesTheShellExactlyTheWordsIntended()
    {
        var runtime = ContainerRuntime.Name;
        var cases = HostileInputCases.Create();
        var work = Directory.CreateTempSubdirectory("prosody-hostile-turn-");
        using var cleanup = work.DeleteWhenDisposed();
        var turnCases = cases.Configurations.Where(c => c.TurnScript is not null).ToList();
        Assert.NotEmpty(turnCases);
        var expected = new Dictionary<string, string>();
        foreach (var configuration in turnCases)
        {
            // The same command with turnserver replaced by printf, which prints each word it receives on a line.
            var script = configuration.TurnScript!;
            Assert.Contains("; turnserver -c ", script);
            File.WriteAllText(Path.Combine(work.FullName, $"{configuration.Name}.sh"), script.Replace("; turnserver -c ", "; printf '<%s>\\n' -c ", StringComparison.Ordinal));

            var words = script[(script.IndexOf("; turnserver ", StringComparison.Ordinal) + "; turnserver ".Length)..script.IndexOf(" & pid=", StringComparison.Ordinal)];
            expected[configuration.Name] = string.Concat(Words(configuration, words).Select(w => $"<{w}>\n"));
        }

        // coturn's image runs as nobody: the output directory must be writable by anyone.
        var results = Directory.CreateDirectory(Path.Combine(work.FullName, "out"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(work.FullName, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(results.FullName, (UnixFileMode)0b111_111_111);
        }
        var (exitCode, output) = await RunAsync(runtime, "run", "--rm", "--network", "none", "--read-only", "--tmpfs", "/tmp", "-e", "TURN_SECRET=Abc123def",
            "-v", $"{work.FullName}:/w", "--entrypoint", "/bin/sh", ContainerRuntime.CoturnImage, "-c",
            "for f in /w/*.sh; do n=$(basename \"$f\" .sh); timeout 10 /bin/sh \"$f\" > \"/w/out/$n.out\" 2>&1; echo \"$n $?\"; done");
        Assert.True(exitCode == 0, $"The shell loop failed: {output}");
        var printed = results.GetFiles("*.out").ToDictionary(f => f.Name, f => File.ReadAllText(f.FullName));

        var failures = new List<string>();
        foreach (var configuration in turnCases)
        {
            var actual = printed.GetValueOrDefault($"{configuration.Name}.out", "<missing>");
            if (actual != expected[configuration.Name])
            {
                var wanted = expected[configuration.Name].Split('\n');
                var got = actual.Split('\n');
                var first = Enumerable.Range(0, Math.Max(wanted.Length, got.Length)).First(i => wanted.ElementAtOrDefault(i) != got.ElementAtOrDefault(i));
                failures.Add($"{configuration.Name}: external address {Show(configuration.TurnAddress)}: from word {first + 1} on, the shell passed {Show(string.Join('\n', got.Skip(first)))} instead of {Show(string.Join('\n', wanted.Skip(first)))}");
            }
        }

        Log($"The shell ran {turnCases.Count} coturn commands.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {turnCases.Count} coturn commands do not pass their words unchanged:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(15))}");
    }

    /// <summary>The words the command was meant to have: each generated argument, as the C# code joined them.</summary>
    private static IEnumerable<string> Words(HostileInputCases.Configuration configuration, string joined)
    {
        // Rebuild the argument list from the known parts rather than by splitting the (possibly hostile) text.
        var marker = "--external-ip=" + configuration.TurnAddress;
        var index = joined.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0, $"No {marker} in {joined}");
        var before = joined[..index].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var after = joined[(index + marker.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return before.Append(marker).Concat(after);
    }

    private const string EvaluateLua = """
        local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end

        local values = dofile("/w/values.lua")
        local out = assert(io.open("/w/literals.out", "wb"))
        for i = 1, #values do out:write(hex(values[i]), "\n") end
        out:close()

        out = assert(io.open("/w/evaluate.out", "wb"))
        for name in io.lines("/w/conf/list.txt") do
          local components = {}
          local env = setmetatable({}, { __index = function(_, key)
            if type(key) == "string" and key:sub(1, 4) == "ENV_" then return "<" .. key .. ">" end
          end })
          env.Component = function(domain) components[#components + 1] = domain end
          env.Include = function() end
          local chunk, err = loadfile("/w/conf/" .. name, "t", env)
          local ok = chunk ~= nil
          if ok then ok, err = pcall(chunk) end
          if not ok then
            out:write(name, " ERROR ", hex(tostring(err)), "\n")
          else
            for _, account in ipairs(env.aspire_accounts or {}) do out:write(name, " jid ", hex(account.jid), "\n") end
            if env.openmetrics_allow_cidr then out:write(name, " cidr ", hex(env.openmetrics_allow_cidr), "\n") end
            for _, domain in ipairs(components) do out:write(name, " component ", hex(domain), "\n") end
            out:write(name, " OK\n")
          end
        end
        out:close()
        """;

    private static string Figures(HostileInputCases cases)
    {
        var report = new StringBuilder($"{"method",-22} {"argument",-16} {"tried",6} {"accepted",9}{Environment.NewLine}");
        foreach (var (method, parameter, tried, accepted) in cases.Outcomes)
        {
            report.AppendLine($"{method,-22} {parameter,-16} {tried,6} {accepted.Count,9}");
        }

        return report.Append($"{cases.Configurations.Count} configurations, {cases.Literals.Count} distinct literals.").ToString();
    }

    private static string Hex(string value) => Convert.ToHexString(Encoding.UTF8.GetBytes(value)).ToLowerInvariant();

    private static string Show(string? value) => value is null ? "null" :
        "\"" + string.Concat(value.Take(80).Select(c => c is < ' ' or '\u007f' or '"' or '\\' || c > '\u007e' ? $"\\u{(int)c:x4}" : c.ToString())) + (value.Length > 80 ? $"…\" ({value.Length} characters)" : "\"");

    private static async Task<(int ExitCode, string Output)> RunAsync(string runtime, params string[] arguments)
    {
        var start = new ProcessStartInfo(runtime) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(BatchTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{runtime} {string.Join(' ', arguments.Take(12))} did not finish within {BatchTimeout}.");
        }

        return (process.ExitCode, await output + await error);
    }

}
