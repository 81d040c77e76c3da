using System.Net.Sockets;
using System.Text;

namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>
/// Finds the first moment Prosody answers XMPP on a port, from outside Aspire: a new attempt every interval (a few
/// may be in flight at once, so a connection the orchestrator's proxy holds open does not blind the probe), each
/// sending a stream header and reading until the stream features arrive. The timestamp is taken when the closing
/// <c>&lt;/stream:features&gt;</c> is read.
/// </summary>
internal static class XmppAnswerProbe
{
    private const int MaxInFlight = 4;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);

    public static async Task<(long Timestamp, int Attempts)> FirstAnswerAsync(string host, int port, string domain, TimeSpan interval, CancellationToken cancellationToken)
    {
        var answered = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = new List<Task>();
        var attempts = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (!answered.Task.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            inFlight.RemoveAll(t => t.IsCompleted);
            if (inFlight.Count < MaxInFlight)
            {
                attempts++;
                inFlight.Add(AttemptAsync(host, port, domain, answered, stop.Token));
            }

            await Task.WhenAny(answered.Task, Task.Delay(interval, cancellationToken)).ConfigureAwait(false);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        return (await answered.Task.ConfigureAwait(false), attempts);
    }

    private static async Task AttemptAsync(string host, int port, string domain, TaskCompletionSource<long> answered, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AttemptTimeout);
        try
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            await using var stream = client.GetStream();
            var header = $"<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(header), timeout.Token).ConfigureAwait(false);
            var received = new StringBuilder();
            var buffer = new byte[4096];
            while (true)
            {
                var read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (received.ToString().Contains("</stream:features>", StringComparison.Ordinal))
                {
                    answered.TrySetResult(Stopwatch.GetTimestamp());
                    await stream.WriteAsync("</stream:stream>"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Not answering yet.
        }
    }
}
