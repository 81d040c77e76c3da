#pragma warning disable ASPIREPROBES001 // probes are experimental in Aspire 13.6.5
using System.Text;
using System.Text.RegularExpressions;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// Everything an app model hands to the integration's containers (Prosody and coturn), and to an app that references
/// Prosody, flattened into named settings: one per environment variable, argument (each <c>--option</c> of coturn's
/// command on its own), container runtime argument, container file, option of the generated conf.d file, mount,
/// endpoint and image. Two snapshots compare setting by setting.
/// </summary>
internal static partial class SecureDefaultsSnapshot
{
    public const string ConsumerName = "consumer";

    public static async Task<SortedDictionary<string, string>> TakeAsync(DistributedApplication app, DistributedApplicationOperation operation)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        // Some settings are made when the app starts: who publishes the ports, the certificate parameters.
        await app.CompleteAtStartAsync();

        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var resource in model.Resources.OfType<ContainerResource>())
        {
            var ours = resource is ProsodyResource or CoturnResource;
            var name = resource.Name;
            if (!ours && name != ConsumerName)
            {
                continue;
            }

            // The consumer is a bare container: all its environment comes from WithReference(prosody).
            foreach (var (variable, value) in await resource.RawEnvironmentAsync(operation))
            {
                settings[$"env {name} {variable}"] = Text(value);
            }

            if (!ours)
            {
                continue;
            }

            // The configured image; a published model builds a derived image from it (listed as "build").
            settings[$"image {name}"] = resource.TryGetContainerImageName(useBuiltImage: false, out var image) ? image : "?";
            if (resource.TryGetLastAnnotation<DockerfileBuildAnnotation>(out var build) && build.DockerfileFactory is { } factory)
            {
                var dockerfile = await factory(new DockerfileFactoryContext { Services = app.Services, Resource = resource, CancellationToken = CancellationToken.None });
                var lines = dockerfile.Split('\n', StringSplitOptions.TrimEntries);
                settings[$"build {name}"] = $"derived from {lines.Single(l => l.StartsWith("FROM ", StringComparison.Ordinal))[5..]}, entrypoint {System.Text.Json.JsonSerializer.Deserialize<string[]>(lines.Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))[11..])![0]}";
            }

            foreach (var probe in resource.Annotations.OfType<ProbeAnnotation>())
            {
                settings[$"probe {name} {probe.Type}"] = probe is EndpointProbeAnnotation http ? $"http {http.Path} every {probe.PeriodSeconds} s" : probe.ToString()!;
            }

            settings[$"entrypoint {name}"] = resource.Entrypoint ?? "(image)";
            var args = await resource.ArgsAsync();
            for (var i = 0; i < args.Count; i++)
            {
                if (resource is CoturnResource && CoturnOptions(args[i]) is { Count: > 0 } options)
                {
                    foreach (var (option, value) in options)
                    {
                        settings[$"arg {name} turnserver {option}"] = value;
                    }

                    settings[$"arg {name} {i}"] = "(script: turnserver options above)";
                }
                else
                {
                    settings[$"arg {name} {i}"] = args[i];
                }
            }

            var runtimeArgs = new List<object>();
            foreach (var callback in resource.Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>())
            {
                await callback.Callback(new ContainerRuntimeArgsCallbackContext(runtimeArgs, CancellationToken.None));
            }

            if (runtimeArgs.Count > 0)
            {
                settings[$"runtime-args {name}"] = string.Join(' ', runtimeArgs.Select(Text));
            }

            foreach (var (path, file) in await app.AllFilesAsync(resource))
            {
                var key = $"file {name} {path}";
                if (path == $"{ProsodyConfiguration.ConfigDirectory}/{ProsodyConfiguration.ConfigFileName}" && file.Contents is { } lua)
                {
                    settings[key] = $"mode {Convert.ToString((int)file.Mode, 8)}, settings below";
                    foreach (var (option, value) in ConfigSettings(lua))
                    {
                        settings[$"conf.d {name} {option}"] = value;
                    }
                }
                else
                {
                    settings[key] = $"mode {Convert.ToString((int)file.Mode, 8)}, " + (file.Contents is { } contents ? Describe(contents) : $"copied from {file.SourcePath}");
                }
            }

            foreach (var mount in resource.Annotations.OfType<ContainerMountAnnotation>())
            {
                settings[$"mount {name} {mount.Target}"] = $"{mount.Type} {mount.Source} {(mount.IsReadOnly ? "ro" : "rw")}";
            }

            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                settings[$"endpoint {name} {endpoint.Name}"] =
                    $"{endpoint.UriScheme} {endpoint.Protocol} target {endpoint.TargetPort} port {endpoint.Port?.ToString() ?? "any"} {(endpoint.IsProxied ? "proxied" : "not proxied")}";
            }
        }

        return settings;
    }

    /// <summary>Every setting present in only one snapshot or different in the two, as (setting, run, publish).</summary>
    public static List<(string Setting, string? Run, string? Publish)> Differences(IReadOnlyDictionary<string, string> run, IReadOnlyDictionary<string, string> publish) =>
        run.Keys.Union(publish.Keys).Order(StringComparer.Ordinal)
            .Select(key => (Setting: key, Run: run.GetValueOrDefault(key), Publish: publish.GetValueOrDefault(key)))
            .Where(d => d.Run != d.Publish)
            .ToList();

    /// <summary>Values as a manifest shows them: parameters and endpoints as placeholders, never resolved.</summary>
    public static string Text(object? value) => value switch
    {
        null => "(null)",
        string s => s,
        IManifestExpressionProvider provider => provider.ValueExpression,
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// The generated conf.d file as settings: each global option (a multi-line table as one value), each Include and
    /// each Component section (with its options) is one setting, and any other statement is a setting of its own.
    /// Comments and blank lines are not settings.
    /// </summary>
    public static IEnumerable<(string Option, string Value)> ConfigSettings(string lua)
    {
        var lines = lua.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.StartsWith("Component ", StringComparison.Ordinal) || line.StartsWith("Include ", StringComparison.Ordinal))
            {
                var body = new List<string>();
                while (i + 1 < lines.Length && lines[i + 1].StartsWith(' '))
                {
                    body.Add(lines[++i].Trim());
                }

                yield return (line, body.Count == 0 ? "(present)" : string.Join(" ", body));
                continue;
            }

            var assignment = Assignment().Match(line);
            if (!assignment.Success)
            {
                // A statement that is not an option (Lua code the generator writes as is): the line is the setting.
                yield return ($"line: {line}", "(present)");
                continue;
            }

            var value = assignment.Groups["value"].Value;
            if (value == "{")
            {
                var block = new StringBuilder("{");
                while (++i < lines.Length && lines[i] != "}")
                {
                    block.Append(' ').Append(lines[i].Trim());
                }

                value = block.Append(" }").ToString();
            }

            yield return (assignment.Groups["name"].Value, value);
        }
    }

    /// <summary>coturn's options from the shell script it runs: <c>--name=value</c> (or <c>--flag</c>) after <c>turnserver</c>.</summary>
    private static List<(string Option, string Value)> CoturnOptions(string script)
    {
        var start = script.IndexOf("turnserver ", StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }

        var end = script.IndexOf(" &", start, StringComparison.Ordinal);
        return script[(start + "turnserver ".Length)..end].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(token => token.Split('=', 2))
            .Select(parts => (parts[0], parts.Length == 2 ? parts[1] : "(flag)"))
            .ToList();
    }

    private static string Describe(string contents) =>
        contents.StartsWith("-----BEGIN", StringComparison.Ordinal)
            ? $"PEM {contents.Split('\n')[0].Trim('-', ' ', '\r')}"
            : $"{contents.Length} characters, sha256 {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(contents)))[..16]}";

    [GeneratedRegex(@"^(?<name>[a-z_][a-z0-9_]*) = (?<value>.+)$")]
    private static partial Regex Assignment();
}
