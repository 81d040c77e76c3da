namespace Aspire.Hosting.Prosody.BrowserTests;

/// <summary>
/// What the browser test needs besides the container runtime and images (<see cref="RequiresContainersAttribute"/>):
/// Chromium. Without it the test is skipped on a developer's machine, and fails where PROSODY_REQUIRE_CONTAINERS=1
/// (CI), so CI never passes with the browser test skipped.
/// </summary>
internal static class Prerequisites
{
    /// <summary>Debian's Chromium; CHROMIUM_PATH points elsewhere (Playwright's own browser download is not used).</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private const string HowToGetIt =
        "On Debian, as root: eng/browser/provision.sh; elsewhere install Chromium (set CHROMIUM_PATH if it is not /usr/bin/chromium).";

    /// <summary>Skips (or, when required, fails) the calling test unless Chromium is there.</summary>
    public static void RequireChromium()
    {
        string? problem = null;
        if (!File.Exists(ChromiumPath))
        {
            problem = $"Chromium is not installed at {ChromiumPath}.";
        }
        else if (ContainerRuntime.Run(ChromiumPath, "--version") is { ExitCode: not 0 } version)
        {
            problem = $"'{ChromiumPath} --version' failed ({ContainerRuntime.FirstLine(version.Output)}).";
        }

        if (problem is not null)
        {
            ContainerRuntime.Unavailable("the browser test", $"{problem} {HowToGetIt}");
        }
    }

    /// <summary>NSS's certutil (Debian: libnss3-tools), which puts a certificate into Chromium's trust store on Linux.</summary>
    public static void RequireCertutil()
    {
        if (ContainerRuntime.Run("certutil", "-H") is { ExitCode: -1 })
        {
            ContainerRuntime.Unavailable("the browser test", "certutil is not installed. On Debian, as root: apt-get install libnss3-tools (eng/browser/provision.sh should install it).");
        }
    }
}
