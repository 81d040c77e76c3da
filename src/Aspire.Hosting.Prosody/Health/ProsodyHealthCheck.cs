using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.Prosody.Health;

/// <summary>
/// Healthy when a client can use the server now: an XMPP stream to the c2s endpoint opens and its features arrive
/// for the configured domain. Side-effect free: it never signs in and never creates anything.
/// </summary>
internal sealed class ProsodyHealthCheck(ProsodyResource resource) : IHealthCheck
{
    // Prosody answers a stream header in milliseconds; a server that takes longer is not ready for clients.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var endpoint = resource.PrimaryEndpoint;
        if (!endpoint.IsAllocated)
        {
            return HealthCheckResult.Unhealthy("The c2s endpoint has no address yet.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        var problem = await XmppStreamProbe.ProbeAsync(endpoint.Host, endpoint.Port, resource.Domain, timeout.Token).ConfigureAwait(false);
        return problem is null
            ? HealthCheckResult.Healthy($"XMPP stream features received for {resource.Domain}.")
            : HealthCheckResult.Unhealthy(problem);
    }
}
