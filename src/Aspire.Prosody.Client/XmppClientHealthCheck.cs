using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Prosody.Client;

/// <summary>
/// Healthy while the client is signed in and the server answers its ping: a session that exists on paper but no
/// longer reaches the server is reported, with the connection state as the reason.
/// </summary>
internal sealed class XmppClientHealthCheck(XmppClient client, ProsodyClientSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (client.State != XmppConnectionState.SignedIn)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The XMPP client is {client.State}, not signed in.");
        }

        // The client's own pings keep LastPingAnswered fresh; ping now only when the last answer is older than that.
        var last = client.LastPingAnswered;
        if (last is { } answered && DateTimeOffset.UtcNow - answered <= settings.PingInterval + settings.RequestTimeout)
        {
            return HealthCheckResult.Healthy($"Signed in as {client.Jid}; the server answered a ping at {answered:O}.");
        }

        try
        {
            var roundTrip = await client.PingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Signed in as {client.Jid}; ping answered in {roundTrip.TotalMilliseconds:F0} ms.");
        }
        catch (Exception e) when (e is XmppException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The server did not answer the client's ping.", e);
        }
    }
}
