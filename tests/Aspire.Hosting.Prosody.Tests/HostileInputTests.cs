using System.Text;
using System.Text.RegularExpressions;
using Aspire.Hosting.Prosody.HostileInput;
using Aspire.Hosting.Prosody.Turn;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// Property: every value a builder method writes into the configuration is either rejected while the app model is
/// built (an <see cref="ArgumentException"/> naming the argument, with a printable message, and nothing changed), or
/// arrives exactly as given (the environment variable's value, the list item the image's template splits out, the
/// Lua literal's bytes). Inputs come from <see cref="HostileInputGenerator"/>, seeded: a failure names the seed, the
/// method and the input, and the run repeats exactly. The functional twin evaluates the accepted values with the
/// images' Lua, shell and prosodyctl.
/// </summary>
public partial class HostileInputTests
{
    /// <summary>
    /// Every method and argument that reaches Prosody's or coturn's configuration, with what "arrives exactly" means
    /// for it. Resources are named hostile-input-{n}, so the domain is hostile-input-{n}.dev.localhost unless the method sets it.
    /// </summary>
    internal static readonly HostileMethod[] StringMethods =
    [
        new("AddProsody", "name", ValueKind.ResourceName, (b, _, v) => b.AddProsody(v), (g, v) =>
            Expect("PROSODY_VIRTUAL_HOSTS", $"{v.ToLowerInvariant()}.dev.localhost", g.Env)
                .Concat(Valid(() => ProsodyValidation.Domain(g.Env["PROSODY_VIRTUAL_HOSTS"], "domain"), "the default domain")), CreatesItsOwnResource: true),
        new("WithDomain", "domain", ValueKind.Domain, (_, chat, v) => chat.WithDomain(v), (g, v) =>
            Expect("PROSODY_VIRTUAL_HOSTS", v, g.Env).Concat(Expect("PROSODY_ADMINS", $"admin@{v}", g.Env)).Concat(ExpectAccount(g, 1, $"admin@{v}"))),
        new("WithUser", "userName", ValueKind.UserName, (_, chat, v) => chat.WithUser(v, isAdmin: v.Length % 2 == 0), (g, v) =>
            ExpectAccount(g, 2, $"{v}@{g.Domain}").Concat(ExpectList("PROSODY_ADMINS", g.Env, v.Length % 2 == 0 ? [$"admin@{g.Domain}", $"{v}@{g.Domain}"] : [$"admin@{g.Domain}"]))),
        new("WithAdminUserName", "userName", ValueKind.UserName, (_, chat, v) => chat.WithAdminUserName(v), (g, v) =>
            ExpectAccount(g, 1, $"{v}@{g.Domain}").Concat(ExpectList("PROSODY_ADMINS", g.Env, [$"{v}@{g.Domain}"]))),
        new("WithEnabledModules", "modules", ValueKind.ModuleName, (_, chat, v) => chat.WithEnabledModules(v), (g, v) =>
            ExpectList("PROSODY_ENABLE_MODULES", g.Env, new SortedSet<string>(["aspire_accounts", "aspire_health", "http_openmetrics", "websocket", v], StringComparer.Ordinal))),
        new("WithDisabledModules", "modules", ValueKind.ModuleName, (_, chat, v) => chat.WithDisabledModules(v), (g, v) =>
            ExpectList("PROSODY_DISABLE_MODULES", g.Env, new SortedSet<string>(["dialback", "s2s", .. Configuration.ProsodyConfiguration.RegistrationModules, v], StringComparer.Ordinal))
                .Concat(g.Env.TryGetValue("PROSODY_ENABLE_MODULES", out var enabled) && enabled.Split(',').Contains(v) ? [$"{v} is still enabled"] : [])),
        new("WithRateLimits", "clientToServer", ValueKind.Rate, (_, chat, v) => chat.WithRateLimits(clientToServer: v), (g, v) => Expect("PROSODY_C2S_RATE_LIMIT", v, g.Env)),
        new("WithRateLimits", "serverToServer", ValueKind.Rate, (_, chat, v) => chat.WithRateLimits(serverToServer: v), (g, v) => Expect("PROSODY_S2S_RATE_LIMIT", v, g.Env)),
        new("WithMultiUserChat", "subdomain", ValueKind.Label, (_, chat, v) => chat.WithMultiUserChat(v), (g, v) => ExpectComponent(g, $"{v}.{g.Domain}", "muc")),
        new("WithFileShare", "subdomain", ValueKind.Label, (_, chat, v) => chat.WithFileShare(v), (g, v) => ExpectComponent(g, $"{v}.{g.Domain}", "http_file_share")),
        new("AddExternalComponent", "name", ValueKind.ResourceName, (_, chat, v) => chat.AddExternalComponent(v), (g, v) => ExpectExternalComponent(g, $"{v.ToLowerInvariant()}.{g.Domain}"), FreshModel: true),
        new("AddExternalComponent", "subdomain", ValueKind.Label, (_, chat, v) => chat.AddExternalComponent($"{chat.Resource.Name}-bot", v), (g, v) => ExpectExternalComponent(g, $"{v}.{g.Domain}")),
        new("WithSqliteStorage", "fileName", ValueKind.FileName, (_, chat, v) => chat.WithSqliteStorage(v), (g, v) =>
            Expect("PROSODY_SQL_DB", v, g.Env).Concat(Expect("PROSODY_SQL_DRIVER", "SQLite3", g.Env))),
        new("WithTurnServer", "externalAddress", ValueKind.Address, (_, chat, v) => chat.WithTurnServer(externalAddress: v), (g, v) =>
            Expect("PROSODY_TURN_HOST", v, g.Env).Concat(ExpectShellWord(g.TurnScript!, $"--external-ip={v}"))),
        new("WithExternalTurn", "host", ValueKind.Address, (b, chat, v) => chat.WithExternalTurn(v, 3478, b.AddParameter($"{chat.Resource.Name}-turn-secret", secret: true)), (g, v) =>
            Expect("PROSODY_TURN_HOST", v, g.Env)),
        new("WithMetrics", "allowedNetwork", ValueKind.Network, (_, chat, v) => chat.WithMetrics(allowedNetwork: v), (g, v) => ExpectLuaOption(g, "openmetrics_allow_cidr", v)),
        new("WithMetrics (publish)", "allowedNetwork", ValueKind.Network, (_, chat, v) => chat.WithMetrics(allowedNetwork: v), (g, v) =>
            ExpectLuaOption(g, "openmetrics_allow_cidr", v).Concat(v.EndsWith("/0", StringComparison.Ordinal) ? ["every address admitted in publish mode"] : []), Publish: true),
        new("WithExtraConfiguration", "lua", ValueKind.LuaText, (_, chat, v) => chat.WithExtraConfiguration(v), (g, v) =>
            Problem(g.Configuration.IncludedFiles is not [{ Contents: { } contents, Name: "01-extra.cfg.lua" }] || contents != v, "the included file's contents differ")
                .Concat(Problem(!g.Lua.Contains("Include \"/etc/prosody/aspire.d/01-extra.cfg.lua\"\n", StringComparison.Ordinal), "no Include line"))),
    ];

