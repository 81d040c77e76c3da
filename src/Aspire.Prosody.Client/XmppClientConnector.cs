using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aspire.Prosody.Client;

/// <summary>
/// Connects the registered client when the host starts, without holding the start up: an app whose chat server is
/// still starting comes up, reports Unhealthy, and signs in as soon as the server answers.
/// </summary>
internal sealed class XmppClientConnector(Func<XmppClient> client, string connectionName, ILogger logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await client().ConnectAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A wrong password or an untrusted certificate ends the retries: say so once, where the developer looks.
            logger.LogError(e, "The Prosody client '{ConnectionName}' could not sign in.", connectionName);
        }
    }
}
