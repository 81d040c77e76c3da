using System.Diagnostics;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Decides whether functional tests can run: a container runtime that really runs containers (a docker client
/// without an engine does not count) and the images the tests use. Without them a test is skipped on a
/// developer's machine, and fails where PROSODY_REQUIRE_CONTAINERS=1 (CI), so CI never passes with tests skipped.
/// </summary>
internal static class ContainerRuntime
{
    public const string ProsodyImage = "docker.io/prosodyim/prosody:13.0";
    public const string Prosody012Image = "docker.io/prosodyim/prosody:0.12";
    public const string CoturnImage = "docker.io/coturn/coturn:4.6.1";
    public const string PostgresImage = "docker.io/library/postgres:18.3";
    public const string MariaDbImage = "docker.io/library/mariadb:11.8";

    private const string HowToGetOne =
        "Install Docker or Podman (on Debian: sudo eng/containers/provision.sh installs and configures Podman and builds the images offline), " +
        "or pull the images with a runtime that reaches a registry.";

    private static readonly Lazy<(string? Name, string? Problem)> Probe = new(FindRuntime);

    /// <summary>The runtime the orchestrator will drive: "docker" or "podman".</summary>
    public static string Name => Require();

    /// <summary>The usable runtime ("docker" or "podman"), or why there is none; probed once per process.</summary>
    public static (string? Name, string? Problem) Find() => Probe.Value;

    public static bool IsRequired => Environment.GetEnvironmentVariable("PROSODY_REQUIRE_CONTAINERS") == "1";

    /// <summary>Skips (or, when required, fails) the calling test unless the runtime and the images are there.</summary>
    public static string Require(params string[] images)
    {
        var (name, problem) = Probe.Value;
        if (name is not null)
        {
            var missing = images.Where(image => Run(name, "image", "inspect", "--format", "{{.Id}}", image).ExitCode != 0).ToArray();
            if (missing.Length > 0)
            {
                problem = $"The container image(s) {string.Join(", ", missing)} are missing from {name}.";
            }
        }

        if (problem is null)
        {
            return name!;
        }

        var message = $"{problem} {HowToGetOne}";
        if (IsRequired)
        {
            Assert.Fail($"PROSODY_REQUIRE_CONTAINERS=1 but functional tests cannot run: {message}");
        }

        Assert.Skip(message);
        return null!;
    }

    public static (int ExitCode, string Output) Run(string runtime, params string[] arguments) =>
        Run(runtime, new Dictionary<string, string>(), arguments);

    /// <summary>Runs the runtime's CLI with extra environment variables (values that must stay off its command line).</summary>
    public static (int ExitCode, string Output) Run(string runtime, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(runtime) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{runtime} {string.Join(' ', arguments)} did not finish in 60 s");
            }

            return (process.ExitCode, output.Result + error.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }

    private static (string? Name, string? Problem) FindRuntime()
    {
        var configured = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") ?? Environment.GetEnvironmentVariable("DOTNET_ASPIRE_CONTAINER_RUNTIME");
        var candidates = configured is { Length: > 0 } ? [configured] : new[] { "docker", "podman" };
        var problems = new List<string>();
        foreach (var candidate in candidates)
        {
            // "info" needs the engine itself, not just a client on PATH.
            var (exitCode, output) = Run(candidate, "info");
            if (exitCode == 0)
            {
                // The orchestrator reads the same variable, so tests and DCP agree on the runtime.
                Environment.SetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME", candidate);
                Environment.SetEnvironmentVariable("DOTNET_ASPIRE_CONTAINER_RUNTIME", candidate);
                return (candidate, null);
            }

            problems.Add($"'{candidate} info' failed ({FirstLine(output)})");
        }

        return (null, $"No usable container runtime: {string.Join("; ", problems)}.");
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";
}
