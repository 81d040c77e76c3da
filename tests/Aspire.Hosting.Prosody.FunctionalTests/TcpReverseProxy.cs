namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// What stands in front of a deployed server in production, as small as it gets: a listener on its own port (the
/// "public" one) that passes each connection through to the server's published HTTPS port, TLS and all, as an
/// ingress or load balancer in TLS passthrough mode does. The target is looked up per connection, so the proxy can
/// listen (and its port go into the public URL) before the server exists.
/// </summary>
internal sealed class TcpReverseProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int> _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public TcpReverseProxy(Func<int> targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections went through: proof that a client used the proxy, not the server's own port.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort(), _stop.Token);
                var toServer = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
                var toClient = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                await Task.WhenAny(toServer, toClient);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side went away: close both.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
