using System.Globalization;

namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>Readings the benchmarks take from processes: a container's memory, and the orchestrator's CPU time.</summary>
internal static class ContainerProcesses
{
    /// <summary>The resident memory of every process in the container (Prosody, and the tiny tini and shell), in MiB.</summary>
    public static async Task<double> ResidentMebibytesAsync(string runtime, string containerId, CancellationToken cancellationToken)
    {
        var output = await PlainContainer.RunAsync(runtime, null, cancellationToken,
            "exec", containerId, "sh", "-c", "cat /proc/[0-9]*/status 2>/dev/null | grep '^VmRSS:'");
        var kilobytes = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
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
