using System.Net;
using System.Net.Sockets;
using Aspire.Prosody.Client.Xmpp.Xml;

namespace XmppTestClient.Tests;

/// <summary>One-connection XMPP server on loopback driven by a script.</summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private readonly TcpListener _listener;

    private FakeServer(TcpListener listener, Func<Peer, Task> script)
    {
        _listener = listener;
        Completion = RunAsync(script);
    }

    public Task Completion { get; }

    public XmppClientOptions Options => new()
    {
        Host = TestLoopback.Host,
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port,
        Domain = "example.test",
        StartTls = StartTlsPolicy.Never,
    };

    public static FakeServer Start(Func<Peer, Task> script)
    {
        var listener = new TcpListener(TestLoopback.Address, 0);
        listener.Start();
        return new FakeServer(listener, script);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await Completion.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client hung up early, which some tests intend.
        }
    }

    private async Task RunAsync(Func<Peer, Task> script)
    {
        using var connection = await _listener.AcceptTcpClientAsync();
        await script(new Peer(connection.GetStream()));
    }
}

/// <summary>The server's side of the conversation.</summary>
internal sealed class Peer(Stream stream)
{
    private XmppStreamReader? _reader;

    /// <summary>Stream features that offer SASL PLAIN only.</summary>
    public const string PlainOnly =
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>";

    /// <summary>A client stream's header, as a server sends it.</summary>
    public const string ClientHeader =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='x' from='example.test' version='1.0'>";

    /// <summary>
    /// Reads the client's stream header and answers with <paramref name="header"/> (a client stream's by default) plus
    /// <paramref name="afterHeader"/>; returns the client's header.
    /// </summary>
    public async Task<XElement> OpenAsync(string afterHeader, string header = ClientHeader)
    {
        _reader = new XmppStreamReader(stream, maxStanzaBytes: 64 * 1024);
        var clientHeader = await _reader.ReadStreamHeaderAsync();
        await WriteAsync(header + afterHeader);
        return clientHeader;
    }

    public Task<XElement?> ReadAsync() => _reader!.ReadElementAsync();

    /// <summary>Says nothing, until the client gives up and closes the connection.</summary>
    public Task ReadUntilClientHangsUpAsync() => stream.CopyToAsync(Stream.Null);

    public async Task WriteAsync(string xml)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(xml));
        await stream.FlushAsync();
    }
}
