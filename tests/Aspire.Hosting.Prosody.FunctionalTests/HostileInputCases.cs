using System.Globalization;
using Aspire.Hosting.Prosody.Configuration;
using Aspire.Hosting.Prosody.HostileInput;
using Aspire.Hosting.Prosody.Turn;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// The hostile inputs the builder methods accept, put into configurations as the integration generates them. Inputs
/// come from <see cref="HostileInputGenerator"/> (the same per method as in the unit tests); each method's accepted
/// values are spread over as few configurations as possible (value i of every method goes into configuration i), so
/// that a handful of containers check them all.
/// </summary>
internal sealed class HostileInputCases
{
    /// <summary>
    /// The methods whose values reach Prosody's configuration (conf.d Lua, PROSODY_* variables) or coturn's shell
    /// command. WithExtraConfiguration is left out: its Lua is used as written, by design.
    /// </summary>
    private static readonly (string Method, string Parameter, ValueKind Kind, Action<IDistributedApplicationBuilder, IResourceBuilder<ProsodyResource>, string> Apply)[] Methods =
    [
        ("WithDomain", "domain", ValueKind.Domain, (_, chat, v) => chat.WithDomain(v)),
        ("WithUser", "userName", ValueKind.UserName, (_, chat, v) => chat.WithUser(v, isAdmin: v.Length % 2 == 0)),
        ("WithAdminUserName", "userName", ValueKind.UserName, (_, chat, v) => chat.WithAdminUserName(v)),
        ("WithEnabledModules", "modules", ValueKind.ModuleName, (_, chat, v) => chat.WithEnabledModules(v)),
        ("WithDisabledModules", "modules", ValueKind.ModuleName, (_, chat, v) => chat.WithDisabledModules(v)),
        ("WithRateLimits", "clientToServer", ValueKind.Rate, (_, chat, v) => chat.WithRateLimits(clientToServer: v)),
        ("WithRateLimits", "serverToServer", ValueKind.Rate, (_, chat, v) => chat.WithRateLimits(serverToServer: v)),
        ("WithMultiUserChat", "subdomain", ValueKind.Label, (_, chat, v) => chat.WithMultiUserChat(v)),
        ("WithFileShare", "subdomain", ValueKind.Label, (_, chat, v) => chat.WithFileShare(v)),
        ("AddExternalComponent", "subdomain", ValueKind.Label, (_, chat, v) => chat.AddExternalComponent($"{chat.Resource.Name}-bot", v)),
        ("WithSqliteStorage", "fileName", ValueKind.FileName, (_, chat, v) => chat.WithSqliteStorage(v)),
        ("WithTurnServer", "externalAddress", ValueKind.Address, (_, chat, v) => chat.WithTurnServer(externalAddress: v)),
        ("WithMetrics", "allowedNetwork", ValueKind.Network, (_, chat, v) => chat.WithMetrics(allowedNetwork: v)),
    ];

    private HostileInputCases()
    {
    }

    /// <summary>Per method: inputs tried and accepted.</summary>
    public List<(string Method, string Parameter, int Tried, List<string> Accepted)> Outcomes { get; } = [];

    /// <summary>The configurations: conf.d text, environment (references given stand-in values) and coturn's script, if any.</summary>
    public List<Configuration> Configurations { get; } = [];

    /// <summary>Every accepted string value, and the whole LuaText corpus (what the dashboard commands quote for the admin shell).</summary>
    public List<string> Literals { get; } = [];

    public static HostileInputCases Create()
    {
        var cases = new HostileInputCases();
        foreach (var (method, parameter, kind, apply) in Methods)
        {
            var inputs = HostileInputGenerator.For(method, parameter).Strings(kind, HostileInputGenerator.RandomInputsPerMethod);
            var accepted = new List<string>();
            var probes = CreateBuilder();
            for (var i = 0; i < inputs.Count; i++)
            {
                try
                {
                    apply(probes, probes.AddProsody($"probe{i}"), inputs[i]);
                    accepted.Add(inputs[i]);
                }
                catch (ArgumentException)
                {
                }
            }

            Dispose(probes);
            cases.Outcomes.Add((method, parameter, inputs.Count, accepted));
        }

        // Configuration i takes the i-th accepted value of every method; a value that cannot join it (a subdomain
        // already taken there) gets a configuration of its own.
        var builder = CreateBuilder();
        var configurations = Enumerable.Range(0, cases.Outcomes.Max(o => o.Accepted.Count)).Select(i => builder.AddProsody($"case{i}")).ToList();
        foreach (var ((_, _, _, apply), outcome) in Methods.Zip(cases.Outcomes))
        {
            for (var i = 0; i < outcome.Accepted.Count; i++)
            {
                try
                {
                    apply(builder, configurations[i], outcome.Accepted[i]);
                }
                catch (ArgumentException)
                {
                    configurations.Add(builder.AddProsody($"case{configurations.Count}"));
                    apply(builder, configurations[^1], outcome.Accepted[i]);
                }
            }
        }

        cases.Configurations.AddRange(configurations.Select(chat => Configuration.From(builder, chat.Resource)));
        Dispose(builder);

        cases.Literals.AddRange(cases.Outcomes.SelectMany(o => o.Accepted)
            .Concat(HostileInputGenerator.For("LuaSyntax.String", "value").Strings(ValueKind.LuaText, HostileInputGenerator.RandomInputsPerMethod))
            .Distinct(StringComparer.Ordinal));
        return cases;
    }

    private static IDistributedApplicationBuilder CreateBuilder() =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true, Args = [] });

    /// <summary>A builder's configuration watches files (user secrets): release the watchers, which are a limited resource.</summary>
    private static void Dispose(IDistributedApplicationBuilder builder) => (builder.Configuration as IDisposable)?.Dispose();

    internal sealed record Configuration(string Name, ProsodyConfiguration Decisions, string Lua, IReadOnlyList<KeyValuePair<string, string>> Environment,
        string? TurnScript, string? TurnAddress)
    {
        public static Configuration From(IDistributedApplicationBuilder builder, ProsodyResource resource)
        {
            var configuration = ProsodyConfiguration.Create(resource, isRunMode: true);
            var environment = ProsodyEnvironmentVariables.Create(configuration).Select(v => KeyValuePair.Create(v.Key, StandIn(v.Key, v.Value))).ToList();
            var turn = builder.Resources.OfType<CoturnResource>().SingleOrDefault(t => t.Name == $"{resource.Name}-turn");
            return new(resource.Name, configuration, ProsodyConfigFile.Render(configuration), environment,
                turn is null ? null : CoturnCommandLine.Script(turn, resource.Domain, turn.ExternalAddress), turn?.ExternalAddress);
        }

        /// <summary>What the orchestrator would put in place of a reference: a secret, a port, a host, a URL.</summary>
        private static string StandIn(string variable, object value) => value switch
        {
            string text => text,
            ParameterResource => "Secret0Value",
            EndpointReferenceExpression { Property: EndpointProperty.Port } => 3478.ToString(CultureInfo.InvariantCulture),
            EndpointReferenceExpression => "127.0.0.1",
            _ when variable == ProsodyConfiguration.HttpExternalUrlVariable => "http://localhost:5280/",
            _ => throw new InvalidOperationException($"No stand-in for {variable} ({value.GetType().Name})."),
        };
    }
}
