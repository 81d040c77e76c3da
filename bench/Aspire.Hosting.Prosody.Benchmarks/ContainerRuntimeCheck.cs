using System.Diagnostics;

namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>Picks the container runtime the orchestrator will drive (docker, else podman) and checks the image is there.</summary>
internal static class ContainerRuntimeCheck
{
    public static string Select(string image)
    {
        var configured = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") ?? Environment.GetEnvironmentVariable("DOTNET_ASPIRE_CONTAINER_RUNTIME");
        foreach (var candidate in configured is { Length: > 0 } ? [configured] : new[] { "docker", "podman" })
        {
            if (Run(candidate, "info") != 0)
            {
                continue;
            }

            if (Run(candidate, "image", "inspect", image) != 0)
            {
                throw new InvalidOperationException($"The image {image} is missing from {candidate} (eng/containers/provision.sh builds it offline).");
            }

            Environment.SetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME", candidate);
            Environment.SetEnvironmentVariable("DOTNET_ASPIRE_CONTAINER_RUNTIME", candidate);
            return candidate;
        }

        throw new InvalidOperationException("No usable container runtime: install Docker or Podman (eng/containers/provision.sh).");
    }

    private static int Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                return -1;
            }

            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
