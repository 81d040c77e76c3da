namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Tries in-band registration (XEP-0077) the way an anonymous client on the network would: a stream, STARTTLS, then a
/// registration form request and a registration attempt, before any authentication. The XMPP test client only speaks
/// after signing in, so this is a few lines of raw XML.
/// </summary>
internal static class LoadInBandRegistrationProbe
{
    public sealed record Outcome(bool FeatureAdvertised, string FormAnswer, string RegistrationAnswer)
    {
        /// <summary>The stream features after STARTTLS, as the server sent them.</summary>
        public string Features { get; init; } = "";

        /// <summary>The answer to the invitation token (XEP-0401), when one was given.</summary>
        public string TokenAnswer { get; init; } = "";

        public bool RegistrationRefused => RegistrationAnswer.Contains("type='error'", StringComparison.Ordinal) || RegistrationAnswer.Contains("type=\"error\"", StringComparison.Ordinal);
    }

    /// <param name="token">An invitation token (XEP-0401, <c>urn:xmpp:pars:0</c> preauth) sent before the registration, or null.</param>
    public static async Task<Outcome> TryAsync(string host, int port, string domain, string userName, string password, CancellationToken cancellationToken, string? token = null, System.Net.Security.RemoteCertificateValidationCallback? validation = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var cancel = timeout.Token;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port, cancel);
        Stream stream = tcp.GetStream();
        var header = $"<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

        await WriteAsync(stream, header, cancel);
        await ReadUntilAsync(stream, "</stream:features>", cancel);
        await WriteAsync(stream, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", cancel);
        await ReadUntilAsync(stream, "<proceed", cancel);
        var tls = new SslStream(stream, leaveInnerStreamOpen: false, validation ?? ((_, _, _, _) => true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = domain }, cancel);
        stream = tls;

        await WriteAsync(stream, header, cancel);
        var features = await ReadUntilAsync(stream, "</stream:features>", cancel);
        var tokenAnswer = "";
        if (token is not null)
        {
            await WriteAsync(stream, $"<iq type='set' id='preauth'><preauth xmlns='urn:xmpp:pars:0' token='{System.Security.SecurityElement.Escape(token)}'/></iq>", cancel);
            tokenAnswer = await ReadUntilAsync(stream, "</iq>", cancel, orSelfClosingIqWithId: "preauth");
        }

        await WriteAsync(stream, "<iq type='get' id='form'><query xmlns='jabber:iq:register'/></iq>", cancel);
        var form = await ReadUntilAsync(stream, "</iq>", cancel, orSelfClosingIqWithId: "form");
        await WriteAsync(stream,
            $"<iq type='set' id='register'><query xmlns='jabber:iq:register'><username>{userName}</username><password>{password}</password></query></iq>", cancel);
        var registration = await ReadUntilAsync(stream, "</iq>", cancel, orSelfClosingIqWithId: "register");
        await WriteAsync(stream, "</stream:stream>", cancel);
        await stream.DisposeAsync();
        return new(features.Contains("http://jabber.org/features/iq-register", StringComparison.Ordinal), Compact(form), Compact(registration))
        {
            Features = features,
            TokenAnswer = Compact(tokenAnswer),
        };
    }

    private static async Task WriteAsync(Stream stream, string xml, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(xml), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads until the text holds <paramref name="marker"/> (or a self-closing iq with that id), or the stream ends.</summary>
    private static async Task<string> ReadUntilAsync(Stream stream, string marker, CancellationToken cancellationToken, string? orSelfClosingIqWithId = null)
    {
        var text = new StringBuilder();
        var buffer = new byte[8192];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return text.Append("(stream closed)").ToString();
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var seen = text.ToString();
            if (seen.Contains(marker, StringComparison.Ordinal)
                || (orSelfClosingIqWithId is not null && seen.Contains($"id='{orSelfClosingIqWithId}'", StringComparison.Ordinal) && seen.TrimEnd().EndsWith("/>", StringComparison.Ordinal))
                || seen.Contains("</stream:stream>", StringComparison.Ordinal))
            {
                return seen;
            }
        }
    }

    private static string Compact(string xml) => xml.Length > 700 ? xml[..700] + "…" : xml;
}
