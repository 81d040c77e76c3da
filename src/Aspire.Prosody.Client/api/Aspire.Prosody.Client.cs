// The public API of Aspire.Prosody.Client, printed by PublicApiGenerator. Do not edit: after an intended change run
// UPDATE_API_BASELINE=1 dotnet test --project tests/Aspire.Prosody.Client.Tests -- --filter-class "*PublicApiBaselineTests*"
namespace Aspire.Prosody.Client
{
    public sealed class HttpUploadSlot : System.IEquatable<Aspire.Prosody.Client.HttpUploadSlot>
    {
        public HttpUploadSlot(System.Uri PutUrl, System.Collections.Generic.IReadOnlyDictionary<string, string> PutHeaders, System.Uri GetUrl) { }
        public System.Uri GetUrl { get; init; }
        public System.Collections.Generic.IReadOnlyDictionary<string, string> PutHeaders { get; init; }
        public System.Uri PutUrl { get; init; }
    }
    public readonly struct Jid : System.IEquatable<Aspire.Prosody.Client.Jid>
    {
        public Aspire.Prosody.Client.Jid Bare { get; }
        public string Domain { get; }
        public bool IsBare { get; }
        public string? Local { get; }
        public string? Resource { get; }
        public override string ToString() { }
        public Aspire.Prosody.Client.Jid WithResource(string resource) { }
        public static Aspire.Prosody.Client.Jid Create(string? local, string domain, string? resource = null) { }
        public static Aspire.Prosody.Client.Jid Parse(string text) { }
        public static bool TryParse([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? text, out Aspire.Prosody.Client.Jid jid) { }
    }
    public sealed class ProsodyClientSettings
    {
        public ProsodyClientSettings() { }
        public System.TimeSpan ConnectTimeout { get; set; }
        public string? ConnectionString { get; set; }
        public bool DisableAutoConnect { get; set; }
        public bool DisableHealthChecks { get; set; }
        public bool DisableMetrics { get; set; }
        public bool DisableTracing { get; set; }
        public string? Domain { get; set; }
        public string? Host { get; set; }
        public int? MaxReconnectAttempts { get; set; }
        public string? Password { get; set; }
        public System.TimeSpan PingInterval { get; set; }
        public int Port { get; set; }
        public System.TimeSpan RequestTimeout { get; set; }
        public string? Resource { get; set; }
        public string? TrustedCertificatesPath { get; set; }
        public string? Username { get; set; }
    }
    public sealed class XmppAuthenticationException : Aspire.Prosody.Client.XmppException
    {
        public const string ServerSignatureMismatch = "server-signature-mismatch";
        public XmppAuthenticationException(string mechanism, string condition, string? text) { }
        public string Condition { get; }
        public string Mechanism { get; }
        public string? Text { get; }
    }
    public sealed class XmppClient : System.IAsyncDisposable
    {
        public const string ActivitySourceName = "Aspire.Prosody.Client";
        public XmppClient(Aspire.Prosody.Client.XmppClientOptions options, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null, System.TimeProvider? timeProvider = null) { }
        public System.Func<System.Xml.Linq.XElement, System.Threading.Tasks.Task<System.Xml.Linq.XElement?>>? IqHandler { get; set; }
        public Aspire.Prosody.Client.Jid? Jid { get; }
        public System.DateTimeOffset? LastPingAnswered { get; }
        public Aspire.Prosody.Client.XmppConnectionState State { get; }
        public event System.EventHandler<Aspire.Prosody.Client.XmppConnectionState>? StateChanged;
        public System.Threading.Tasks.Task ConnectAsync(System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.ValueTask DisposeAsync() { }
        public System.Threading.Tasks.Task FlushAsync(System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task<Aspire.Prosody.Client.XmppRoom> JoinRoomAsync(Aspire.Prosody.Client.Jid room, string nickname, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task<System.TimeSpan> PingAsync(Aspire.Prosody.Client.Jid? to = default, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Collections.Generic.IAsyncEnumerable<Aspire.Prosody.Client.XmppMessage> ReceiveMessagesAsync(System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task<Aspire.Prosody.Client.HttpUploadSlot> RequestUploadSlotAsync(string fileName, long size, string? contentType = null, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task SendAsync(System.Xml.Linq.XElement stanza, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task<System.Xml.Linq.XElement> SendIqAsync(System.Xml.Linq.XElement iq, System.TimeSpan? timeout = default, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task<string> SendMessageAsync(Aspire.Prosody.Client.Jid to, string body, Aspire.Prosody.Client.XmppMessageType type = 0, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task SendPresenceAsync(Aspire.Prosody.Client.XmppPresenceShow show = 0, string? status = null, System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task<System.Uri> UploadFileAsync(string fileName, System.IO.Stream content, long size, string? contentType = null, System.Threading.CancellationToken cancellationToken = default) { }
        public static System.Threading.Tasks.Task<Aspire.Prosody.Client.XmppClient> SignInAsync(string? connectionString, System.Action<Aspire.Prosody.Client.XmppClientOptions>? configure = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null, System.Threading.CancellationToken cancellationToken = default) { }
    }
    public sealed class XmppClientOptions
    {
        public XmppClientOptions() { }
        public System.TimeSpan ConnectTimeout { get; set; }
        public string Domain { get; set; }
        public string Host { get; set; }
        public int? MaxReconnectAttempts { get; set; }
        public int MaxStanzaBytes { get; set; }
        public string Password { get; set; }
        public System.TimeSpan PingInterval { get; set; }
        public int Port { get; set; }
        public int ReceiveBufferCapacity { get; set; }
        public System.TimeSpan ReconnectMaxDelay { get; set; }
        public System.TimeSpan ReconnectMinDelay { get; set; }
        public System.TimeSpan RequestTimeout { get; set; }
        public string? Resource { get; set; }
        public System.Security.Cryptography.X509Certificates.X509Certificate2Collection TrustedCertificates { get; }
        public string Username { get; set; }
    }
    public enum XmppConnectionState
    {
        Disconnected = 0,
        Connecting = 1,
        SignedIn = 2,
        Reconnecting = 3,
        Closed = 4,
    }
    public class XmppException : System.Exception
    {
        public XmppException(string message) { }
        public XmppException(string message, System.Exception? innerException) { }
    }
    public sealed class XmppMessage : System.IEquatable<Aspire.Prosody.Client.XmppMessage>
    {
        public XmppMessage(Aspire.Prosody.Client.Jid From, Aspire.Prosody.Client.Jid? To, string? Id, Aspire.Prosody.Client.XmppMessageType Type, string Body, System.Xml.Linq.XElement Stanza) { }
        public string Body { get; init; }
        public Aspire.Prosody.Client.Jid From { get; init; }
        public string? Id { get; init; }
        public System.Xml.Linq.XElement Stanza { get; init; }
        public Aspire.Prosody.Client.Jid? To { get; init; }
        public Aspire.Prosody.Client.XmppMessageType Type { get; init; }
    }
    public enum XmppMessageType
    {
        Chat = 0,
        Normal = 1,
        GroupChat = 2,
        Headline = 3,
    }
    public static class XmppNamespaces
    {
        public static readonly System.Xml.Linq.XNamespace Bind;
        public static readonly System.Xml.Linq.XNamespace Client;
        public static readonly System.Xml.Linq.XNamespace DataForms;
        public static readonly System.Xml.Linq.XNamespace Delay;
        public static readonly System.Xml.Linq.XNamespace DiscoInfo;
        public static readonly System.Xml.Linq.XNamespace DiscoItems;
        public static readonly System.Xml.Linq.XNamespace Muc;
        public static readonly System.Xml.Linq.XNamespace MucOwner;
        public static readonly System.Xml.Linq.XNamespace MucUser;
        public static readonly System.Xml.Linq.XNamespace Ping;
        public static readonly System.Xml.Linq.XNamespace Sasl;
        public static readonly System.Xml.Linq.XNamespace StanzaErrors;
        public static readonly System.Xml.Linq.XNamespace StreamErrors;
        public static readonly System.Xml.Linq.XNamespace StreamManagement;
        public static readonly System.Xml.Linq.XNamespace Streams;
        public static readonly System.Xml.Linq.XNamespace Tls;
        public static readonly System.Xml.Linq.XNamespace Upload;
    }
    public enum XmppPresenceShow
    {
        Available = 0,
        Away = 1,
        Chat = 2,
        DoNotDisturb = 3,
        ExtendedAway = 4,
    }
    public sealed class XmppRoom
    {
        public bool Created { get; }
        public string Nickname { get; }
        public Aspire.Prosody.Client.Jid Room { get; }
        public System.Threading.Tasks.Task LeaveAsync(System.Threading.CancellationToken cancellationToken = default) { }
        public System.Collections.Generic.IAsyncEnumerable<Aspire.Prosody.Client.XmppMessage> ReceiveMessagesAsync(System.Threading.CancellationToken cancellationToken = default) { }
        public System.Threading.Tasks.Task<string> SendAsync(string body, System.Threading.CancellationToken cancellationToken = default) { }
    }
    public sealed class XmppStanzaException : Aspire.Prosody.Client.XmppException
    {
        public XmppStanzaException(System.Xml.Linq.XElement stanza) { }
        public string Condition { get; }
        public string? ErrorType { get; }
        public System.Xml.Linq.XElement Stanza { get; }
        public string? Text { get; }
    }
    public sealed class XmppStreamException : Aspire.Prosody.Client.XmppException
    {
        public XmppStreamException(System.Xml.Linq.XElement streamError) { }
        public XmppStreamException(string condition, string message) { }
        public string Condition { get; }
    }
    public sealed class XmppTlsException : Aspire.Prosody.Client.XmppException
    {
        public XmppTlsException(string message, System.Exception? innerException = null) { }
    }
}
