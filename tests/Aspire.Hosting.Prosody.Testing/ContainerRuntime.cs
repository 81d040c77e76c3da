using System.Diagnostics;

namespace Aspire.Hosting.Prosody.Testing;

/// <summary>
/// The one probe for a container runtime that really runs containers (a docker client without an engine does not
/// count) and for the images a test or the benchmark needs. Tests state the requirement with
/// <see cref="RequiresContainersAttribute"/>: without the runtime a test is skipped on a developer's machine, and fails
/// where PROSODY_REQUIRE_CONTAINERS=1 (CI), so CI never passes with tests skipped.
/// </summary>
internal static class ContainerRuntime
{
    public const string HowToGetOne =
        "Install Docker or Podman (on Debian: sudo eng/containers/provision.sh installs and configures Podman and builds the images offline), " +
        "or pull the images with a runtime that reaches a registry.";

    private static readonly Lazy<(string? Name, string? Problem)> Probe = new(FindRuntime);

    public static string ProsodyImage => ContainerImages.Prosody;

    public static string Prosody012Image => ContainerImages.Prosody012;

    public static string CoturnImage => ContainerImages.Coturn;

    public static string PostgresImage => ContainerImages.Postgres;

    public static string MariaDbImage => ContainerImages.MariaDb;

    /// <summary>The runtime the orchestrator will drive: "docker" or "podman".</summary>
    public static string Name => Require();

    /// <summary>The usable runtime ("docker" or "podman"), or why there is none; probed once per process.</summary>
    public static (string? Name, string? Problem) Find() => Probe.Value;

    public static bool IsRequired => Environment.GetEnvironmentVariable("PROSODY_REQUIRE_CONTAINERS") == "1";

    /// <summary>The runtime, or why it cannot run these images (no runtime, or images missing from it).</summary>
    public static (string? Name, string? Problem) Check(IEnumerable<string> images)
    {
        var (name, problem) = Probe.Value;
        if (name is null)
        {
            return (null, problem);
        }

        var missing = images.Where(image => Run(name, "image", "inspect", "--format", "{{.Id}}", image).ExitCode != 0).ToArray();
        return missing.Length > 0 ? (null, $"The container image(s) {string.Join(", ", missing)} are missing from {name}.") : (name, null);
    }

    /// <summary>Skips (or, when required, fails) the calling test unless the runtime and the images are there.</summary>
    public static string Require(params string[] images)
    {
        var (name, problem) = Check(images);
        if (problem is null)
        {
            return name!;
        }

        Unavailable("functional tests", $"{problem} {HowToGetOne}");
        return null!;
    }

    /// <summary>Skips the calling test, or fails it where PROSODY_REQUIRE_CONTAINERS=1: CI must never pass with tests skipped.</summary>
    public static void Unavailable(string what, string message)
    {
        if (IsRequired)
        {
            Assert.Fail($"PROSODY_REQUIRE_CONTAINERS=1 but {what} cannot run: {message}");
        }

        Assert.Skip(message);
    }

    public static (int ExitCode, string Output) Run(string runtime, params string[] arguments) =>
        Run(runtime, new Dictionary<string, string>(), arguments);

    /// <summary>Runs the runtime's CLI with extra environment variables (values that must stay off its command line).</summary>
    public static (int ExitCode, string Output) Run(string runtime, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Run(runtime, environment, standardInput: null, arguments);

    /// <summary>Runs the runtime's CLI with <paramref name="standardInput"/> written to it (commands or values that must stay off its command line).</summary>
    public static (int ExitCode, string Output) RunWithInput(string runtime, string standardInput, params string[] arguments) =>
        Run(runtime, new Dictionary<string, string>(), standardInput, arguments);

    /// <summary>
    /// Sends a signal to the Prosody process (lua) inside the container, not to the container: SIGKILL or SIGSEGV as a
    /// crash or an out-of-memory kill would end it, SIGSTOP to freeze it as a hung server. Fails when there is none.
    /// </summary>
    public static (int ExitCode, string Output) SignalProsody(string runtime, string containerId, string signal) =>
        Run(runtime, "exec", containerId, "/bin/sh", "-c",
            $"found=; for p in /proc/[0-9]*; do if tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q '^lua'; then kill -{signal} ${{p#/proc/}} && found=1; fi; done; [ -n \"$found\" ]");

    private static (int ExitCode, string Output) Run(string runtime, IReadOnlyDictionary<string, string> environment, string? standardInput, string[] arguments)
    {
        var start = new ProcessStartInfo(runtime) { RedirectStandardInput = standardInput is not null, RedirectStandardOutput = true, RedirectStandardError = true };
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
            // Read while writing: a process that answers every input line would otherwise fill its pipe and stall.
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (standardInput is not null)
            {
                process.StandardInput.Write(standardInput);
                process.StandardInput.Close();
            }

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

    public static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";

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
}
