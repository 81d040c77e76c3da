using System.Globalization;
using System.Xml.Linq;
using XmppTestClient;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>One STUN or TURN service a server announced (XEP-0215 External Service Discovery).</summary>
internal sealed record ExternalService(string Type, string? Transport, string Host, int Port, string? Username, string? Password, DateTimeOffset? Expires)
{
    public override string ToString() => $"{Type}/{Transport ?? "?"} {Host}:{Port}{(Username is null ? "" : $" username={Username}")}";
}

/// <summary>Asks a server for its external services the way a calling client does (XEP-0215, urn:xmpp:extdisco:2).</summary>
internal static class TurnExternalServices
{
    public static readonly XNamespace ExtDisco = "urn:xmpp:extdisco:2";

    public static async Task<IReadOnlyList<ExternalService>> GetExternalServicesAsync(this XmppClient client, string server, CancellationToken cancellationToken)
    {
        var result = await client.SendIqAsync(new XElement(XmppNamespaces.Client + "iq",
            new XAttribute("type", "get"), new XAttribute("to", server),
            new XElement(ExtDisco + "services")), cancellationToken);
        return result.Descendants(ExtDisco + "service").Select(service => new ExternalService(
            (string?)service.Attribute("type") ?? "",
            (string?)service.Attribute("transport"),
            (string?)service.Attribute("host") ?? "",
            int.Parse((string?)service.Attribute("port") ?? "0", CultureInfo.InvariantCulture),
            (string?)service.Attribute("username"),
            (string?)service.Attribute("password"),
            service.Attribute("expires") is { } expires ? DateTimeOffset.Parse(expires.Value, CultureInfo.InvariantCulture) : null)).ToList();
    }
}