    /// <summary>The integer arguments: each is rejected (ArgumentOutOfRangeException) or reaches the configuration as the same number.</summary>
    internal static readonly HostileIntegerMethod[] IntegerMethods =
    [
        new("AddProsody", "port", (b, _, v) => b.AddProsody("p", port: v), (g, v) => ExpectEndpointPort(g, "c2s", v), CreatesItsOwnResource: true),
        new("WithFederation", "port", (_, chat, v) => chat.WithFederation(port: v), (g, v) => ExpectEndpointPort(g, "s2s", v)),
        new("WithExternalTurn", "port", (b, chat, v) => chat.WithExternalTurn("turn.example.com", v, b.AddParameter($"{chat.Resource.Name}-turn-secret", secret: true)), (g, v) => Expect("PROSODY_TURN_PORT", Number(v), g.Env)),
        new("WithTurnServer", "port", (_, chat, v) => chat.WithTurnServer(port: v), (g, v) =>
            ExpectShellWord(g.TurnScript!, "--listening-port=3478").Concat(g.TurnEndpointPort == v ? [] : [$"the TURN endpoint's port is {g.TurnEndpointPort}"])),
        // The other end of the range ten ports away, and the TURN port outside it, so that only this argument can be wrong.
        new("WithTurnServer", "relayPortMin", (_, chat, v) => chat.WithTurnServer(port: TurnPortAwayFrom(v), relayPortMin: v, relayPortMax: v > int.MaxValue - 9 ? 65535 : Math.Clamp(v + 9, 1, 65535)), (g, v) =>
            ExpectShellWord(g.TurnScript!, $"--min-port={Number(v)}")),
        new("WithTurnServer", "relayPortMax", (_, chat, v) => chat.WithTurnServer(port: TurnPortAwayFrom(v), relayPortMin: v < int.MinValue + 9 ? 1 : Math.Clamp(v - 9, 1, 65535), relayPortMax: v), (g, v) =>
            ExpectShellWord(g.TurnScript!, $"--max-port={Number(v)}")),
        new("WithMessageArchive", "retentionDays", (_, chat, v) => chat.WithMessageArchive(v), (g, v) => Expect("PROSODY_ARCHIVE_EXPIRY_DAYS", Number(v), g.Env)),
        new("WithMultiUserChat", "historyMessages", (_, chat, v) => chat.WithMultiUserChat(historyMessages: v), (g, v) => ExpectLuaNumber(g, "max_history_messages", v)),
        new("WithFileShare", "sizeLimitMegabytes", (_, chat, v) => chat.WithFileShare(sizeLimitMegabytes: v), (g, v) => Expect("PROSODY_UPLOAD_LIMIT_MB", Number(v), g.Env)),
        new("WithFileShare", "quotaGigabytes", (_, chat, v) => chat.WithFileShare(quotaGigabytes: v), (g, v) => Expect("PROSODY_UPLOAD_STORAGE_GB", Number(v), g.Env)),
        new("WithFileShare", "expiryDays", (_, chat, v) => chat.WithFileShare(expiryDays: v), (g, v) => ExpectLuaNumber(g, "http_file_share_expires_after", v * 86400L)),
        new("WithLogLevel", "level", (_, chat, v) => chat.WithLogLevel((ProsodyLogLevel)v), (g, v) => Expect("PROSODY_LOGLEVEL", ((ProsodyLogLevel)v).ToString().ToLowerInvariant(), g.Env)),
    ];

