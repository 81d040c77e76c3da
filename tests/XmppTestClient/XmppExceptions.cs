using System.Xml.Linq;

namespace XmppTestClient;

/// <summary>Base type of every error this client raises about the XMPP conversation itself.</summary>
/// <remarks>
/// Network failures surface as the inner exception; timeouts are <see cref="TimeoutException"/>
/// and caller cancellation is <see cref="OperationCanceledException"/>.
/// </remarks>
public class XmppException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public XmppException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public XmppException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>SASL authentication did not succeed.</summary>
public sealed class XmppAuthenticationException : XmppException
{
    /// <summary>Condition reported by this client when the server's SCRAM signature is wrong or missing.</summary>
    public const string ServerSignatureMismatch = "server-signature-mismatch";

    /// <summary>Creates the exception.</summary>
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
    /// The SASL failure condition from RFC 6120 section 6.5 sent by the server (for example
    /// <c>not-authorized</c>, <c>account-disabled</c>, <c>invalid-mechanism</c>). When the client
    /// itself aborts, it is <see cref="ServerSignatureMismatch"/> (the server's SCRAM proof is wrong
    /// or missing) or <c>malformed-request</c> (the server's SCRAM message is unusable).
    /// </summary>
    public string Condition { get; }

    /// <summary>The optional human-readable text the server sent with the failure.</summary>
    public string? Text { get; }
}

/// <summary>The server answered a stanza (typically an iq) with <c>type='error'</c>.</summary>
public sealed class XmppStanzaException : XmppException
{
    /// <summary>Creates the exception from the error stanza.</summary>
    public XmppStanzaException(XElement stanza)
        : this(stanza, ReadError(stanza))
    {
    }

    private XmppStanzaException(XElement stanza, (string Condition, string? Type, string? Text) error)
        : base($"The server returned a stanza error: {error.Condition} (type {error.Type ?? "unknown"})"
            + (error.Text is null ? "." : $": {error.Text}."))
    {
        Stanza = stanza;
        Condition = error.Condition;
        ErrorType = error.Type;
        Text = error.Text;
    }

    /// <summary>The defined condition from RFC 6120 section 8.3.3, e.g. <c>item-not-found</c>.</summary>
    public string Condition { get; }

    /// <summary>The error type: <c>auth</c>, <c>cancel</c>, <c>continue</c>, <c>modify</c> or <c>wait</c>.</summary>
    public string? ErrorType { get; }

    /// <summary>The optional human-readable text.</summary>
    public string? Text { get; }

    /// <summary>The complete error stanza as received.</summary>
    public XElement Stanza { get; }

    private static (string, string?, string?) ReadError(XElement stanza)
    {
        var error = stanza.Element(XmppNamespaces.Client + "error");
        var condition = error?.Elements()
            .FirstOrDefault(e => e.Name.Namespace == XmppNamespaces.StanzaErrors && e.Name.LocalName != "text");
        var text = error?.Element(XmppNamespaces.StanzaErrors + "text")?.Value;
        return (condition?.Name.LocalName ?? "undefined-condition", error?.Attribute("type")?.Value, text);
    }
}

/// <summary>The server ended the stream with a stream error (RFC 6120 section 4.9).</summary>
public sealed class XmppStreamException : XmppException
{
    /// <summary>Creates the exception from a <c>&lt;stream:error/&gt;</c> element.</summary>
    public XmppStreamException(XElement streamError)
        : this(ReadCondition(streamError), streamError.Element(XmppNamespaces.StreamErrors + "text")?.Value)
    {
    }

    private XmppStreamException(string condition, string? text)
        : base($"The server closed the stream with error {condition}{(text is null ? "" : $" ({text})")}.")
    {
        Condition = condition;
        Text = text;
    }

    /// <summary>The stream error condition, e.g. <c>policy-violation</c> or <c>conflict</c>.</summary>
    public string Condition { get; }

    /// <summary>The optional human-readable text.</summary>
    public string? Text { get; }

    private static string ReadCondition(XElement streamError)
        => streamError.Elements()
            .FirstOrDefault(e => e.Name.Namespace == XmppNamespaces.StreamErrors && e.Name.LocalName != "text")
            ?.Name.LocalName ?? "undefined-condition";
}
