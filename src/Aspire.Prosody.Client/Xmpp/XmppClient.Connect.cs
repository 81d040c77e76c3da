using System.Diagnostics;
using System.Globalization;
using Aspire.Prosody.Client.Xmpp;
using Aspire.Prosody.Client.Xmpp.Sasl;
using Aspire.Prosody.Client.Xmpp.Telemetry;
using Polly;
using Polly.Retry;

namespace Aspire.Prosody.Client;

// One connection attempt: TCP, STARTTLS, SASL, then resume or bind (RFC 6120 sections 4-7, XEP-0198); and the retry policy.
public sealed partial class XmppClient
{
    private static readonly XNamespace Sm = XmppNamespaces.StreamManagement;

    private ResiliencePipeline CreateConnectPipeline()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (_options.MaxReconnectAttempts is not 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = _options.MaxReconnectAttempts ?? int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectMinDelay,
                MaxDelay = _options.ReconnectMaxDelay,
                OnRetry = args =>
                {
                    Log.RetryingConnect(_logger, args.AttemptNumber + 1, _options.Host, _options.Port, Log.Reason(args.Outcome.Exception), args.RetryDelay);
                    return default;
                },
            });
        }

        return builder.Build();
    }

    /// <summary>Errors a retry cannot fix: wrong credentials, a certificate that does not validate, a wrong domain.</summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        OperationCanceledException => false,
        XmppAuthenticationException auth => auth.Condition == "temporary-auth-failure",
        XmppTlsException => false,
        XmppStreamException stream => stream.Condition is not ("host-unknown" or "improper-addressing"),
        ArgumentException or ObjectDisposedException => false,
        _ => true,
    };

    private async Task ConnectFirstAsync(CancellationToken cancellationToken)
    {
        await Task.Yield(); // never run the attempt under the caller's lock
        SetState(XmppConnectionState.Connecting);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        try
        {
            await _connectPipeline.ExecuteAsync(async ct => await AttemptAsync(ct).ConfigureAwait(false), linked.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException)
            {
                Log.GaveUp(_logger, e, _options.Host, _options.Port);
            }

            SetState(XmppConnectionState.Disconnected);
            throw;
        }
        finally
        {
            lock (_gate)
            {
                _connecting = null;
            }
        }
    }

    /// <summary>One attempt, bounded by <see cref="XmppClientOptions.ConnectTimeout"/>; on success the session is live.</summary>
    private async Task AttemptAsync(CancellationToken cancellationToken)
    {
        using var activity = XmppTelemetry.ActivitySource.StartActivity("xmpp connect", ActivityKind.Client);
        activity?.SetTag("server.address", _options.Host);
        activity?.SetTag("server.port", _options.Port);
        activity?.SetTag("xmpp.domain", _options.Domain);

        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var ct = linked.Token;
        XmppConnection? connection = null;
        try
        {
            connection = await XmppConnection.ConnectAsync(_options.Host, _options.Port, _options.MaxStanzaBytes, ct).ConfigureAwait(false);
            var features = await OpenStreamAsync(connection, ct).ConfigureAwait(false);
            features = await StartTlsAsync(connection, features, ct).ConfigureAwait(false);
            activity?.SetTag("tls.protocol.version", connection.TlsProtocol.ToString());

            var mechanism = await AuthenticateAsync(connection, features, ct).ConfigureAwait(false);
            activity?.SetTag("xmpp.sasl.mechanism", mechanism);

            // RFC 6120 section 6.4.6: after SASL success both sides start a fresh stream.
            features = await OpenStreamAsync(connection, ct).ConfigureAwait(false);
            var session = new Session(connection);
            var resumed = await EstablishAsync(session, features, ct).ConfigureAwait(false);
            activity?.SetTag("xmpp.sm.resumed", resumed);
            await GoLiveAsync(session, resumed, ct).ConfigureAwait(false);
            connection = null; // owned by the session now
            Log.SignedIn(_logger, _options.Host, _options.Port, _jid?.ToString() ?? "", mechanism, resumed ? "resumed" : "new session");
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            activity?.AddException(e);
            if (e is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Connecting to the XMPP server {_options.Host}:{_options.Port} ({_options.Domain}) did not finish within {_options.ConnectTimeout}.", e);
            }

            throw;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<XElement> OpenStreamAsync(XmppConnection connection, CancellationToken ct)
    {
        var header = await connection.OpenStreamAsync(_options.Domain, from: null, ct).ConfigureAwait(false);
        if (header.Attribute("version")?.Value is not { } version || !version.StartsWith("1.", StringComparison.Ordinal))
        {
            throw new XmppException("The server does not speak XMPP 1.0 (no version='1.0' in its stream header).");
        }

        var features = await ReadNegotiationAsync(connection, ct).ConfigureAwait(false);
        return features.Name == XmppNamespaces.Streams + "features"
            ? features
            : throw new XmppException($"Expected <stream:features/> but received <{features.Name.LocalName}/>.");
    }

    /// <summary>STARTTLS (RFC 6120 section 5), required: a server that does not offer it is refused.</summary>
    private async Task<XElement> StartTlsAsync(XmppConnection connection, XElement features, CancellationToken ct)
    {
        if (features.Element(XmppNamespaces.Tls + "starttls") is null)
        {
            throw new XmppTlsException($"The XMPP server {_options.Host}:{_options.Port} does not offer STARTTLS; this client never continues without TLS.");
        }

        await connection.WriteAsync(Xmpp.Xml.XmppXml.Serialize(new XElement(XmppNamespaces.Tls + "starttls")), ct).ConfigureAwait(false);
        var answer = await ReadNegotiationAsync(connection, ct).ConfigureAwait(false);
        if (answer.Name != XmppNamespaces.Tls + "proceed")
        {
            throw new XmppTlsException($"The XMPP server refused STARTTLS with <{answer.Name.LocalName}/>.");
        }

        await connection.StartTlsAsync(_options.Domain, _options.TrustedCertificates, ct).ConfigureAwait(false);
        return await OpenStreamAsync(connection, ct).ConfigureAwait(false);
    }

    /// <summary>SASL (RFC 6120 section 6); returns the mechanism that succeeded. Payloads are never logged.</summary>
    private async Task<string> AuthenticateAsync(XmppConnection connection, XElement features, CancellationToken ct)
    {
        var offered = features.Element(XmppNamespaces.Sasl + "mechanisms")?
            .Elements(XmppNamespaces.Sasl + "mechanism").Select(m => m.Value.Trim()).ToArray() ?? [];
        var mechanism = SaslClientMechanism.Choose(offered, _options.Username, _options.Password);
        await WriteNegotiationAsync(connection, new XElement(XmppNamespaces.Sasl + "auth",
            new XAttribute("mechanism", mechanism.Name), ToBase64(mechanism.GetInitialResponse())), ct).ConfigureAwait(false);

        // A bounded number of rounds: SCRAM needs one challenge (two if server-final comes as a challenge).
        for (var round = 0; round < 4; round++)
        {
            var answer = await ReadNegotiationAsync(connection, ct).ConfigureAwait(false);
            if (answer.Name.Namespace != XmppNamespaces.Sasl)
            {
                throw new XmppException($"Unexpected <{answer.Name.LocalName}/> during SASL negotiation.");
            }

            switch (answer.Name.LocalName)
            {
                case "challenge":
                    var response = mechanism.RespondToChallenge(FromBase64(answer.Value, mechanism.Name));
                    await WriteNegotiationAsync(connection, new XElement(XmppNamespaces.Sasl + "response", ToBase64(response)), ct).ConfigureAwait(false);
                    break;
                case "success":
                    mechanism.VerifySuccess(FromBase64(answer.Value, mechanism.Name));
                    return mechanism.Name;
                case "failure":
                    var condition = answer.Elements().FirstOrDefault(e => e.Name.Namespace == XmppNamespaces.Sasl && e.Name.LocalName != "text");
                    throw new XmppAuthenticationException(mechanism.Name, condition?.Name.LocalName ?? "undefined-condition",
                        answer.Element(XmppNamespaces.Sasl + "text")?.Value);
                default:
                    throw new XmppException($"Unexpected <{answer.Name.LocalName}/> during SASL negotiation.");
            }
        }

        throw new XmppAuthenticationException(mechanism.Name, "malformed-request", "the server sent too many challenges");
    }

    /// <summary>Resumes the previous stream management session, or binds a resource and enables stream management.</summary>
    /// <returns>Whether the previous session was resumed.</returns>
    private async Task<bool> EstablishAsync(Session session, XElement features, CancellationToken ct)
    {
        var smOffered = features.Element(Sm + "sm") is not null;
        string? previousId;
        uint inbound;
        lock (_gate)
        {
            previousId = _queue.ResumeId;
            inbound = _queue.InboundCount;
        }

        if (smOffered && previousId is not null)
        {
            await WriteNegotiationAsync(session.Connection, new XElement(Sm + "resume",
                new XAttribute("previd", previousId), new XAttribute("h", inbound)), ct).ConfigureAwait(false);
            var answer = await ReadUntilAsync(session, e => e.Name.Namespace == Sm, ct).ConfigureAwait(false);
            if (answer.Name == Sm + "resumed")
            {
                int acked, resend;
                lock (_gate)
                {
                    acked = _queue.Acknowledge(ParseH(answer));
                    resend = _queue.UnackedCount;
                }

                Log.Resumed(_logger, acked, resend);
                return true;
            }

            // <failed/> may carry the h the server had reached (XEP-0198 1.6): those need no resend.
            int resent;
            lock (_gate)
            {
                if (answer.Attribute("h") is not null)
                {
                    _queue.Acknowledge(ParseH(answer));
                }

                resent = _queue.StartFresh();
            }

            Log.ResumeFailed(_logger, answer.Elements().FirstOrDefault()?.Name.LocalName ?? answer.Name.LocalName, resent);
        }
        else
        {
            lock (_gate)
            {
                _queue.StartFresh();
            }
        }

        _jid = await BindAsync(session, features, ct).ConfigureAwait(false);
        if (smOffered)
        {
            await WriteNegotiationAsync(session.Connection, new XElement(Sm + "enable", new XAttribute("resume", "true")), ct).ConfigureAwait(false);
            var answer = await ReadUntilAsync(session, e => e.Name.Namespace == Sm, ct).ConfigureAwait(false);
            if (answer.Name == Sm + "enabled")
            {
                var resume = answer.Attribute("resume")?.Value is "true" or "1";
                lock (_gate)
                {
                    _queue.Enabled = true;
                    _queue.ResumeId = resume ? answer.Attribute("id")?.Value : null;
                }
            }
        }

        return false;
    }

    /// <summary>Resource binding (RFC 6120 section 7). After a reconnect the same resource is asked for again.</summary>
    private async Task<Jid> BindAsync(Session session, XElement features, CancellationToken ct)
    {
        if (features.Element(XmppNamespaces.Bind + "bind") is null)
        {
            throw new XmppException("The server does not offer resource binding.");
        }

        var bind = new XElement(XmppNamespaces.Bind + "bind");
        if ((_jid?.Resource ?? _options.Resource) is { } resource)
        {
            bind.Add(new XElement(XmppNamespaces.Bind + "resource", resource));
        }

        var id = NewId();
        await WriteNegotiationAsync(session.Connection, new XElement(XmppNamespaces.Client + "iq",
            new XAttribute("type", "set"), new XAttribute("id", id), bind), ct).ConfigureAwait(false);
        var result = await ReadUntilAsync(session, e => e.Name == XmppNamespaces.Client + "iq" && (string?)e.Attribute("id") == id, ct).ConfigureAwait(false);
        if ((string?)result.Attribute("type") == "error")
        {
            throw new XmppStanzaException(result);
        }

        var text = result.Element(XmppNamespaces.Bind + "bind")?.Element(XmppNamespaces.Bind + "jid")?.Value;
        // The server may change the resource (RFC 6120 section 7.6.2.1): use what it returns.
        return Client.Jid.TryParse(text, out var jid) && jid.Resource is not null
            ? jid
            : throw new XmppException("The bind result carries no valid full JID.");
    }

    /// <summary>Reads during negotiation until <paramref name="match"/>; stanzas that arrive meanwhile are kept for the receive loop.</summary>
    private async Task<XElement> ReadUntilAsync(Session session, Func<XElement, bool> match, CancellationToken ct)
    {
        for (var skipped = 0; ; skipped++)
        {
            var element = await ReadNegotiationAsync(session.Connection, ct).ConfigureAwait(false);
            if (match(element))
            {
                return element;
            }

            if (skipped >= 100)
            {
                throw new XmppException("The server sent too many unexpected elements during negotiation.");
            }

            session.Early.Add(element);
        }
    }

    private static async Task<XElement> ReadNegotiationAsync(XmppConnection connection, CancellationToken ct)
    {
        var element = await connection.ReadElementAsync(ct).ConfigureAwait(false)
            ?? throw new XmppException("The server closed the stream during negotiation.");
        return element.Name == XmppNamespaces.Streams + "error" ? throw new XmppStreamException(element) : element;
    }

    private static Task WriteNegotiationAsync(XmppConnection connection, XElement element, CancellationToken ct)
        => connection.WriteAsync(Xmpp.Xml.XmppXml.Serialize(element), ct);

    private static uint ParseH(XElement element)
        => uint.TryParse((string?)element.Attribute("h"), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            ? h
            : throw new XmppStreamException("undefined-condition", "Stream management: the server sent an invalid 'h'.");

    // RFC 6120 section 6.4.2: an empty payload is sent as "=" so that it differs from "no payload".
    private static string ToBase64(byte[] data) => data.Length == 0 ? "=" : Convert.ToBase64String(data);

    private static byte[] FromBase64(string text, string mechanism)
    {
        text = text.Trim();
        try
        {
            return text is "" or "=" ? [] : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new XmppAuthenticationException(mechanism, "incorrect-encoding", "the server's SASL payload is not base64");
        }
    }
}