    [Fact]
    public void EveryStringArgumentIsRejectedNamingItOrArrivesExactly()
    {
        var report = new StringBuilder($"Seed {HostileInputGenerator.DefaultSeed}, {HostileInputGenerator.RandomInputsPerMethod} random inputs per method plus the fixed corpus.{Environment.NewLine}");
        report.AppendLine($"{"method",-28} {"argument",-18} {"tried",6} {"rejected",9} {"accepted",9}");
        var failures = new List<string>();
        var (tried, accepted) = (0, 0);
        foreach (var method in StringMethods)
        {
            var inputs = HostileInputGenerator.For(method.Name, method.Parameter).Strings(method.Kind, HostileInputGenerator.RandomInputsPerMethod);
            var outcome = Run(method.Name, method.Parameter, method.Publish, method.CreatesItsOwnResource || method.FreshModel, inputs, method.Call, method.Check, failures, method.CreatesItsOwnResource);
            report.AppendLine($"{method.Name,-28} {method.Parameter,-18} {inputs.Count,6} {inputs.Count - outcome,9} {outcome,9}");
            tried += inputs.Count;
            accepted += outcome;
        }

        report.AppendLine($"{"all",-28} {"",-18} {tried,6} {tried - accepted,9} {accepted,9}");
        if (Environment.GetEnvironmentVariable("HOSTILE_INPUT_FAILURES") is { Length: > 0 } path)
        {
            File.WriteAllLines(path, failures.Select(f => f.Replace('\uFFFD', '?')), new UTF8Encoding(false, throwOnInvalidBytes: false));
        }
        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        Assert.True(failures.Count == 0, $"{failures.Count} input(s) broke the property:{Environment.NewLine}{string.Join(Environment.NewLine, Sample(failures))}{Environment.NewLine}{report}");
    }

