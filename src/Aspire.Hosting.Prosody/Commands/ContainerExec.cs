using System.Diagnostics;
using Aspire.Hosting.Publishing;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting.Prosody.Commands;

/// <summary>
/// Runs a command inside a running container with the same runtime the orchestrator drives (Docker or Podman).
/// Aspire has no API to run a command in a container, so the runtime's own CLI is used; input that must stay off any
/// command line (passwords) goes through standard input.
/// </summary>
internal static class ContainerExec
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The runtime's command ("docker" or "podman"), as Aspire resolves it: ASPIRE_CONTAINER_RUNTIME when set, else the
    /// runtime it detects running, the same choice the orchestrator and Aspire's own image builds make.
    /// </summary>
    public static async Task<string> RuntimeCommandAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        // ASPIRECONTAINERRUNTIME001: the resolver is Aspire's only API for the runtime in use, and experimental in
        // 13.6.5. Its runtimes are named "Docker" and "Podman", whose commands are the same names in lower case.
#pragma warning disable ASPIRECONTAINERRUNTIME001
        var runtime = await services.GetRequiredService<IContainerRuntimeResolver>().ResolveAsync(cancellationToken).ConfigureAwait(false);
        return runtime.Name.ToLowerInvariant();
#pragma warning restore ASPIRECONTAINERRUNTIME001
    }

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

        var start = new ProcessStartInfo(await RuntimeCommandAsync(context.Services, context.CancellationToken).ConfigureAwait(false))
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
