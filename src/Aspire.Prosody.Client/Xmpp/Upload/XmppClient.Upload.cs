using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Aspire.Prosody.Client.Xmpp.Tls;

namespace Aspire.Prosody.Client;

// HTTP file upload (XEP-0363): discover the service, request a slot, PUT the file.
public sealed partial class XmppClient
{
    // XEP-0363 section 5: the only headers a slot may ask for; anything else is dropped.
    private static readonly string[] AllowedPutHeaders = ["Authorization", "Cookie", "Expires"];

    private HttpClient? _http;
    private Jid? _uploadService;

    /// <summary>
    /// Requests an upload slot from the server's HTTP upload service (XEP-0363), found through service discovery of the
    /// domain and remembered.
    /// </summary>
    /// <param name="fileName">The file's name (escaped on the wire; the server may refuse names with '/').</param>
    /// <param name="size">The exact size in bytes that will be uploaded.</param>
    /// <param name="contentType">The MIME type, if known.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="XmppException">The server has no upload service.</exception>
    /// <exception cref="XmppStanzaException">The service refused, e.g. <c>not-acceptable</c> with a file-too-large element.</exception>
    public async Task<HttpUploadSlot> RequestUploadSlotAsync(string fileName, long size, string? contentType = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var service = _uploadService ??= await DiscoverUploadServiceAsync(cancellationToken).ConfigureAwait(false);

        var request = new XElement(XmppNamespaces.Upload + "request",
            new XAttribute("filename", fileName), new XAttribute("size", size.ToString(CultureInfo.InvariantCulture)));
        if (contentType is not null)
        {
            request.SetAttributeValue("content-type", contentType);
        }

        var result = await SendIqAsync(new XElement(XmppNamespaces.Client + "iq",
            new XAttribute("type", "get"), new XAttribute("to", service.ToString()), request), null, cancellationToken).ConfigureAwait(false);
        var slot = result.Element(XmppNamespaces.Upload + "slot") ?? throw new XmppException("The upload service answered without a slot.");
        var put = slot.Element(XmppNamespaces.Upload + "put");
        var get = slot.Element(XmppNamespaces.Upload + "get");
        if (!Uri.TryCreate((string?)put?.Attribute("url"), UriKind.Absolute, out var putUrl) || putUrl.Scheme is not ("https" or "http")
            || !Uri.TryCreate((string?)get?.Attribute("url"), UriKind.Absolute, out var getUrl) || getUrl.Scheme is not ("https" or "http"))
        {
            throw new XmppException("The upload slot does not carry valid HTTP(S) PUT and GET URLs.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in put!.Elements(XmppNamespaces.Upload + "header"))
        {
            var name = (string?)header.Attribute("name");
            var value = header.Value.Trim();
            // Header injection: only the listed names, and no line breaks in values.
            if (name is not null && AllowedPutHeaders.Contains(name, StringComparer.OrdinalIgnoreCase) && value.AsSpan().IndexOfAny('\r', '\n') < 0)
            {
                headers[name] = value;
            }
        }

        return new HttpUploadSlot(putUrl, headers, getUrl);
    }

    /// <summary>
    /// Uploads a file: requests a slot and PUTs <paramref name="content"/> over HTTPS, validating the web server's
    /// certificate exactly like the XMPP connection's (system trust or <see cref="XmppClientOptions.TrustedCertificates"/>,
    /// name = the URL's host). Returns the URL to share.
    /// </summary>
    /// <param name="fileName">The file's name.</param>
    /// <param name="content">The bytes; exactly <paramref name="size"/> are read.</param>
    /// <param name="size">The size in bytes.</param>
    /// <param name="contentType">The MIME type, if known.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <exception cref="HttpRequestException">The PUT failed.</exception>
    public async Task<Uri> UploadFileAsync(string fileName, Stream content, long size, string? contentType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var slot = await RequestUploadSlotAsync(fileName, size, contentType, cancellationToken).ConfigureAwait(false);
        using var body = new StreamContent(content);
        body.Headers.ContentLength = size;
        if (contentType is not null)
        {
            body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var put = new HttpRequestMessage(HttpMethod.Put, slot.PutUrl) { Content = body };
        foreach (var (name, value) in slot.PutHeaders)
        {
            put.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await GetHttpClient().SendAsync(put, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Uploading '{fileName}' failed: the server answered {(int)response.StatusCode} {response.ReasonPhrase}.",
                null, response.StatusCode);
        }

        return slot.GetUrl;
    }

    private HttpClient GetHttpClient()
    {
        if (_http is { } existing)
        {
            return existing;
        }

        var validator = new CertificateValidator(_options.TrustedCertificates);
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = validator.Validate },
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = ConnectHttpAsync,
        };
        var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(5) };
        return Interlocked.CompareExchange(ref _http, http, null) ?? http;
    }

    /// <summary>
    /// Names under <c>.localhost</c> are this machine (RFC 6761), as browsers treat them; .NET's resolver does not
    /// on every system, and a development server's links name its domain, such as <c>chat.dev.localhost</c>.
    /// </summary>
    private static async ValueTask<Stream> ConnectHttpAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            var host = context.DnsEndPoint.Host;
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The domain's items (and the domain itself) that advertise <c>urn:xmpp:http:upload:0</c> (XEP-0030).</summary>
    private async Task<Jid> DiscoverUploadServiceAsync(CancellationToken cancellationToken)
    {
        var domain = _jid?.Domain ?? _options.Domain;
        var items = await SendIqAsync(new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", "get"), new XAttribute("to", domain),
            new XElement(XmppNamespaces.DiscoItems + "query")), null, cancellationToken).ConfigureAwait(false);
        var candidates = items.Element(XmppNamespaces.DiscoItems + "query")?.Elements(XmppNamespaces.DiscoItems + "item")
            .Select(i => (string?)i.Attribute("jid")).OfType<string>().Prepend(domain).Distinct().Take(50) ?? [domain];
        foreach (var candidate in candidates)
        {
            if (!Client.Jid.TryParse(candidate, out var jid))
            {
                continue;
            }

            try
            {
                var info = await SendIqAsync(new XElement(XmppNamespaces.Client + "iq", new XAttribute("type", "get"), new XAttribute("to", jid.ToString()),
                    new XElement(XmppNamespaces.DiscoInfo + "query")), null, cancellationToken).ConfigureAwait(false);
                if (info.Descendants(XmppNamespaces.DiscoInfo + "feature").Any(f => (string?)f.Attribute("var") == XmppNamespaces.Upload.NamespaceName))
                {
                    return jid;
                }
            }
            catch (XmppStanzaException)
            {
                // Not every item answers disco#info.
            }
        }

        throw new XmppException($"The XMPP server {domain} has no HTTP upload service (XEP-0363).");
    }
}
