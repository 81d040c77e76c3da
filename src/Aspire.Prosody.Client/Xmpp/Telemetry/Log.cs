using Microsoft.Extensions.Logging;

namespace Aspire.Prosody.Client.Xmpp.Telemetry;

/// <summary>Log messages. None of them carries a password or a SASL payload.</summary>
internal static partial class Log
{
    public const string Category = XmppClient.ActivitySourceName;

    [LoggerMessage(1, LogLevel.Information, "Signed in to {Host}:{Port} as {Jid} ({Mechanism}, {Session})")]
    public static partial void SignedIn(ILogger logger, string host, int port, string jid, string mechanism, string session);

    // A refused or reset connection is what a restarting server looks like: one line with the reason, no stack trace.
    [LoggerMessage(2, LogLevel.Warning, "Connection attempt {Attempt} to {Host}:{Port} failed ({Reason}); retrying in {Delay}")]
    public static partial void RetryingConnect(ILogger logger, int attempt, string host, int port, string reason, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Warning, "Connection to {Host}:{Port} lost ({Reason}); reconnecting")]
    public static partial void ConnectionLost(ILogger logger, string host, int port, string reason);

    /// <summary>The innermost message: "Connection refused" rather than the wrapper's "Unable to read data…".</summary>
    public static string Reason(Exception? exception) => exception?.GetBaseException().Message ?? "the server closed the stream";

    [LoggerMessage(4, LogLevel.Error, "Giving up connecting to {Host}:{Port}")]
    public static partial void GaveUp(ILogger logger, Exception exception, string host, int port);

    [LoggerMessage(5, LogLevel.Information, "Stream management: resumed session, {Acked} stanzas acknowledged, resending {Resent}")]
    public static partial void Resumed(ILogger logger, int acked, int resent);

    [LoggerMessage(6, LogLevel.Warning, "Stream management: could not resume ({Condition}); new session, resending {Resent} unacknowledged stanzas")]
    public static partial void ResumeFailed(ILogger logger, string condition, int resent);

    [LoggerMessage(7, LogLevel.Warning, "Ping unanswered within {Timeout}; considering the connection dead")]
    public static partial void PingTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(8, LogLevel.Debug, "Dropped an incoming stanza: {Reason}")]
    public static partial void DroppedStanza(ILogger logger, string reason);

    [LoggerMessage(9, LogLevel.Warning, "Re-joining room {Room} failed")]
    public static partial void RejoinFailed(ILogger logger, Exception exception, string room);

    [LoggerMessage(10, LogLevel.Warning, "The IQ handler failed; answering internal-server-error")]
    public static partial void IqHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Information, "Closed; {Unacked} stanzas were still unacknowledged")]
    public static partial void Closed(ILogger logger, int unacked);
}
