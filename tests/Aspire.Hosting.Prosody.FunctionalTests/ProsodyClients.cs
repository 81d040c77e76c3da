using XmppTestClient;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>Real XMPP clients signed in to a running Prosody resource through its published endpoints.</summary>
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
        Log = line => TestContext.Current.TestOutputHelper?.WriteLine($"xmpp {userName}: {line}"),
    };

    public static Task<XmppClient> SignInAsync(this ProsodyResource prosody, string userName, string password, string? mechanism = null) =>
        XmppClient.ConnectAsync(prosody.ClientOptions(userName, password, mechanism), TestContext.Current.CancellationToken);

    public static Uri WebSocketUri(this ProsodyResource prosody) =>
        new($"ws://{prosody.HttpEndpoint.Host}:{prosody.HttpEndpoint.Port}/xmpp-websocket");
}
