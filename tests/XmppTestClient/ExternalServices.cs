using System.Globalization;

namespace XmppTestClient;

/// <summary>One STUN or TURN service a server announced (XEP-0215 External Service Discovery).</summary>
/// <param name="Type">"stun", "turn" or "turns".</param>
/// <param name="Transport">"udp" or "tcp", when announced.</param>
/// <param name="Host">Where the service listens.</param>
/// <param name="Port">Its port.</param>
/// <param name="Username">Temporary credentials, for TURN.</param>
/// <param name="Password">Temporary credentials, for TURN.</param>
/// <param name="Expires">When the credentials expire, when announced.</param>
public sealed record ExternalService(string Type, string? Transport, string Host, int Port, string? Username, string? Password, DateTimeOffset? Expires)
{
    /// <summary>The service as one line for logs, without its password.</summary>
    public override string ToString() => $"{Type}/{Transport ?? "?"} {Host}:{Port}{(Username is null ? "" : $" username={Username}")}";
}

/// <summary>Asks a server for its external services the way a calling client does (XEP-0215, urn:xmpp:extdisco:2).</summary>
public static class ExternalServices
{
    /// <summary>The services <paramref name="server"/> announces to this session, with credentials where it hands them out.</summary>
    /// <exception cref="XmppStanzaException">The server answered with an error.</exception>
    public static async Task<IReadOnlyList<ExternalService>> GetExternalServicesAsync(this XmppClient client, string server, CancellationToken cancellationToken)
    {
        var result = await client.SendIqAsync(new XElement(XmppNamespaces.Client + "iq",
            new XAttribute("type", "get"), new XAttribute("to", server),
            new XElement(XmppTestNamespaces.ExtDisco + "services")), cancellationToken);
        return result.Descendants(XmppTestNamespaces.ExtDisco + "service").Select(service => new ExternalService(
            (string?)service.Attribute("type") ?? "",
            (string?)service.Attribute("transport"),
            (string?)service.Attribute("host") ?? "",
            int.Parse((string?)service.Attribute("port") ?? "0", CultureInfo.InvariantCulture),
            (string?)service.Attribute("username"),
            (string?)service.Attribute("password"),
            service.Attribute("expires") is { } expires ? DateTimeOffset.Parse(expires.Value, CultureInfo.InvariantCulture) : null)).ToList();
    }
}
