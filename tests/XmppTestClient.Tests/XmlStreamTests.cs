using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using XmppTestClient.Xml;

namespace XmppTestClient.Tests;

public sealed class XmlStreamTests
{
    private const string ServerHeader =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        + "id='s1' from='chat.dev.localhost' version='1.0' xml:lang='en'>";

    public static TheoryData<string> HostileStrings =>
    [
        "<script>alert('x')</script>",
        "</body></message><iq type='set' id='evil'><query xmlns='jabber:iq:roster'/></iq><message><body>",
        "&amp; &lt; &gt; &quot; &apos; &#x26; &unknown;",
        "]]> <![CDATA[ not cdata ]]>",
        "\"double\" and 'single' quotes",
        "CR LF\r\nLF\nCR\rTAB\t end",
        "   leading and trailing spaces   ",
        "   ",
        "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'boom'>]>&e;",
        "ünïcødé, 中文, emoji 🎉 (a surrogate pair)",
        "</stream:stream>",
    ];

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public async Task Hostile_message_body_round_trips_through_the_stream_parser_unchanged(string body)
    {
        var sent = new XElement(XmppNamespaces.Client + "message",
            new XAttribute("to", "bob@chat.dev.localhost"), new XAttribute("id", body),
            new XElement(XmppNamespaces.Client + "body", body));

        var received = await ParseFromStreamAsync(XmppXml.Serialize(sent));

        Assert.Equal(body, received.GetBody());
        Assert.Equal(body, received.Attribute("id")?.Value);
        // The payload stayed text: exactly one child element, no injected siblings or children.
        Assert.Equal([XmppNamespaces.Client + "body"], received.Elements().Select(e => e.Name));
    }

    [Theory]
    [InlineData("nul \0 char")]
    [InlineData("control \u0001 char")]
    [InlineData("not a character \uFFFE")]
    public void Characters_that_XML_cannot_carry_are_refused_before_anything_is_written(string body)
    {
        var message = new XElement(XmppNamespaces.Client + "message", new XElement(XmppNamespaces.Client + "body", body));

        Assert.ThrowsAny<ArgumentException>(() => XmppXml.Serialize(message));
    }

    [Fact]
    public void A_lone_surrogate_is_refused_instead_of_being_sent_as_a_replacement_character()
    {
        // Built here rather than as InlineData: theory data serialisation would already replace it.
        var body = "lone surrogate " + (char)0xD800 + " here";
        var message = new XElement(XmppNamespaces.Client + "message", new XElement(XmppNamespaces.Client + "body", body));

        Assert.ThrowsAny<ArgumentException>(() => XmppXml.Serialize(message));
    }

    [Fact]
    public void Stream_header_attribute_values_are_escaped()
    {
        Assert.Equal("a&apos;b&quot;c&lt;d&gt;e&amp;f", XmppXml.EscapeAttribute("a'b\"c<d>e&f"));

        // The header is written as text with to='...': a hostile domain must stay one attribute value.
        var header = $"<stream to='{XmppXml.EscapeAttribute("x' evil='1'/><iq")}'/>";
        var parsed = XElement.Parse(header);
        Assert.Equal("x' evil='1'/><iq", parsed.Attribute("to")?.Value);
        Assert.Single(parsed.Attributes());
    }

