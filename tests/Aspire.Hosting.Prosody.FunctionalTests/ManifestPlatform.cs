using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// A container platform that knows nothing but an Aspire manifest, as Docker Compose, Kubernetes or a person with
/// <c>docker run</c> would: each container resource becomes one container on a private network, reachable by the
/// resource's name, with its image, environment, volumes, entrypoint and arguments exactly as the manifest says.
/// Placeholders resolve the way a platform resolves them for a peer on that network (host = the resource's name,
/// port = the target port); parameters take the values the deployer supplies, or generate their declared default.
/// Every binding is also published on a random loopback port, so the test can act as a client from outside.
/// </summary>
internal sealed partial class ManifestPlatform : IAsyncDisposable
{
    private readonly string _runtime;
    private readonly JsonObject _resources;
    private readonly Dictionary<string, string> _parameterValues;
    private readonly IReadOnlyDictionary<string, string> _builtImages;
    private readonly List<string> _containers = [];
    private readonly HashSet<string> _volumes = [];
    private readonly Action<string> _log;

    public ManifestPlatform(string runtime, JsonNode manifest, IReadOnlyDictionary<string, string> parameterValues, IReadOnlyDictionary<string, string> builtImages, Action<string> log)
    {
        _runtime = runtime;
        _resources = manifest["resources"]!.AsObject();
        _parameterValues = new(parameterValues);
        _builtImages = builtImages;
        _log = log;
        Prefix = $"manifest-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
        Network = Prefix;
        Check(Podman("network", "create", Network));
    }

    public string Prefix { get; }

    public string Network { get; }

    /// <summary>The values of every parameter the manifest marks secret, as the platform resolved them.</summary>
    public IReadOnlyList<string> SecretValues =>
        [.. _resources.Where(r => (string?)r.Value!["type"] == "parameter.v0" && r.Value!["inputs"]?["value"]?["secret"]?.GetValue<bool>() == true)
            .Select(r => ParameterValue(r.Key))];

    public string ContainerName(string resource) => $"{Prefix}-{resource}";

    /// <summary>Starts the resource's container as the manifest describes it.</summary>
    public void Start(string resource)
    {
        var entry = _resources[resource]?.AsObject() ?? throw new InvalidOperationException($"The manifest has no resource '{resource}'.");
        var type = (string?)entry["type"];
        var image = type switch
        {
            "container.v0" => (string)entry["image"]!,
            "container.v1" => _builtImages.TryGetValue(resource, out var built) ? built : throw new InvalidOperationException($"No image was built for '{resource}'."),
            _ => throw new InvalidOperationException($"'{resource}' is a {type}, not a container."),
        };

        var arguments = new List<string> { "run", "--detach", "--name", ContainerName(resource), "--network", Network, "--network-alias", resource };
        var environment = new Dictionary<string, string>();
        foreach (var (name, value) in entry["env"]?.AsObject() ?? [])
        {
            // "--env NAME" takes the value from podman's own environment: values (multi-line PEM, secrets) stay off its command line.
            environment[name] = Resolve((string)value!);
            arguments.AddRange(["--env", name]);
        }

        foreach (var (_, binding) in entry["bindings"]?.AsObject() ?? [])
        {
            // A binding with a port is exposed on exactly that port, and UDP ones (TURN, its relays) on their own number:
            // clients are told those ports. Others go on any free loopback port, so tests can run side by side.
            var protocol = (string?)binding!["protocol"] ?? "tcp";
            var targetPort = (int)binding["targetPort"]!;
            var hostPort = (int?)binding["port"] ?? (protocol == "udp" ? targetPort : null);
            arguments.AddRange(["--publish", $"127.0.0.1:{hostPort}:{targetPort}/{protocol}"]);
        }

        foreach (var volume in entry["volumes"]?.AsArray() ?? [])
        {
            var name = $"{Prefix}-{(string)volume!["name"]!}";
            _volumes.Add(name);
            arguments.AddRange(["--volume", $"{name}:{(string)volume["target"]!}{((bool?)volume["readOnly"] == true ? ":ro" : "")}"]);
        }

        if ((string?)entry["entrypoint"] is { } entrypoint)
        {
            arguments.AddRange(["--entrypoint", entrypoint]);
        }

        arguments.Add(image);
        arguments.AddRange((entry["args"]?.AsArray() ?? []).Select(a => Resolve((string)a!)));

        _log($"platform: starting {resource} from {image} with {environment.Count} environment variables");
        Check(Podman(environment, [.. arguments]));
        _containers.Add(ContainerName(resource));
    }

