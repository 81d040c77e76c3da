using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.Prosody.Turn;

/// <summary>Healthy when the TURN server answers a STUN Binding request on its TCP endpoint.</summary>
internal sealed class CoturnHealthCheck(CoturnResource resource) : IHealthCheck
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var endpoint = resource.PrimaryEndpoint;
        if (!endpoint.IsAllocated)
        {
            return HealthCheckResult.Unhealthy("The TURN endpoint has no address yet.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        var problem = await StunBindingProbe.ProbeAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
        return problem is null ? HealthCheckResult.Healthy("STUN Binding answered.") : HealthCheckResult.Unhealthy(problem);
    }
}
