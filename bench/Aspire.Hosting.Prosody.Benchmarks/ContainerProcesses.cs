namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>Readings the benchmarks take from processes: a container's memory, and the orchestrator's CPU time.</summary>
internal static class ContainerProcesses
{
    /// <summary>The output of a runtime command run by the tests' <see cref="ContainerRuntime.Run(string, string[])"/>; a failure ends the benchmark.</summary>
    public static string Checked((int ExitCode, string Output) result) =>
        result.ExitCode == 0 ? result.Output : throw new InvalidOperationException($"The container runtime exited {result.ExitCode}: {result.Output}");

    /// <summary>The resident memory of every process in the container (Prosody, and the tiny tini and shell), in MiB.</summary>
    public static double ResidentMebibytes(string runtime, string containerId)
    {
        var output = Checked(ContainerRuntime.Run(runtime, "exec", containerId, "sh", "-c", "cat /proc/[0-9]*/status 2>/dev/null | grep '^VmRSS:'"));
        // The runner returns standard error too: only the VmRSS lines count.
        var kilobytes = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Sum(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
        return kilobytes / 1024.0;
    }

    /// <summary>
    /// CPU seconds (user + system) used so far by the orchestrator's processes (DCP: its controller runs the endpoint
    /// proxies), read from /proc; 0 where /proc is not there.
    /// </summary>
    public static double OrchestratorCpuSeconds()
    {
        if (!Directory.Exists("/proc"))
        {
            return 0;
        }

        var ticks = 0L;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var command = stat[(stat.IndexOf('(') + 1)..close];
                if (!command.StartsWith("dcp", StringComparison.Ordinal))
                {
                    continue;
                }

                // Fields after the command: state is field 3; utime and stime are fields 14 and 15.
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while it was read.
            }
        }

        return ticks / 100.0; // USER_HZ is 100 on Linux
    }
}
