using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting.Prosody.Commands;

/// <summary>
/// Runs a command inside a running container with the same runtime the orchestrator drives (Docker or Podman).
/// Aspire has no public API for this, so the runtime's own CLI is used; input that must stay off any command line
/// (passwords) goes through standard input.
/// </summary>
internal static class ContainerExec
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string RuntimeName(IConfiguration configuration) =>
        configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DcpPublisher:ContainerRuntime"] ?? "docker";

    public static Task<(int ExitCode, string Output)> RunAsync(ExecuteCommandContext context, string? standardInput, params string[] command) =>
        RunAsync(context, standardInput, new Dictionary<string, string>(), command);

    /// <summary>Runs the command with extra environment variables: names and values the integration chose, never secrets.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        ExecuteCommandContext context, string? standardInput, IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        var notifications = context.Services.GetRequiredService<ResourceNotificationService>();
        if (!notifications.TryGetCurrentState(context.ResourceName, out var state)
            || state.Snapshot.Properties.FirstOrDefault(p => p.Name == "container.id")?.Value is not string { Length: > 0 } containerId)
        {
            return (-1, "The container is not running.");
        }

        var start = new ProcessStartInfo(RuntimeName(context.Services.GetRequiredService<IConfiguration>()))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var environmentArguments = environment.SelectMany(variable => new[] { "--env", $"{variable.Key}={variable.Value}" });
        foreach (var argument in (string[])["exec", "-i", .. environmentArguments, containerId, .. command])
        {
            start.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(Timeout);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), timeout.Token).ConfigureAwait(false);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return (process.ExitCode, (await output.ConfigureAwait(false) + await error.ConfigureAwait(false)).Trim());
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"The command did not finish within {Timeout.TotalSeconds:0} s.");
        }
    }
}
