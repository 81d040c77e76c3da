using Aspire.Hosting.Prosody.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// What the health tests need beyond <see cref="ResourceStates"/>: the resource's health report as Aspire publishes it,
/// a Prosody container whose start is held back until the test opens a gate, and a way to freeze Prosody inside its container.
/// </summary>
internal static class HealthTestSupport
{
    public static string CheckName(this IResourceBuilder<ProsodyResource> prosody) => Health.ProsodyHealthCheck.Name(prosody.Resource);

    /// <summary>
    /// Keeps Prosody from starting until the file <c>open</c> exists in <paramref name="gate"/>, which is mounted into
    /// the container: the container runs (Aspire reports it Running and checks its health) while nothing answers XMPP.
    /// Then it continues exactly as the resource would, through its entrypoint wrapper, with tini as PID 1.
    /// </summary>
    public static IResourceBuilder<ProsodyResource> WithStartGate(this IResourceBuilder<ProsodyResource> prosody, DirectoryInfo gate) =>
        prosody
            .WithBindMount(gate.FullName, "/gate", isReadOnly: true)
            .WithEntrypoint("/usr/bin/tini")
            // The wrapper starts its own tini, which is then not PID 1: as a subreaper it still reaps (and stays quiet).
            .WithEnvironment("TINI_SUBREAPER", "1")
            .WithArgs(context =>
            {
                // The resource's own arguments are for its entrypoint wrapper, which now runs behind the gate.
                context.Args.Clear();
                foreach (var argument in new[] { "--", "/bin/sh", "-c", $"echo 'waiting for the start gate'; until [ -e /gate/open ]; do sleep 0.02; done; exec {ProsodyConfiguration.EntrypointPath} prosody -F" })
                {
                    context.Args.Add(argument);
                }
            });

    public static void Open(this DirectoryInfo gate) => File.WriteAllText(Path.Combine(gate.FullName, "open"), "");

    public static void Close(this DirectoryInfo gate) => File.Delete(Path.Combine(gate.FullName, "open"));

    public static HealthReportSnapshot? Report(this ResourceEvent resourceEvent, string checkName) =>
        resourceEvent.Snapshot.HealthReports.FirstOrDefault(r => r.Name == checkName);

    /// <summary>Waits for a health report of <paramref name="checkName"/> with this status, run after <paramref name="after"/>.</summary>
    public static async Task<HealthReportSnapshot> WaitForReportAsync(this DistributedApplication app, string resourceName, string checkName, HealthStatus status, DateTime? after = null)
    {
        var resourceEvent = await app.WaitForAsync(resourceName, e =>
            e.Snapshot.State?.Text == KnownResourceStates.Running
            && e.Report(checkName) is { } report && report.Status == status && (after is null || report.LastRunAt > after),
            $"{checkName} {status}");
        return resourceEvent.Report(checkName)!;
    }

    /// <summary>
    /// Sends a signal to the Prosody process (lua) inside the container. SIGSTOP freezes it as a hung server would be:
    /// its listening sockets stay open, so connections are accepted but never answered; SIGCONT resumes it. SIGKILL
    /// and SIGSEGV end it as a crash would.
    /// </summary>
    public static void SignalProsody(string containerId, string signal)
    {
        var (exitCode, output) = ContainerRuntime.SignalProsody(ContainerRuntime.Name, containerId, signal);
        Assert.True(exitCode == 0, $"Could not send SIG{signal} to Prosody in {containerId}: {output}");
    }
}
