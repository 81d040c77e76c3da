using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.Prosody.Health;

/// <summary>
/// Healthy when a client can use the server now: an XMPP stream to the c2s endpoint opens and its features arrive
/// for the configured domain, and the HTTP endpoint answers (the websocket or BOSH endpoint when one is on).
/// Side-effect free: it never signs in and never creates anything.
/// </summary>
/// <remarks>
/// Aspire checks an unhealthy resource again only after 1, 2, 3… seconds. So that <c>WaitFor</c> releases as soon
/// as Prosody answers, a failing check keeps probing every few milliseconds for a short window before it reports.
/// </remarks>
internal sealed class ProsodyHealthCheck(ProsodyResource resource) : IHealthCheck
{
    // Prosody answers a stream header in milliseconds; a server that takes longer is not ready for clients.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan ReadinessWindow = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(25);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        // A proxy in front of the container (the orchestrator's, where a user puts it back) can hold a connection made
        // before Prosody listens for seconds, while a fresh one would be answered at once: early attempts get a short
        // timeout, later ones more, up to ProbeTimeout.
        var attemptTimeout = TimeSpan.FromSeconds(1);
        while (true)
        {
            var problem = await ProbeOnceAsync(attemptTimeout, cancellationToken).ConfigureAwait(false);
            attemptTimeout = TimeSpan.FromTicks(Math.Min(attemptTimeout.Ticks * 2, ProbeTimeout.Ticks));
            if (problem is null)
            {
                return HealthCheckResult.Healthy($"XMPP stream features received for {resource.Domain}; the HTTP endpoint answers.");
            }

            if (clock.Elapsed + RetryDelay >= ReadinessWindow || cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy(problem);
            }

            await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string?> ProbeOnceAsync(TimeSpan attemptTimeout, CancellationToken cancellationToken)
    {
        var c2s = resource.PrimaryEndpoint;
        var http = resource.HttpEndpoint;
        if (!c2s.IsAllocated || !http.IsAllocated)
        {
            return "The endpoints have no address yet.";
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(attemptTimeout);
        return await XmppStreamProbe.ProbeAsync(c2s.Host, c2s.Port, resource.Domain, timeout.Token).ConfigureAwait(false)
            ?? await ProbeHttpAsync(http, timeout.Token).ConfigureAwait(false);
    }

    private async Task<string?> ProbeHttpAsync(EndpointReference http, CancellationToken cancellationToken)
    {
        // mod_websocket and mod_bosh answer a plain GET with 200; without them any answer from Prosody will do.
        var path = resource.Settings.WebSocket ? "/xmpp-websocket" : resource.Settings.Bosh ? "/http-bind" : "/";
        try
        {
            using var response = await SharedHttpClient.GetAsync(new Uri($"http://{http.Host}:{http.Port}{path}"), cancellationToken).ConfigureAwait(false);
            return path == "/" || response.IsSuccessStatusCode ? null : $"The HTTP endpoint answered {(int)response.StatusCode} for {path}.";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return $"The HTTP endpoint does not answer: {ex.Message}";
        }
    }

    private static readonly HttpClient SharedHttpClient = new() { Timeout = ProbeTimeout };
}