    /// <summary>The loopback port the platform published a binding's target port on.</summary>
    public int HostPort(string resource, string binding)
    {
        var entry = _resources[resource]!["bindings"]![binding]!;
        var (_, output) = Check(Podman("port", ContainerName(resource), $"{(int)entry["targetPort"]!}/{(string?)entry["protocol"] ?? "tcp"}"));
        return int.Parse(output.Trim().Split('\n')[0].Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public string Logs(string resource) => Podman("logs", ContainerName(resource)).Output;

    public (int ExitCode, string Output) Exec(string resource, params string[] command) => Podman(["exec", ContainerName(resource), .. command]);

    /// <summary>Replaces every <c>{resource.path}</c> placeholder of the manifest's expression language.</summary>
    public string Resolve(string expression) => Placeholder().Replace(expression, match =>
    {
        var parts = match.Groups[1].Value.Split('.');
        if (!_resources.ContainsKey(parts[0]))
        {
            return match.Value;
        }

        var resource = _resources[parts[0]]!;
        return parts[1..] switch
        {
            ["connectionString"] => Resolve((string)resource["connectionString"]!),
            ["value"] when (string?)resource["type"] == "parameter.v0" => ParameterValue(parts[0]),
            ["inputs", "value"] => ParameterValue(parts[0]),
            ["value"] => Resolve((string)resource["value"]!),
            ["bindings", var binding, var property] => BindingProperty(parts[0], resource["bindings"]![binding]!, property),
            _ => throw new NotSupportedException($"The platform cannot resolve '{match.Value}'."),
        };
    });

    private static string BindingProperty(string resource, JsonNode binding, string property)
    {
        static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var targetPort = Text((int)binding["targetPort"]!);
        // The port the service is exposed on where the manifest names one; peers on the network use the target port.
        var port = binding["port"] is { } exposed ? Text((int)exposed) : targetPort;
        return property switch
        {
            "host" => resource,
            "port" => port,
            "targetPort" => targetPort,
            "hostAndPort" => $"{resource}:{port}",
            "url" => $"{(string)binding["scheme"]!}://{resource}:{port}",
            _ => throw new NotSupportedException($"The platform cannot resolve the binding property '{property}'."),
        };
    }

    private string ParameterValue(string name)
    {
        if (_parameterValues.TryGetValue(name, out var value))
        {
            return value;
        }

        var input = _resources[name]!["inputs"]!["value"]!;
        value = input["default"]?["value"] is { } literal ? (string)literal!
            : input["default"]?["generate"] is { } generate ? Convert.ToHexString(RandomNumberGenerator.GetBytes(Math.Max(16, (int?)generate["minLength"] ?? 16))).ToLowerInvariant()
            : throw new InvalidOperationException($"The deployer gave no value for the parameter '{name}', which has no default.");
        _parameterValues[name] = value;
        return value;
    }

    private (int ExitCode, string Output) Podman(params string[] arguments) => ContainerRuntime.Run(_runtime, arguments);

    private (int ExitCode, string Output) Podman(Dictionary<string, string> environment, params string[] arguments) => ContainerRuntime.Run(_runtime, environment, arguments);

    private static (int ExitCode, string Output) Check((int ExitCode, string Output) result) =>
        result.ExitCode == 0 ? result : throw new InvalidOperationException($"The container runtime failed ({result.ExitCode}): {result.Output}");

    public ValueTask DisposeAsync()
    {
        foreach (var container in _containers)
        {
            Podman("rm", "--force", "--time", "2", container);
        }

        foreach (var volume in _volumes)
        {
            Podman("volume", "rm", "--force", volume);
        }

        Podman("network", "rm", "--force", Network);
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)+)\}")]
    private static partial Regex Placeholder();
}
