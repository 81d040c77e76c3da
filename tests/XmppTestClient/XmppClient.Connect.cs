using XmppTestClient.Transport;

namespace XmppTestClient;

// Connecting: stream set-up, STARTTLS, SASL, resource binding and session (RFC 6120 sections 4-7).
public sealed partial class XmppClient
{
    /// <summary>
    /// Connects over TCP to <see cref="XmppClientOptions.Host"/>:<see cref="XmppClientOptions.Port"/>,
    /// upgrades with STARTTLS, authenticates, binds a resource and returns the ready session.
    /// </summary>
    /// <exception cref="XmppAuthenticationException">The server rejected the credentials.</exception>
    /// <exception cref="XmppException">Negotiation failed, e.g. STARTTLS or the chosen mechanism was not offered.</exception>
    /// <exception cref="TimeoutException">Negotiation took longer than <see cref="XmppClientOptions.Timeout"/>.</exception>
    public static async Task<XmppClient> ConnectAsync(XmppClientOptions options, CancellationToken cancellationToken = default)
    {
        ValidateLoginOptions(options);
        return await WithTimeoutAsync(options, "connecting over TCP", async ct =>
        {
            var transport = await TcpTransport.ConnectAsync(options.Host, options.Port, options.Log, ct).ConfigureAwait(false);
            return await LoginAsync(transport, options, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects over WebSocket (RFC 7395) to <paramref name="uri"/> (ws:// or wss://, e.g.
    /// <c>ws://localhost:5280/xmpp-websocket</c>), authenticates and binds a resource.
    /// <see cref="XmppClientOptions.Host"/>, <see cref="XmppClientOptions.Port"/> and
    /// <see cref="XmppClientOptions.StartTls"/> are not used.
    /// </summary>
    /// <exception cref="XmppAuthenticationException">The server rejected the credentials.</exception>
    /// <exception cref="XmppException">Negotiation failed.</exception>
    /// <exception cref="TimeoutException">Negotiation took longer than <see cref="XmppClientOptions.Timeout"/>.</exception>
    public static async Task<XmppClient> ConnectWebSocketAsync(Uri uri, XmppClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ValidateLoginOptions(options);
        return await WithTimeoutAsync(options, "connecting over WebSocket", async ct =>
        {
            var transport = await WebSocketTransport.ConnectAsync(uri, options.ServerCertificateValidation, options.Log, ct).ConfigureAwait(false);
            return await LoginAsync(transport, options, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens a TCP stream without logging in and returns the server's &lt;stream:features/&gt;,
    /// for health and diagnostic checks. With <paramref name="afterStartTls"/> the connection is
    /// first upgraded with STARTTLS and the features offered on the encrypted stream are returned.
    /// </summary>
    public static Task<XElement> GetStreamFeaturesAsync(string host, int port, string domain, bool afterStartTls = false, CancellationToken cancellationToken = default)
        => GetStreamFeaturesAsync(new XmppClientOptions { Host = host, Port = port, Domain = domain }, afterStartTls, cancellationToken);

    /// <summary>Opens a plain TCP stream without logging in and returns the server's &lt;stream:features/&gt;.</summary>
    public static Task<XElement> GetStreamFeaturesAsync(string host, int port, string domain, CancellationToken cancellationToken)
        => GetStreamFeaturesAsync(host, port, domain, afterStartTls: false, cancellationToken);

    /// <summary>
    /// Like <see cref="GetStreamFeaturesAsync(string, int, string, bool, CancellationToken)"/>, taking
    /// host, port, domain, certificate validation, timeout and log from <paramref name="options"/>.
    /// </summary>
    public static Task<XElement> GetStreamFeaturesAsync(XmppClientOptions options, bool afterStartTls = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return WithTimeoutAsync(options, "probing stream features", async ct =>
        {
            await using var transport = await TcpTransport.ConnectAsync(options.Host, options.Port, options.Log, ct).ConfigureAwait(false);
            var features = await OpenStreamAsync(transport, options, ct).ConfigureAwait(false);
            if (afterStartTls)
            {
                features = await StartTlsAsync(transport, features, options, ct).ConfigureAwait(false);
            }

            await transport.CloseStreamAsync(ct).ConfigureAwait(false);
            return features;
        }, cancellationToken);
    }

    /// <summary>
    /// Opens a WebSocket stream without logging in and returns the server's &lt;stream:features/&gt;.
    /// Only <see cref="XmppClientOptions.Domain"/>, certificate validation, timeout and log are used.
    /// </summary>
    public static Task<XElement> GetWebSocketStreamFeaturesAsync(Uri uri, XmppClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(options);
        return WithTimeoutAsync(options, "probing WebSocket stream features", async ct =>
        {
            await using var transport = await WebSocketTransport.ConnectAsync(uri, options.ServerCertificateValidation, options.Log, ct).ConfigureAwait(false);
            var features = await OpenStreamAsync(transport, options, ct).ConfigureAwait(false);
            await transport.CloseStreamAsync(ct).ConfigureAwait(false);
            return features;
        }, cancellationToken);
    }

    private static void ValidateLoginOptions(XmppClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Username, "options.Username");
        if (options.Username.Contains('@') || options.Username.Contains('/'))
        {
            throw new ArgumentException($"Username is the local part only (e.g. 'alice'), not a JID: '{options.Username}'.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.Password, "options.Password");
        if (options.SaslMechanism is not null && !SaslMechanisms.StrongestFirst.Contains(options.SaslMechanism))
        {
            throw new ArgumentException(
                $"Unsupported SASL mechanism '{options.SaslMechanism}'; supported: {string.Join(", ", SaslMechanisms.StrongestFirst)}.",
                nameof(options));
        }
    }

    /// <summary>Runs <paramref name="step"/> under <see cref="XmppClientOptions.Timeout"/>, reporting a timeout as such.</summary>
    private static async Task<T> WithTimeoutAsync<T>(XmppClientOptions options, string what, Func<CancellationToken, Task<T>> step, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            return await step(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"XMPP: {what} to {options.Domain} did not finish within {options.Timeout}.", e);
        }
    }

    private static async Task<XmppClient> LoginAsync(XmppTransport transport, XmppClientOptions options, CancellationToken ct)
    {
        try
        {
            var features = await OpenStreamAsync(transport, options, ct).ConfigureAwait(false);
            if (transport.CanStartTls)
            {
                features = await StartTlsAsync(transport, features, options, ct).ConfigureAwait(false);
            }

            var mechanism = await AuthenticateAsync(transport, features, options, ct).ConfigureAwait(false);

            // RFC 6120 section 6.4.6: after SASL success both sides start a fresh stream.
            features = await OpenStreamAsync(transport, options, ct).ConfigureAwait(false);
            var jid = await BindAsync(transport, features, options, ct).ConfigureAwait(false);

            // From here on stanzas flow both ways, so the client's receive loop takes over reading.
            return new XmppClient(transport, options, jid, mechanism, features);
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens (or restarts) the stream and returns the features that follow the server's header.</summary>
    private static async Task<XElement> OpenStreamAsync(XmppTransport transport, XmppClientOptions options, CancellationToken ct)
    {
        await transport.OpenStreamAsync(options.Domain, ct).ConfigureAwait(false);
        var features = await ReadNegotiationElementAsync(transport, ct).ConfigureAwait(false);
        return features.Name == XmppNamespaces.Streams + "features"
            ? features
            : throw new XmppException($"Expected <stream:features/> but received <{features.Name.LocalName}/>.");
    }

    /// <summary>STARTTLS (RFC 6120 section 5): ask, get &lt;proceed/&gt;, handshake, restart the stream.</summary>
    private static async Task<XElement> StartTlsAsync(XmppTransport transport, XElement features, XmppClientOptions options, CancellationToken ct)
    {
        var offered = features.Element(XmppNamespaces.Tls + "starttls") is not null;
        switch (options.StartTls)
        {
            case StartTlsPolicy.Never:
            case StartTlsPolicy.IfOffered when !offered:
                return features;
            case StartTlsPolicy.Required when !offered:
                throw new XmppException("The server does not offer STARTTLS, which this client requires (see XmppClientOptions.StartTls).");
        }

        await transport.SendAsync(new XElement(XmppNamespaces.Tls + "starttls"), ct).ConfigureAwait(false);
        var answer = await ReadNegotiationElementAsync(transport, ct).ConfigureAwait(false);
        if (answer.Name != XmppNamespaces.Tls + "proceed")
        {
            throw new XmppException($"The server refused STARTTLS with <{answer.Name.LocalName}/>.");
        }

        await transport.StartTlsAsync(options.Domain, options.ServerCertificateValidation, ct).ConfigureAwait(false);
        return await OpenStreamAsync(transport, options, ct).ConfigureAwait(false);
    }

    /// <summary>SASL (RFC 6120 section 6); returns the name of the mechanism that succeeded.</summary>
    private static async Task<string> AuthenticateAsync(XmppTransport transport, XElement features, XmppClientOptions options, CancellationToken ct)
    {
        var offered = features.Element(XmppNamespaces.Sasl + "mechanisms")?
            .Elements(XmppNamespaces.Sasl + "mechanism").Select(m => m.Value.Trim()).ToArray() ?? [];
        var name = SaslSelection.Choose(offered, options.SaslMechanism);
        var mechanism = SaslSelection.Create(name, options.Username!, options.Password!);

        await transport.SendAsync(
            new XElement(XmppNamespaces.Sasl + "auth", new XAttribute("mechanism", name), ToBase64(mechanism.GetInitialResponse())),
            ct).ConfigureAwait(false);

        while (true)
        {
            var answer = await ReadNegotiationElementAsync(transport, ct).ConfigureAwait(false);
            switch (answer.Name.LocalName)
            {
                case "challenge" when answer.Name.Namespace == XmppNamespaces.Sasl:
                    var response = mechanism.RespondToChallenge(FromBase64(answer.Value));
                    await transport.SendAsync(new XElement(XmppNamespaces.Sasl + "response", ToBase64(response)), ct).ConfigureAwait(false);
                    break;

                case "success" when answer.Name.Namespace == XmppNamespaces.Sasl:
                    mechanism.VerifySuccess(FromBase64(answer.Value));
                    return name;

                case "failure" when answer.Name.Namespace == XmppNamespaces.Sasl:
                    var condition = answer.Elements()
                        .FirstOrDefault(e => e.Name.Namespace == XmppNamespaces.Sasl && e.Name.LocalName != "text");
                    throw new XmppAuthenticationException(
                        name,
                        condition?.Name.LocalName ?? "undefined-condition",
                        answer.Element(XmppNamespaces.Sasl + "text")?.Value);

                default:
                    throw new XmppException($"Unexpected <{answer.Name.LocalName}/> during SASL negotiation.");
            }
        }
    }

    /// <summary>Reads one element while negotiating, turning a closed stream or stream error into exceptions.</summary>
    private static async Task<XElement> ReadNegotiationElementAsync(XmppTransport transport, CancellationToken ct)
    {
        var element = await transport.ReadElementAsync(ct).ConfigureAwait(false)
            ?? throw new XmppException("The server closed the stream during negotiation.");
        return element.Name == XmppNamespaces.Streams + "error" ? throw new XmppStreamException(element) : element;
    }

    // RFC 6120 section 6.4.2: an empty payload is sent as "=" so that it differs from "no payload".
    private static string ToBase64(byte[] data) => data.Length == 0 ? "=" : Convert.ToBase64String(data);

    private static byte[] FromBase64(string text)
    {
        text = text.Trim();
        return text is "" or "=" ? [] : Convert.FromBase64String(text);
    }

    /// <summary>Resource binding (RFC 6120 section 7) and, if the server insists, a session (RFC 3921).</summary>
    private static async Task<Jid> BindAsync(XmppTransport transport, XElement features, XmppClientOptions options, CancellationToken ct)
    {
        if (features.Element(XmppNamespaces.Bind + "bind") is null)
        {
            throw new XmppException("The server does not offer resource binding.");
        }

        var bind = new XElement(XmppNamespaces.Bind + "bind");
        if (options.Resource is not null)
        {
            bind.Add(new XElement(XmppNamespaces.Bind + "resource", options.Resource));
        }

        var result = await NegotiationIqAsync(transport, Iq("set", null, bind), ct).ConfigureAwait(false);
        var jid = result.Element(XmppNamespaces.Bind + "bind")?.Element(XmppNamespaces.Bind + "jid")?.Value
            ?? throw new XmppException("The bind result carries no JID.");

        // RFC 6121 dropped <session/>, and Prosody marks it <optional/>; old servers still need it.
        var session = features.Element(XmppTestNamespaces.Session + "session");
        if (session is not null && session.Element(XmppTestNamespaces.Session + "optional") is null)
        {
            await NegotiationIqAsync(transport, Iq("set", null, new XElement(XmppTestNamespaces.Session + "session")), ct).ConfigureAwait(false);
        }

        return Jid.Parse(jid);
    }

    /// <summary>
    /// An iq exchange before the receive loop runs. Until a resource is bound the server routes
    /// no stanzas to us, so the next element read is the answer.
    /// </summary>
    private static async Task<XElement> NegotiationIqAsync(XmppTransport transport, XElement iq, CancellationToken ct)
    {
        await transport.SendAsync(iq, ct).ConfigureAwait(false);
        var answer = await ReadNegotiationElementAsync(transport, ct).ConfigureAwait(false);
        if (answer.Name != XmppNamespaces.Client + "iq" || answer.Attribute("id")?.Value != iq.Attribute("id")?.Value)
        {
            throw new XmppException($"Expected the answer to iq '{iq.Attribute("id")?.Value}' but received <{answer.Name.LocalName}/>.");
        }

        return answer.GetStanzaType() == "error" ? throw new XmppStanzaException(answer) : answer;
    }
}