    [Fact]
    public void EveryIntegerArgumentIsRejectedNamingItOrArrivesAsTheSameNumber()
    {
        var report = new StringBuilder();
        var failures = new List<string>();
        foreach (var method in IntegerMethods)
        {
            var inputs = HostileInputGenerator.For(method.Name, method.Parameter).Integers(100);
            var outcome = Run(method.Name, method.Parameter, publish: false, method.CreatesItsOwnResource, inputs, method.Call, method.Check, failures, method.CreatesItsOwnResource);
            report.AppendLine($"{method.Name,-28} {method.Parameter,-18} {inputs.Count,6} {inputs.Count - outcome,9} {outcome,9}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        Assert.True(failures.Count == 0, $"{failures.Count} input(s) broke the property:{Environment.NewLine}{string.Join(Environment.NewLine, Sample(failures))}");
    }

    [Fact]
    public void TheGeneratorIsReproducibleForASeedAndDiffersBetweenSeeds()
    {
        Assert.Equal(new HostileInputGenerator(7).Strings(ValueKind.Domain, 50), new HostileInputGenerator(7).Strings(ValueKind.Domain, 50));
        Assert.NotEqual(new HostileInputGenerator(7).Strings(ValueKind.Domain, 50), new HostileInputGenerator(8).Strings(ValueKind.Domain, 50));
    }

    [Fact]
    public void TheLuaDecoderUsedAsOracleReadsLuaEscapesAsLuaDoes()
    {
        Assert.Equal("a\"b\\"u8.ToArray(), LuaLiteral.Decode("\"a\\034b\\092\""));
        Assert.Equal("AB\n"u8.ToArray(), LuaLiteral.Decode("\"\\65\\x42\\n\""));
        Assert.Equal("\u00e9"u8.ToArray(), LuaLiteral.Decode("\"\\u{E9}\""));
        Assert.Throws<FormatException>(() => LuaLiteral.Decode("\"a\nb\""));
        Assert.Throws<FormatException>(() => LuaLiteral.Decode("\"a\"b\""));
        Assert.Throws<FormatException>(() => LuaLiteral.Decode("\"\\256\""));
        foreach (var value in new HostileInputGenerator(1).Strings(ValueKind.LuaText, 300))
        {
            Assert.Equal(Encoding.UTF8.GetBytes(value), LuaLiteral.Decode(LuaSyntax.String(value)));
        }
    }

    /// <summary>At most five failures per method and argument, so that one broken method does not hide the others.</summary>
    private static IEnumerable<string> Sample(List<string> failures) =>
        failures.GroupBy(f => f[..f.IndexOf(": ", StringComparison.Ordinal)]).SelectMany(g => g.Take(5).Append(g.Count() > 5 ? $"  … and {g.Count() - 5} more for {g.Key}" : null)).OfType<string>();

    /// <summary>Calls the method once per input, on a Prosody resource of its own, and checks the property.</summary>
    /// <param name="freshModel">A new app model for every input: the method adds resources whose names could collide.</param>
    /// <param name="createsItsOwnResource">The method is AddProsody itself: no resource is added for it.</param>
    private static int Run<T>(string name, string parameter, bool publish, bool freshModel, IReadOnlyList<T> inputs,
        Action<IDistributedApplicationBuilder, IResourceBuilder<ProsodyResource>, T> call, Func<Generated, T, IEnumerable<string>> check, List<string> failures,
        bool createsItsOwnResource)
    {
        var accepted = 0;
        IDistributedApplicationBuilder? builder = null;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (i % 100 == 0 || freshModel)
            {
                builder = TestModel.CreateBuilder(publish ? DistributedApplicationOperation.Publish : DistributedApplicationOperation.Run);
            }

            var input = inputs[i];
            var shown = Show(input);
            var chat = createsItsOwnResource ? null : builder!.AddProsody($"hostile-input-{i}");
            var before = chat is null ? null : Generated.From(builder!, chat.Resource, publish);
            try
            {
                call(builder!, chat!, input);
            }
            catch (ArgumentException error)
            {
                if (error.ParamName != parameter)
                {
                    failures.Add($"{name}({parameter}: {shown}) was rejected naming '{error.ParamName}': {Show(error.Message, 300)}");
                }

                // Aspire's own resource-name check quotes the name as given; the integration's messages show control characters escaped.
                var message = error.Message.Split(" (Parameter '", 2)[0];
                if (!message.StartsWith("Resource name '", StringComparison.Ordinal) && message.Any(char.IsControl))
                {
                    failures.Add($"{name}({parameter}: {shown}) was rejected with a message holding control characters: {Show(message)}");
                }

                if (before is not null && Generated.From(builder!, chat!.Resource, publish) is var after && !before.SameAs(after))
                {
                    failures.Add($"{name}({parameter}: {shown}) was rejected but changed the configuration: {before.Difference(after)}");
                }

                continue;
            }
            catch (Exception error)
            {
                failures.Add($"{name}({parameter}: {shown}) threw {error.GetType().Name} instead of an ArgumentException: {Show(error.Message, 300)}");
                continue;
            }

            accepted++;
            var resource = chat?.Resource ?? builder!.Resources.OfType<ProsodyResource>().Last();
            var generated = Generated.From(builder!, resource, publish);
            var problems = check(generated, input).Concat(generated.Sane()).ToList();
            if (problems.Count > 0)
            {
                failures.Add($"{name}({parameter}: {shown}) was accepted but does not arrive exactly: {string.Join("; ", problems)}");
            }
        }

        return accepted;
    }

    private static IEnumerable<string> Expect(string variable, string expected, IReadOnlyDictionary<string, string> env) =>
        env.TryGetValue(variable, out var actual) && actual == expected ? [] : [$"{variable} is {Show(actual ?? "<absent>")}, expected {Show(expected)}"];

    /// <summary>The image's template splits a list on "," and drops empty items, without trimming.</summary>
    private static IEnumerable<string> ExpectList(string variable, IReadOnlyDictionary<string, string> env, IEnumerable<string> expected)
    {
        var items = env.TryGetValue(variable, out var value) ? value.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
        return items.SequenceEqual(expected) ? [] : [$"{variable} splits into [{string.Join(" | ", items.Select(Show))}], expected [{string.Join(" | ", expected.Select(Show))}]"];
    }

    private static IEnumerable<string> ExpectComponent(Generated g, string domain, string module)
    {
        var items = g.Env.TryGetValue("PROSODY_COMPONENTS", out var value) ? value.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
        return items is [var item] && item.Split(':') is [var name, var type] && name == domain && type == module
            ? Valid(() => ProsodyValidation.Domain(domain, "domain"), "the component's domain")
            : [$"PROSODY_COMPONENTS is {Show(value ?? "<absent>")}, expected one item {Show(domain)}:{module}"];
    }

    private static IEnumerable<string> ExpectExternalComponent(Generated g, string domain) =>
        g.Lua.Contains($"\nComponent {LuaSyntax.String(domain)}\n  component_secret = ENV_ASPIRE_COMPONENT_1_SECRET\n", StringComparison.Ordinal)
            ? ExpectDecodes(LuaSyntax.String(domain), domain)
            : [$"no Component section for {Show(domain)}"];

    private static IEnumerable<string> ExpectAccount(Generated g, int index, string jid)
    {
        var line = $"  {{ jid = {LuaSyntax.String(jid)}, password_variable = \"ASPIRE_ACCOUNT_{index}_PASSWORD\" }};\n";
        return g.Lua.Contains(line, StringComparison.Ordinal) ? ExpectDecodes(LuaSyntax.String(jid), jid) : [$"no account line for {Show(jid)}"];
    }

    private static IEnumerable<string> ExpectLuaOption(Generated g, string option, string value)
    {
        var line = $"\n{option} = {LuaSyntax.String(value)}\n";
        return g.Lua.Contains(line, StringComparison.Ordinal) ? ExpectDecodes(LuaSyntax.String(value), value) : [$"no line {option} = {Show(LuaSyntax.String(value))}"];
    }

    private static IEnumerable<string> ExpectLuaNumber(Generated g, string option, long value) =>
        g.Lua.Contains($"\n{option} = {LuaSyntax.Number(value)}\n", StringComparison.Ordinal) ? [] : [$"no line {option} = {value}"];

    private static IEnumerable<string> ExpectEndpointPort(Generated g, string endpoint, int port) =>
        g.Resource.Annotations.OfType<EndpointAnnotation>().SingleOrDefault(e => e.Name == endpoint)?.Port == port ? [] : [$"the {endpoint} endpoint's port is not {port}"];

    private static IEnumerable<string> ExpectDecodes(string literal, string value)
    {
        try
        {
            return LuaLiteral.Decode(literal).SequenceEqual(Encoding.UTF8.GetBytes(value)) ? [] : [$"the literal {Show(literal)} decodes to other bytes"];
        }
        catch (FormatException error)
        {
            return [$"the literal {Show(literal)} is not a Lua string: {error.Message}"];
        }
    }

    /// <summary>
    /// coturn's command is a shell script: the value must stand in it as exactly one word made of characters the shell
    /// gives no meaning to (no quoting, expansion, globbing, comment or separator). The functional twin runs the
    /// script's words through a real shell.
    /// </summary>
    private static IEnumerable<string> ExpectShellWord(string script, string word)
    {
        if (!ShellInert().IsMatch(word))
        {
            return [$"{Show(word)} holds characters the shell interprets"];
        }

        return script.Contains($" {word} ", StringComparison.Ordinal) ? [] : [$"coturn's command has no word {Show(word)}"];
    }

    private static IEnumerable<string> Problem(bool present, string problem) => present ? [problem] : [];

    private static IEnumerable<string> Valid(Func<string> validate, string what)
    {
        try
        {
            validate();
            return [];
        }
        catch (ArgumentException error)
        {
            return [$"{what} is invalid: {error.Message}"];
        }
    }

    private static int TurnPortAwayFrom(int relayPort) => relayPort is > 3000 and < 4000 ? 5000 : 3478;

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string Show<T>(T value, int max = 80)
    {
        var text = value?.ToString() ?? "null";
        var shown = new StringBuilder("\"");
        foreach (var c in text.Length > max ? text[..(max * 3 / 4)] : text)
        {
            shown.Append(c is < ' ' or '\u007f' or '"' or '\\' || char.IsSurrogate(c) || c > '\u007e' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return shown.Append(text.Length > max ? $"…\" ({text.Length} characters)" : "\"").ToString();
    }

    [GeneratedRegex(@"^[A-Za-z0-9._:%+,/@=-]+$")]
    private static partial Regex ShellInert();

    internal sealed record HostileMethod(string Name, string Parameter, ValueKind Kind, Action<IDistributedApplicationBuilder, IResourceBuilder<ProsodyResource>, string> Call,
        Func<Generated, string, IEnumerable<string>> Check, bool Publish = false, bool CreatesItsOwnResource = false, bool FreshModel = false);

    internal sealed record HostileIntegerMethod(string Name, string Parameter, Action<IDistributedApplicationBuilder, IResourceBuilder<ProsodyResource>, int> Call,
        Func<Generated, int, IEnumerable<string>> Check, bool CreatesItsOwnResource = false);

    /// <summary>What the integration generates for one Prosody resource: its environment, conf.d and coturn's command.</summary>
    internal sealed record Generated(ProsodyResource Resource, ProsodyConfiguration Configuration, IReadOnlyDictionary<string, string> Env, string Lua, string? TurnScript, int? TurnEndpointPort)
    {
        public string Domain => Resource.Domain;

        public static Generated From(IDistributedApplicationBuilder builder, ProsodyResource resource, bool publish)
        {
            var configuration = ProsodyConfiguration.Create(resource, isRunMode: !publish);
            var env = ProsodyEnvironmentVariables.Create(configuration).ToDictionary(v => v.Key, v => SecureDefaultsSnapshot.Text(v.Value), StringComparer.Ordinal);
            var turn = builder.Resources.OfType<CoturnResource>().SingleOrDefault(t => t.Name == $"{resource.Name}-turn");
            return new(resource, configuration, env, ProsodyConfigFile.Render(configuration),
                turn is null ? null : CoturnCommandLine.Script(turn, resource.Domain, turn.ExternalAddress),
                turn?.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "turn").Port);
        }

        public bool SameAs(Generated other) => Lua == other.Lua && Env.Count == other.Env.Count && Env.All(v => other.Env.TryGetValue(v.Key, out var o) && o == v.Value);

        public string Difference(Generated after) =>
            string.Join("; ", after.Env.Where(v => !Env.TryGetValue(v.Key, out var b) || b != v.Value).Select(v => $"{v.Key}={Show(v.Value)}")
                .Concat(after.Lua == Lua ? [] : [$"conf.d now {Show(after.Lua.Replace(Lua.TrimEnd(), "", StringComparison.Ordinal))}"]));

        /// <summary>Always: no environment value a container cannot carry, and no line of the conf.d file outside its grammar.</summary>
        public IEnumerable<string> Sane()
        {
            foreach (var (variable, value) in Env)
            {
                if (value.Any(c => char.IsControl(c) || char.IsSurrogate(c)))
                {
                    yield return $"{variable} holds control characters: {Show(value)}";
                }
            }

            foreach (var line in Lua.Split('\n'))
            {
                if (!ConfLine().IsMatch(line))
                {
                    yield return $"the conf.d file has a line outside its grammar: {Show(line)}";
                }
            }
        }
    }

    /// <summary>
    /// Lines the generator writes: comments, options, table rows, Include and Component lines, and the few Lua
    /// statements it writes as they are (local …, if …), all printable ASCII.
    /// </summary>
    [GeneratedRegex("""^(|--[ -~]*|[a-z0-9_]+ = [ -~]+|  [a-z0-9_]+ = [ -~]+|  \{ jid = "[ -~]*", password_variable = "[A-Z0-9_]+" \};|\}|Include "[ -~]+"|Component "[ -~]+"|(local|if) [ -~]+)$""")]
    private static partial Regex ConfLine();
}