    [Fact]
    public async Task Server_stream_header_attributes_are_read()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(ServerHeader));
        using var reader = new XmppStreamReader(input);

        var header = await reader.ReadStreamHeaderAsync();

        Assert.Equal(XmppNamespaces.Streams + "stream", header.Name);
        Assert.Equal("s1", header.Attribute("id")?.Value);
        Assert.Equal("chat.dev.localhost", header.Attribute("from")?.Value);
    }

    [Fact]
    public async Task Incoming_stanzas_keep_jabber_client_and_extension_namespaces()
    {
        var stanza = await ParseFromStreamAsync(
            "<message from='bob@chat.dev.localhost/desk' type='chat'><body>hi</body>"
            + "<x:delay xmlns:x='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/><active xmlns='http://jabber.org/protocol/chatstates'/></message>");

        Assert.Equal(XmppNamespaces.Client + "message", stanza.Name);
        Assert.Equal("hi", stanza.Element(XmppNamespaces.Client + "body")?.Value);
        Assert.NotNull(stanza.Element(XName.Get("delay", "urn:xmpp:delay")));
        Assert.NotNull(stanza.Element(XName.Get("active", "http://jabber.org/protocol/chatstates")));
    }

    [Fact]
    public async Task Whitespace_keepalives_between_stanzas_are_skipped_and_the_stream_end_reads_as_null()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(ServerHeader + "\n  <presence/>\n \n<iq type='get' id='1'/> </stream:stream>"));
        using var reader = new XmppStreamReader(input);
        await reader.ReadStreamHeaderAsync();

        Assert.Equal(XmppNamespaces.Client + "presence", (await reader.ReadElementAsync())?.Name);
        Assert.Equal(XmppNamespaces.Client + "iq", (await reader.ReadElementAsync())?.Name);
        Assert.Null(await reader.ReadElementAsync());
    }

    [Fact]
    public async Task A_stanza_is_returned_as_soon_as_its_end_tag_arrives_without_waiting_for_the_next_one()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var pair = await LoopbackPair.CreateAsync(cancellation);
        using var reader = new XmppStreamReader(pair.Client);
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
        using var reader = new XmppStreamReader(pair.Client);
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
    public async Task A_document_type_declaration_in_the_stream_is_rejected()
    {
        var stream = "<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY boom 'x'>]>" + ServerHeader[21..];
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stream));
        using var reader = new XmppStreamReader(input);

        await Assert.ThrowsAsync<XmlException>(reader.ReadStreamHeaderAsync);
    }

    [Fact]
    public void WebSocket_frame_is_parsed_as_one_element_in_its_declared_namespace()
    {
        var frame = XmppXml.ParseElement("<message xmlns='jabber:client' from='a@b'><body>hi &amp; bye</body></message>");

        Assert.Equal(XmppNamespaces.Client + "message", frame.Name);
        Assert.Equal("hi & bye", frame.GetBody());
    }

    [Fact]
    public void WebSocket_stream_error_without_a_declared_stream_prefix_still_parses_as_Prosody_13_sends_it()
    {
        var frame = XmppXml.ParseElement(
            "<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
            + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>No stream features to proceed with</text></stream:error>");

        var error = new XmppStreamException(frame);
        Assert.Equal("undefined-condition", error.Condition);
        Assert.Equal("No stream features to proceed with", error.Text);
    }

    [Theory]
    [InlineData("<a/><b/>")]
    [InlineData("")]
    [InlineData("<a>")]
    public void WebSocket_frame_that_is_not_exactly_one_element_is_rejected(string frame)
    {
        Assert.Throws<XmlException>(() => XmppXml.ParseElement(frame));
    }

    [Fact]
    public void Unnamespaced_outgoing_stanzas_are_put_into_jabber_client_but_extensions_are_left_alone()
    {
        var stanza = XmppXml.WithClientNamespace(
            new XElement("message", new XElement("body", "x"), new XElement(XmppNamespaces.Ping + "ping")));

        Assert.Equal(XmppNamespaces.Client + "message", stanza.Name);
        Assert.NotNull(stanza.Element(XmppNamespaces.Client + "body"));
        Assert.NotNull(stanza.Element(XmppNamespaces.Ping + "ping"));
    }

    [Fact]
    public void Log_text_redacts_sasl_payloads_and_password_elements()
    {
        var auth = new XElement(XmppNamespaces.Sasl + "auth", new XAttribute("mechanism", "PLAIN"), "AGFsaWNlAHNlY3JldA==");
        var register = new XElement(XmppNamespaces.Client + "iq",
            new XElement(XName.Get("query", "jabber:iq:register"), new XElement(XName.Get("password", "jabber:iq:register"), "secret")));
        var failure = new XElement(XmppNamespaces.Sasl + "failure",
            new XElement(XmppNamespaces.Sasl + "not-authorized"), new XElement(XmppNamespaces.Sasl + "text", "Wrong password"));

        Assert.DoesNotContain("AGFsaWNlAHNlY3JldA==", XmppXml.ForLog(auth), StringComparison.Ordinal);
        Assert.Contains("[redacted]", XmppXml.ForLog(auth), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", XmppXml.ForLog(register), StringComparison.Ordinal);
        Assert.Contains("<not-authorized /><text>Wrong password</text>", XmppXml.ForLog(failure), StringComparison.Ordinal);
        Assert.Equal("AGFsaWNlAHNlY3JldA==", auth.Value); // the original is untouched
    }

    private static async Task<XElement> ParseFromStreamAsync(string stanzaXml)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(ServerHeader + stanzaXml));
        using var reader = new XmppStreamReader(input);
        await reader.ReadStreamHeaderAsync();
        return await reader.ReadElementAsync() ?? throw new InvalidOperationException("no element");
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
            using var listener = new TcpListener(IPAddress.Loopback, 0);
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
