namespace Aspire.Prosody.Client;

/// <summary>Base type of every error this client raises about the XMPP conversation itself.</summary>
/// <remarks>
/// Network failures surface as the inner exception; timeouts are <see cref="TimeoutException"/> and caller
/// cancellation is <see cref="OperationCanceledException"/>.
/// </remarks>
public class XmppException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public XmppException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public XmppException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>SASL authentication did not succeed. Not retried (except <c>temporary-auth-failure</c>).</summary>
public sealed class XmppAuthenticationException : XmppException
{
    /// <summary>The condition this client reports when the server's SCRAM signature is wrong or missing.</summary>
    public const string ServerSignatureMismatch = "server-signature-mismatch";

    /// <summary>Creates the exception.</summary>
    /// <param name="mechanism">The SASL mechanism that was tried.</param>
    /// <param name="condition">The failure condition.</param>
    /// <param name="text">The server's optional explanation.</param>
    public XmppAuthenticationException(string mechanism, string condition, string? text)
        : base($"SASL {mechanism} authentication failed: {condition}{(text is null ? "" : $" ({text})")}.")
    {
        Mechanism = mechanism;
        Condition = condition;
        Text = text;
    }

    /// <summary>The mechanism that was tried, e.g. <c>SCRAM-SHA-1</c>.</summary>
    public string Mechanism { get; }

    /// <summary>
    /// The SASL failure condition (RFC 6120 section 6.5), e.g. <c>not-authorized</c>; or
    /// <see cref="ServerSignatureMismatch"/> / <c>malformed-request</c> when this client aborted the exchange.
    /// </summary>
    public string Condition { get; }

    /// <summary>The optional human-readable text the server sent.</summary>
    public string? Text { get; }
}

/// <summary>
/// TLS could not be established: the server does not offer STARTTLS, or its certificate does not validate (name
/// mismatch, untrusted root, expired). The inner exception is the <see cref="System.Security.Authentication.AuthenticationException"/>
/// when there is one. Not retried: the configuration has to change.
/// </summary>
public sealed class XmppTlsException : XmppException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the certificate or the negotiation.</param>
    /// <param name="innerException">The TLS stack's exception, if any.</param>
    public XmppTlsException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}

/// <summary>The peer answered a stanza with <c>type='error'</c> (RFC 6120 section 8.3).</summary>
public sealed class XmppStanzaException : XmppException
{
    /// <summary>Creates the exception from an error stanza.</summary>
    /// <param name="stanza">The stanza with <c>type='error'</c>.</param>
    public XmppStanzaException(XElement stanza)
        : this(stanza ?? throw new ArgumentNullException(nameof(stanza)), ReadError(stanza))
    {
    }

    private XmppStanzaException(XElement stanza, (string Condition, string? Type, string? Text) error)
        : base($"The peer returned a stanza error: {error.Condition} (type {error.Type ?? "unknown"})"
            + (error.Text is null ? "." : $": {error.Text}."))
    {
        Stanza = stanza;
        Condition = error.Condition;
        ErrorType = error.Type;
        Text = error.Text;
    }

    /// <summary>The defined condition (RFC 6120 section 8.3.3), e.g. <c>item-not-found</c>.</summary>
    public string Condition { get; }

    /// <summary>The error type: <c>auth</c>, <c>cancel</c>, <c>continue</c>, <c>modify</c> or <c>wait</c>.</summary>
    public string? ErrorType { get; }

    /// <summary>The optional human-readable text.</summary>
    public string? Text { get; }

    /// <summary>The complete error stanza as received.</summary>
    public XElement Stanza { get; }

    private static (string, string?, string?) ReadError(XElement stanza)
    {
        var error = stanza.Elements().FirstOrDefault(e => e.Name.LocalName == "error");
        var condition = error?.Elements()
            .FirstOrDefault(e => e.Name.Namespace == XmppNamespaces.StanzaErrors && e.Name.LocalName != "text");
        var text = error?.Element(XmppNamespaces.StanzaErrors + "text")?.Value;
        return (condition?.Name.LocalName ?? "undefined-condition", error?.Attribute("type")?.Value, text);
    }
}

/// <summary>The stream ended with a stream error (RFC 6120 section 4.9), sent by the server or raised by this client.</summary>
public sealed class XmppStreamException : XmppException
{
    /// <summary>Creates the exception from a <c>&lt;stream:error/&gt;</c> element.</summary>
    /// <param name="streamError">The error element.</param>
    public XmppStreamException(XElement streamError)
        : this(ReadCondition(streamError ?? throw new ArgumentNullException(nameof(streamError))),
            $"The server closed the stream with error {ReadCondition(streamError)}"
            + (streamError.Element(XmppNamespaces.StreamErrors + "text")?.Value is { } text ? $" ({text})." : "."))
    {
    }

    /// <summary>Creates the exception for a condition this client detected, e.g. <c>policy-violation</c>.</summary>
    /// <param name="condition">The stream error condition.</param>
    /// <param name="message">What happened.</param>
    public XmppStreamException(string condition, string message) : base(message)
    {
        Condition = condition;
    }

    /// <summary>The stream error condition, e.g. <c>policy-violation</c> or <c>conflict</c>.</summary>
    public string Condition { get; }

    private static string ReadCondition(XElement streamError)
        => streamError.Elements()
            .FirstOrDefault(e => e.Name.Namespace == XmppNamespaces.StreamErrors && e.Name.LocalName != "text")
            ?.Name.LocalName ?? "undefined-condition";
}
