using Microsoft.Extensions.Logging;

namespace Aspire.Prosody.Client;

public sealed partial class XmppClient
{
    /// <summary>
    /// Creates a client from a connection string of the form the AppHost hands over for an account
    /// (<c>Host=…;Port=…;Domain=…;Username=…;Password=…</c>) and signs it in: the one line an integration test needs,
    /// with <c>await app.GetConnectionStringAsync("alice")</c> as the argument.
    /// </summary>
    /// <param name="connectionString">The account's connection string.</param>
    /// <param name="configure">Changes the options before the client connects, such as <see cref="XmppClientOptions.TrustedCertificates"/>.</param>
    /// <param name="loggerFactory">Where the client logs; none by default.</param>
    /// <param name="cancellationToken">Cancels the sign-in.</param>
    /// <returns>The signed-in client; dispose it to sign out.</returns>
    /// <exception cref="InvalidOperationException">The connection string lacks Host, Domain, Username or Password, or is malformed.</exception>
    public static async Task<XmppClient> SignInAsync(
        string? connectionString,
        Action<XmppClientOptions>? configure = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        var settings = new ProsodyClientSettings();
        ProsodyConnectionString.Apply(
            connectionString ?? throw new InvalidOperationException("There is no connection string: the resource has none (yet), or its name is wrong."),
            settings,
            "the connection string");
        var options = ProsodyClientOptionsFactory.Create(settings, "the connection string");
        configure?.Invoke(options);
        var client = new XmppClient(options, loggerFactory);
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
