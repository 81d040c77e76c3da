namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Real XMPP clients signed in to a running Prosody resource through its published endpoints, validating the
/// server's certificate (<see cref="ServerCertificateTrust"/>).
/// </summary>
internal static class ProsodyClients
{
    public static XmppClientOptions ClientOptions(this ProsodyResource prosody, string userName, string password, string? mechanism = null) => new()
    {
        Host = prosody.PrimaryEndpoint.Host,
        Port = prosody.PrimaryEndpoint.Port,
        Domain = prosody.Domain,
        Username = userName,
        Password = password,
        SaslMechanism = mechanism,
        // Chain and name: the developer certificate, or the AppHost's self-signed one, and nothing else.
        ServerCertificateValidation = ServerCertificateTrust.Validation(prosody),
        Log = line => TestContext.Current.TestOutputHelper?.WriteLine($"xmpp {userName}: {line}"),
    };

    public static Task<XmppClient> SignInAsync(this ProsodyResource prosody, string userName, string password, string? mechanism = null) =>
        XmppClient.ConnectAsync(prosody.ClientOptions(userName, password, mechanism), TestContext.Current.CancellationToken);

    public static Uri WebSocketUri(this ProsodyResource prosody) =>
        new($"ws://{prosody.HttpEndpoint.Host}:{prosody.HttpEndpoint.Port}/xmpp-websocket");

    /// <summary>
    /// The websocket over TLS on the <c>https</c> endpoint (run mode), named by the XMPP domain: Prosody picks the
    /// certificate by that name (SNI), and a name under <c>.localhost</c> is this machine.
    /// </summary>
    public static Uri SecureWebSocketUri(this ProsodyResource prosody) =>
        new($"wss://{prosody.Domain}:{prosody.GetEndpoint(ProsodyResource.HttpsEndpointName).Port}/xmpp-websocket");

    /// <summary>
    /// Run mode: the base of the links Prosody hands out: the https endpoint named by the domain when the certificate
    /// Aspire gives the resource names it, the published http endpoint otherwise.
    /// </summary>
    public static Uri PublishedLinkBase(this ProsodyResource prosody) => new($"http://localhost:{prosody.HttpEndpoint.Port}/");

    /// <summary>An HTTP client on this machine that, like a browser, sends names under <c>.localhost</c> to loopback and validates the server's certificate.</summary>
    public static HttpClient LocalhostHttpClient(this ProsodyResource prosody) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (context.DnsEndPoint.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
                {
                    await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, token);
                }
                else
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ServerCertificateTrust.Validation(prosody) },
    }) { Timeout = TimeSpan.FromSeconds(60) };
}
