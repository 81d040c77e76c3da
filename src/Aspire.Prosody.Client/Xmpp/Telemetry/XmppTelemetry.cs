using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Aspire.Prosody.Client.Xmpp.Telemetry;

/// <summary>The client's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="XmppClient.ActivitySourceName"/>.</summary>
internal static class XmppTelemetry
{
    public static readonly ActivitySource ActivitySource = new(XmppClient.ActivitySourceName);

    public static readonly Meter Meter = new(XmppClient.ActivitySourceName);

    public static readonly Counter<long> MessagesSent =
        Meter.CreateCounter<long>("xmpp.client.messages.sent", "{message}", "Messages accepted for sending.");

    public static readonly Counter<long> MessagesReceived =
        Meter.CreateCounter<long>("xmpp.client.messages.received", "{message}", "Messages with a body received.");

    public static readonly Counter<long> Reconnects =
        Meter.CreateCounter<long>("xmpp.client.reconnects", "{reconnect}", "Sessions re-established after a lost connection.");

    public static readonly Counter<long> StanzasResent =
        Meter.CreateCounter<long>("xmpp.client.stanzas.resent", "{stanza}", "Unacknowledged stanzas sent again after a reconnect.");

    public static readonly Histogram<double> IqDuration =
        Meter.CreateHistogram<double>("xmpp.client.iq.duration", "s", "Round-trip time of IQ requests.");
}
