using Aspire.Hosting.Prosody.FunctionalTests;

namespace Aspire.Hosting.Prosody.BrowserTests;

/// <summary>
/// Decides whether the browser test can run: a container runtime that really runs containers, the images the
/// playground uses, and Chromium. Without them the test is skipped on a developer's machine, and fails where
/// PROSODY_REQUIRE_CONTAINERS=1 (CI), so CI never passes with the browser test skipped.
/// </summary>
internal static class Prerequisites
{
    /// <summary>The images the playground AppHost starts: Prosody, PostgreSQL and coturn.</summary>
    public static readonly string[] PlaygroundImages =
    [
        "docker.io/prosodyim/prosody:13.0",
        "docker.io/library/postgres:18.3",
        "docker.io/coturn/coturn:4.6.1",
    ];

    /// <summary>Debian's Chromium; CHROMIUM_PATH points elsewhere (Playwright's own browser download is not used).</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private const string HowToGetThem =
        "On Debian, as root: eng/containers/provision.sh (Podman and the images, offline) and eng/browser/provision.sh (Chromium); " +
        "elsewhere install Docker or Podman with registry access and Chromium (set CHROMIUM_PATH if it is not /usr/bin/chromium).";

    public static bool IsRequired => Environment.GetEnvironmentVariable("PROSODY_REQUIRE_CONTAINERS") == "1";

    /// <summary>Skips (or, when required, fails) the calling test unless the runtime, the images and Chromium are there.</summary>
    public static void Require()
    {
        var problems = new List<string>();
        var (runtime, runtimeProblem) = ContainerRuntime.Find();
        if (runtimeProblem is not null)
        {
            problems.Add(runtimeProblem);
        }
        else
        {
            var missing = PlaygroundImages.Where(image => ContainerRuntime.Run(runtime!, "image", "inspect", "--format", "{{.Id}}", image).ExitCode != 0).ToArray();
            if (missing.Length > 0)
            {
                problems.Add($"The container image(s) {string.Join(", ", missing)} are missing from {runtime}.");
            }
        }

        if (!File.Exists(ChromiumPath))
        {
            problems.Add($"Chromium is not installed at {ChromiumPath}.");
        }
        else if (ContainerRuntime.Run(ChromiumPath, "--version") is { ExitCode: not 0 } version)
        {
            problems.Add($"'{ChromiumPath} --version' failed ({FirstLine(version.Output)}).");
        }

        if (problems.Count == 0)
        {
            return;
        }

        var message = $"{string.Join(" ", problems)} {HowToGetThem}";
        if (IsRequired)
        {
            Assert.Fail($"PROSODY_REQUIRE_CONTAINERS=1 but the browser test cannot run: {message}");
        }

        Assert.Skip(message);
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";
}
