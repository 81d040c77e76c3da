using System.Net;
using System.Net.Sockets;
using System.Xml;
using Aspire.Prosody.Client.Xmpp.Xml;
using XmppTestClient.Xml;

namespace XmppTestClient.Tests;

public sealed class XmlStreamTests
{
    private const string ServerHeader =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        + "id='s1' from='chat.dev.localhost' version='1.0' xml:lang='en'>";

    [Fact]
    public void Component_stream_header_escapes_a_hostile_domain_into_one_attribute_value()
    {
        // The header is an open start tag; closing it makes it parseable on its own.
        var text = Encoding.UTF8.GetString(WireXml.ComponentStreamHeader("x' evil='1'/><iq")) + "</stream:stream>";
        var parsed = XElement.Parse(text[text.IndexOf("<stream:", StringComparison.Ordinal)..]);

        Assert.Equal(XmppTestNamespaces.ComponentAccept.NamespaceName, parsed.Attribute("xmlns")?.Value);
        Assert.Equal("x' evil='1'/><iq", parsed.Attribute("to")?.Value);
        Assert.Null(parsed.Attribute("version")); // XEP-0114: no version, so the server sends an id to hash
    }

    // The package's reader, over a real socket: its own tests feed whole strings, these two cover partial reads.
    [Fact]
    public async Task A_stanza_is_returned_as_soon_as_its_end_tag_arrives_without_waiting_for_the_next_one()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var pair = await LoopbackPair.CreateAsync(cancellation);
        var reader = new XmppStreamReader(pair.Client, maxStanzaBytes: 64 * 1024);
        await pair.ServerWriteAsync(ServerHeader + "<message><body>first</body></message>", cancellation);

        await reader.ReadStreamHeaderAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellation);
        // Nothing follows the message and the connection stays open: a parser that looks ahead
        // (as XNode.ReadFrom does) would hang here.
        var message = await reader.ReadElementAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellation);

        Assert.Equal("first", message?.GetBody());
    }

    [Fact]
    public async Task A_stanza_split_into_single_byte_tcp_writes_is_reassembled()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var pair = await LoopbackPair.CreateAsync(cancellation);
        var reader = new XmppStreamReader(pair.Client, maxStanzaBytes: 64 * 1024);
        var bytes = Encoding.UTF8.GetBytes(ServerHeader + "<message><body>split ü 🎉 &amp; done</body></message>");

        var writer = Task.Run(async () =>
        {
            foreach (var b in bytes)
            {
                await pair.ServerWriteAsync([b], cancellation);
            }
        }, cancellation);
        await reader.ReadStreamHeaderAsync().WaitAsync(TimeSpan.FromSeconds(10), cancellation);
        var message = await reader.ReadElementAsync().WaitAsync(TimeSpan.FromSeconds(10), cancellation);
        await writer;

        Assert.Equal("split ü 🎉 & done", message?.GetBody());
    }

    [Fact]
    public void WebSocket_frame_is_parsed_as_one_element_in_its_declared_namespace()
    {
        var frame = WireXml.ParseElement("<message xmlns='jabber:client' from='a@b'><body>hi &amp; bye</body></message>");

        Assert.Equal(XmppNamespaces.Client + "message", frame.Name);
        Assert.Equal("hi & bye", frame.GetBody());
    }

    [Fact]
    public void WebSocket_stream_error_without_a_declared_stream_prefix_still_parses_as_Prosody_13_sends_it()
    {
        var frame = WireXml.ParseElement(
            "<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
            + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>No stream features to proceed with</text></stream:error>");

        var error = new XmppStreamException(frame);
        Assert.Equal("undefined-condition", error.Condition);
        Assert.Contains("No stream features to proceed with", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<a/><b/>")]
    [InlineData("")]
    [InlineData("<a>")]
    public void WebSocket_frame_that_is_not_exactly_one_element_is_rejected(string frame)
    {
        Assert.Throws<XmlException>(() => WireXml.ParseElement(frame));
    }

    [Fact]
    public void Log_text_redacts_sasl_payloads_and_password_elements()
    {
        var auth = new XElement(XmppNamespaces.Sasl + "auth", new XAttribute("mechanism", "PLAIN"), "AGFsaWNlAHNlY3JldA==");
        var register = new XElement(XmppNamespaces.Client + "iq",
            new XElement(XName.Get("query", "jabber:iq:register"), new XElement(XName.Get("password", "jabber:iq:register"), "secret")));
        var failure = new XElement(XmppNamespaces.Sasl + "failure",
            new XElement(XmppNamespaces.Sasl + "not-authorized"), new XElement(XmppNamespaces.Sasl + "text", "Wrong password"));

        Assert.DoesNotContain("AGFsaWNlAHNlY3JldA==", WireXml.ForLog(auth), StringComparison.Ordinal);
        Assert.Contains("[redacted]", WireXml.ForLog(auth), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", WireXml.ForLog(register), StringComparison.Ordinal);
        Assert.Contains("<not-authorized /><text>Wrong password</text>", WireXml.ForLog(failure), StringComparison.Ordinal);
        Assert.Equal("AGFsaWNlAHNlY3JldA==", auth.Value); // the original is untouched
    }

    /// <summary>A connected pair of loopback sockets: real partial reads, no server needed.</summary>
    private sealed class LoopbackPair : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly TcpClient _server;

        private LoopbackPair(TcpClient client, TcpClient server)
        {
            _client = client;
            _server = server;
        }

        public Stream Client => _client.GetStream();

        public static async Task<LoopbackPair> CreateAsync(CancellationToken cancellationToken)
        {
            using var listener = new TcpListener(TestLoopback.Address, 0);
            listener.Start();
            var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint, cancellationToken);
            var server = await listener.AcceptTcpClientAsync(cancellationToken);
            server.NoDelay = true;
            return new LoopbackPair(client, server);
        }

        public async Task ServerWriteAsync(string text, CancellationToken cancellationToken)
            => await ServerWriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

        public async Task ServerWriteAsync(byte[] bytes, CancellationToken cancellationToken)
        {
            await _server.GetStream().WriteAsync(bytes, cancellationToken);
            await _server.GetStream().FlushAsync(cancellationToken);
        }

        public ValueTask DisposeAsync()
        {
            _client.Dispose();
            _server.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
