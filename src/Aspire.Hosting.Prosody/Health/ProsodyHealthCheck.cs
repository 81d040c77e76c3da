using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.Prosody.Health;

/// <summary>
/// Healthy when a client can sign in now: an XMPP stream to the c2s endpoint opens and its features arrive for the
/// configured domain, Prosody's readiness endpoint (<c>/aspire-health/ready</c>: accounts created, storage readable,
/// TLS usable) answers 200, and the HTTP endpoint answers (the websocket or BOSH endpoint when one is on).
/// Side-effect free: it never signs in and never creates anything.
/// </summary>
/// <remarks>
/// <para>
/// Aspire checks an unhealthy resource again only after 1, 2, 3… seconds. So that <c>WaitFor</c> releases as soon
/// as Prosody answers, a failing check keeps probing every few milliseconds for a short window before it reports.
/// </para>
/// <para>
/// Prosody logs every client connection at info level, so the XMPP stream is opened only until it has succeeded once
/// and again after anything suggests Prosody went away (the HTTP endpoint stops answering, or the entrypoint wrapper
/// reports a crash: <see cref="ProsodyCrashWatcher"/>). In between, the HTTP probes, which Prosody logs at debug
/// level only, stand for it: the readiness endpoint is served by the same process that serves c2s. That keeps a healthy
/// server's log free of the check's connect/disconnect pairs.
/// </para>
/// </remarks>
internal sealed class ProsodyHealthCheck(ProsodyResource resource) : IHealthCheck
{
    // Prosody answers a stream header in milliseconds; a server that takes longer is not ready for clients.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan ReadinessWindow = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(25);

    /// <summary>The name the check is registered under for <paramref name="resource"/>, and its report's name.</summary>
    internal static string Name(ProsodyResource resource) => $"{resource.Name}_check";

    /// <summary>Per resource: whether an XMPP stream has opened since Prosody last seemed to go away.</summary>
    private static readonly ConditionalWeakTable<ProsodyResource, StreamState> States = new();

    private sealed class StreamState
    {
        public volatile bool Confirmed;
    }

    /// <summary>Makes the next check open an XMPP stream again (Prosody may have gone away).</summary>
    internal static void DoubtStream(ProsodyResource resource) => States.GetOrCreateValue(resource).Confirmed = false;

    private StreamState State => States.GetOrCreateValue(resource);

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
                return HealthCheckResult.Healthy($"XMPP stream features received for {resource.Domain}; Prosody is ready and its HTTP endpoint answers.");
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
        var state = State;
        if (!state.Confirmed)
        {
            if (await XmppStreamProbe.ProbeAsync(c2s.Host, c2s.Port, resource.Domain, timeout.Token).ConfigureAwait(false) is { } streamProblem)
            {
                // A Prosody that answers may know why no client can sign in (no TLS context: no STARTTLS offered).
                return await NotReadyReasonAsync(http, timeout.Token).ConfigureAwait(false) is { } reason
                    ? $"{reason} ({streamProblem})"
                    : streamProblem;
            }

            state.Confirmed = true;
        }

        var (answered, problem) = await ProbeHttpAsync(http, timeout.Token).ConfigureAwait(false);
        if (!answered)
        {
            // Nothing answers HTTP: Prosody may be gone or frozen, so the next attempt asks c2s itself.
            state.Confirmed = false;
        }

        return problem;
    }

    /// <summary>Prosody's own reason for not being ready, when its readiness endpoint answers 503; otherwise null.</summary>
    private static async Task<string?> NotReadyReasonAsync(EndpointReference http, CancellationToken cancellationToken)
    {
        try
        {
            using var ready = await SharedHttpClient.GetAsync(new Uri($"http://{http.Host}:{http.Port}{ProsodyConfiguration.ReadinessPath}"), cancellationToken).ConfigureAwait(false);
            var body = (await ready.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
            return ready.StatusCode == HttpStatusCode.ServiceUnavailable && body.Length > 0 ? $"Prosody is {body}." : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private async Task<(bool Answered, string? Problem)> ProbeHttpAsync(EndpointReference http, CancellationToken cancellationToken)
    {
        try
        {
            // Prosody's own view: accounts created, storage readable, TLS usable; the reason is in the body.
            using (var ready = await SharedHttpClient.GetAsync(new Uri($"http://{http.Host}:{http.Port}{ProsodyConfiguration.ReadinessPath}"), cancellationToken).ConfigureAwait(false))
            {
                if (!ready.IsSuccessStatusCode)
                {
                    var body = (await ready.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
                    return (true, ready.StatusCode == HttpStatusCode.ServiceUnavailable && body.Length > 0
                        ? $"Prosody is {body}."
                        : $"The HTTP endpoint answered {(int)ready.StatusCode} for {ProsodyConfiguration.ReadinessPath}.");
                }
            }

            // mod_websocket and mod_bosh answer a plain GET with 200.
            var path = resource.Settings.WebSocket ? "/xmpp-websocket" : resource.Settings.Bosh ? "/http-bind" : null;
            if (path is null)
            {
                return (true, null);
            }

            using var response = await SharedHttpClient.GetAsync(new Uri($"http://{http.Host}:{http.Port}{path}"), cancellationToken).ConfigureAwait(false);
            return (true, response.IsSuccessStatusCode ? null : $"The HTTP endpoint answered {(int)response.StatusCode} for {path}.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (false, $"The HTTP endpoint does not answer: {ex.Message}");
        }
    }

    private static readonly HttpClient SharedHttpClient = new() { Timeout = ProbeTimeout };
}
