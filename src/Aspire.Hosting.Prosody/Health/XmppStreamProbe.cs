using System.Net.Sockets;
using System.Security;
using System.Text;
using System.Xml;

namespace Aspire.Hosting.Prosody.Health;

/// <summary>
/// Opens an XMPP client stream and reads the stream features: the first moment a client can start to sign in.
/// A TCP connection alone proves nothing here, because the orchestrator's proxy accepts connections before the
/// container listens.
/// </summary>
internal static class XmppStreamProbe
{
    private const string StreamNamespace = "http://etherx.jabber.org/streams";
    private const string TlsNamespace = "urn:ietf:params:xml:ns:xmpp-tls";
    private const string SaslNamespace = "urn:ietf:params:xml:ns:xmpp-sasl";

    /// <summary>Returns null when the server offered STARTTLS or SASL for <paramref name="domain"/>; otherwise why not.</summary>
    public static async Task<string?> ProbeAsync(string host, int port, string domain, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            return $"Cannot connect to {host}:{port}: {ex.SocketErrorCode}.";
        }

        await using var stream = client.GetStream();
        // The cancellation token does not reach a blocked socket read; closing the socket does.
        await using var registration = cancellationToken.Register(client.Dispose);

        var header = $"<?xml version='1.0'?><stream:stream to='{SecurityElement.Escape(domain)}' version='1.0' xml:lang='en' " +
            $"xmlns='jabber:client' xmlns:stream='{StreamNamespace}'>";
        try
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(header), cancellationToken).ConfigureAwait(false);
            return await ReadFeaturesAsync(stream, domain).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or XmlException or ObjectDisposedException or SocketException)
        {
            return cancellationToken.IsCancellationRequested
                ? "The server did not send stream features in time."
                : $"The XMPP stream failed before its features arrived: {ex.Message}";
        }
    }

    private static async Task<string?> ReadFeaturesAsync(Stream stream, string domain)
    {
        var settings = new XmlReaderSettings
        {
            Async = true,
            ConformanceLevel = ConformanceLevel.Fragment,
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
        };
        using var reader = XmlReader.Create(stream, settings);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            if (reader.NodeType != XmlNodeType.Element || reader.NamespaceURI != StreamNamespace)
            {
                continue;
            }

            switch (reader.LocalName)
            {
                case "stream" when reader.GetAttribute("from") is { } from && !string.Equals(from, domain, StringComparison.OrdinalIgnoreCase):
                    return $"The server answered for '{from}' instead of '{domain}'.";
                case "error":
                    var condition = await reader.ReadInnerXmlAsync().ConfigureAwait(false);
                    return $"The server closed the stream with an error: {condition}";
                case "features":
                    var features = await reader.ReadOuterXmlAsync().ConfigureAwait(false);
                    return features.Contains(TlsNamespace, StringComparison.Ordinal) || features.Contains(SaslNamespace, StringComparison.Ordinal)
                        ? null
                        : $"The server offers neither STARTTLS nor a way to sign in: {features}";
            }
        }

        return "The server closed the connection before sending stream features.";
    }
}
