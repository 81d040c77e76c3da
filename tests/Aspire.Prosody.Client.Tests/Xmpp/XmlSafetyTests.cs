using System.Xml;
using Aspire.Prosody.Client.Xmpp.Xml;

namespace Aspire.Prosody.Client.Tests.Xmpp;

public sealed class XmlSafetyTests
{
    private const string StreamHeader =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

    [Theory]
    [InlineData("</body></message><iq type='set'><query/></iq><message><body>")]
    [InlineData("<![CDATA[x]]>&amp;&lt;\"'")]
    [InlineData("]]>")]
    public async Task MarkupInABodyIsEscapedAndReadsBackAsTheSameText(string body)
    {
        var message = new XElement(XmppNamespaces.Client + "message", new XAttribute("to", "bob@chat.test' evil='1"),
            new XElement(XmppNamespaces.Client + "body", body));

        var wire = Encoding.UTF8.GetString(XmppXml.Serialize(message));
        var parsed = await ReadOne(StreamHeader + wire);

        Assert.Single(parsed.Elements());
        Assert.Equal(body, parsed.Element(XmppNamespaces.Client + "body")!.Value);
        Assert.Equal("bob@chat.test' evil='1", (string?)parsed.Attribute("to"));
        Assert.Null(parsed.Attribute("evil"));
    }

    [Theory]
    [InlineData(0x0000)] // NUL
    [InlineData(0x001b)] // escape
    [InlineData(0xd800)] // lone surrogate (built here: attributes cannot hold one)
    [InlineData(0xffff)] // non-character
    public void CharactersXmlCannotCarryAreRefusedBeforeSending(int code)
    {
        var body = "text " + (char)code;
        var message = new XElement(XmppNamespaces.Client + "message", new XElement(XmppNamespaces.Client + "body", body));

        Assert.ThrowsAny<ArgumentException>(() => XmppXml.Serialize(message));
    }

    [Fact]
    public async Task ASendWithAnUnsendableBodyThrowsArgumentExceptionAndNothingIsSent()
    {
        await using var client = new XmppClient(new XmppClientOptions { Host = "127.0.0.1", Domain = "chat.test", Username = "a", Password = "p" });

        // Not connected: had the body been accepted, the error would be InvalidOperationException instead.
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.SendMessageAsync(Jid.Parse("bob@chat.test"), "bad \u0001", cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendMessageAsync(Jid.Parse("bob@chat.test"), "fine", cancellationToken: TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("bob'@chat.test")]
    [InlineData("bo<b@chat.test")]
    [InlineData("bob\"@chat.test")]
    [InlineData("bob&x@chat.test")]
    [InlineData("b ob@chat.test")]
    [InlineData("bob@chat.test>")]
    [InlineData("bob@chat'.test")]
    [InlineData("bob@chat.test/res\u0000")]
    [InlineData("@chat.test")]
    [InlineData("")]
    public void JidsWithMarkupOrForbiddenCharactersAreRefused(string text)
    {
        Assert.False(Jid.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Jid.Parse(text));
    }

    [Fact]
    public void AResourceMayContainSeparatorsAndTheDomainIsLowerCased()
    {
        var jid = Jid.Parse("Alice@Chat.Test./phone/@home");

        Assert.Equal("Alice", jid.Local);
        Assert.Equal("chat.test", jid.Domain);
        Assert.Equal("phone/@home", jid.Resource);
        Assert.Equal(Jid.Parse("Alice@chat.test"), jid.Bare);
        Assert.Throws<ArgumentException>(() => Jid.Create(new string('a', 1024), "chat.test"));
    }

    [Fact]
    public async Task RoomNamesAndNicknamesThatWouldInjectAreRefusedBeforeAnythingIsSent()
    {
        await using var client = new XmppClient(new XmppClientOptions { Host = "127.0.0.1", Domain = "chat.test", Username = "a", Password = "p" });

        await Assert.ThrowsAsync<ArgumentException>(() => client.JoinRoomAsync(Jid.Parse("lobby@conference.chat.test"), "nick\u0007", TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => client.JoinRoomAsync(Jid.Parse("conference.chat.test"), "nick", TestContext.Current.CancellationToken));
        Assert.False(Jid.TryParse("lob'by@conference.chat.test", out _));
    }

    [Theory]
    [InlineData("<!DOCTYPE x [<!ENTITY big 'boom'>]>")]
    [InlineData("<message><body>&big;</body></message>")]
    public async Task DtdsAndEntitiesAreRefused(string hostile)
    {
        var text = hostile.StartsWith("<!DOCTYPE", StringComparison.Ordinal)
            ? "<?xml version='1.0'?>" + hostile + StreamHeader[21..]
            : StreamHeader + hostile;
        await Assert.ThrowsAnyAsync<XmlException>(async () =>
        {
            var reader = new XmppStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), 1024 * 1024);
            await reader.ReadStreamHeaderAsync();
            await reader.ReadElementAsync();
        });
    }

    [Fact]
    public async Task AnEndlessStanzaFailsOnceTheLimitIsReadAndMemoryStaysBounded()
    {
        const int limit = 64 * 1024;
        var endless = new EndlessStream(Encoding.UTF8.GetBytes(StreamHeader + "<message><body>"), (byte)'a');
        var reader = new XmppStreamReader(endless, limit);
        await reader.ReadStreamHeaderAsync();

        var e = await Assert.ThrowsAsync<XmppStreamException>(() => reader.ReadElementAsync());

        Assert.Equal("policy-violation", e.Condition);
        Assert.Contains("MaxStanzaBytes", e.Message);
        Assert.InRange(endless.BytesRead, limit, limit + StanzaLimitStream.Slack + (2 * StanzaLimitStream.ChunkSize));
    }

    [Fact]
    public async Task StanzasUpToTheLimitPassOneAfterAnother()
    {
        const int limit = 16 * 1024;
        var body = new string('x', limit - 100);
        var text = StreamHeader + string.Concat(Enumerable.Repeat($"<message><body>{body}</body></message>", 20));
        var reader = new XmppStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), limit);
        await reader.ReadStreamHeaderAsync();

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(body, (await reader.ReadElementAsync())!.Value);
        }
    }

    [Fact]
    public async Task DeeplyNestedStanzasAreRefused()
    {
        var text = StreamHeader + "<message>" + string.Concat(Enumerable.Repeat("<x>", 100));
        var reader = new XmppStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), 1024 * 1024);
        await reader.ReadStreamHeaderAsync();

        var e = await Assert.ThrowsAsync<XmppStreamException>(() => reader.ReadElementAsync());
        Assert.Equal("policy-violation", e.Condition);
    }

    private static async Task<XElement> ReadOne(string text)
    {
        var reader = new XmppStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), 1024 * 1024);
        await reader.ReadStreamHeaderAsync();
        return (await reader.ReadElementAsync())!;
    }

    /// <summary>A prefix, then the same byte for ever.</summary>
    private sealed class EndlessStream(byte[] prefix, byte filler) : Stream
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++)
            {
                buffer[offset + i] = BytesRead + i < prefix.Length ? prefix[BytesRead + i] : filler;
            }

            BytesRead += count;
            return count;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
