using System.Net.Sockets;
using System.Security;
using System.Text;
using System.Xml;

namespace Aspire.Hosting.Prosody.Health;

/// <summary>
/// Opens an XMPP client stream and reads the stream features: the first moment a client can start to sign in.
/// A TCP connection alone proves nothing here, because a proxy in front of the container (the orchestrator's, or a
/// container runtime's userland proxy) accepts connections before the container listens.
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
            return $"Cannot open an XMPP stream: nothing accepts connections on {host}:{port} ({ex.SocketErrorCode}).";
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
                    var conditions = await ReadChildNamesAsync(reader).ConfigureAwait(false);
                    return $"The server closed the stream with an error: {string.Join(", ", conditions.Select(c => c.LocalName))}.";
                case "features":
                    var features = await ReadChildNamesAsync(reader).ConfigureAwait(false);
                    return features.Any(f => f.NamespaceUri is TlsNamespace or SaslNamespace)
                        ? null
                        : $"The server offers neither STARTTLS nor a way to sign in (features: {string.Join(", ", features.Select(f => f.LocalName))}).";
            }
        }

        return "The server closed the connection before sending stream features.";
    }

    /// <summary>
    /// Reads up to the end tag of the current element. ReadOuterXml would also read the node after it, which
    /// never comes on an open stream, so the children are walked one node at a time.
    /// </summary>
    private static async Task<List<(string LocalName, string NamespaceUri)>> ReadChildNamesAsync(XmlReader reader)
    {
        var children = new List<(string, string)>();
        if (reader.IsEmptyElement)
        {
            return children;
        }

        var depth = reader.Depth;
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Depth == depth + 1)
            {
                children.Add((reader.LocalName, reader.NamespaceURI));
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
            {
                break;
            }
        }

        return children;
    }
}
