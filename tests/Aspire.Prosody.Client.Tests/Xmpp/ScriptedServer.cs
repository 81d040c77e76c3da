using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Prosody.Client.Xmpp.Xml;

namespace Aspire.Prosody.Client.Tests.Xmpp;

/// <summary>
/// An XMPP server on loopback driven by a script, one call per accepted connection. TLS uses a throwaway self-signed
/// certificate that the client trusts through <see cref="XmppClientOptions.TrustedCertificates"/>.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    public const string Domain = "chat.test";

    private readonly TcpListener _listener = new(TestLoopback.Address, 0);
    private readonly Func<ServerPeer, int, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accept;

    public ScriptedServer(Func<ServerPeer, int, Task> script, string certificateName = Domain)
    {
        _script = script;
        Certificate = CreateCertificate(certificateName);
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>How many connections were accepted.</summary>
    public int Connections { get; private set; }

    /// <summary>Exceptions the script threw (a client hanging up early is not one).</summary>
    public List<Exception> Failures { get; } = [];

    public XmppClientOptions Options(Action<XmppClientOptions>? configure = null)
    {
        var options = new XmppClientOptions
        {
            Host = TestLoopback.Host,
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port,
            Domain = Domain,
            Username = "alice",
            Password = "secret",
            ConnectTimeout = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(5),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
        };
        options.TrustedCertificates.Add(X509CertificateLoader.LoadCertificate(Certificate.RawData));
        configure?.Invoke(options);
        return options;
    }

    public static X509Certificate2 CreateCertificate(string name)
    {
        using var certificate = Aspire.Hosting.Prosody.Testing.CertificateFactory.SelfSigned(name, [name], DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1)).Certificate;
        // Round trip through PFX so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var index = Connections++;
            lock (_connections)
            {
                _connections.Add(RunAsync(client, index));
            }
        }
    }

    private async Task RunAsync(TcpClient client, int index)
    {
        using (client)
        {
            var peer = new ServerPeer(client.GetStream(), Certificate);
            try
            {
                await _script(peer, index);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or XmppException or System.Security.Authentication.AuthenticationException)
            {
                // The client hung up; tests that care assert on the client side.
            }
            catch (Exception e)
            {
                lock (Failures)
                {
                    Failures.Add(e);
                }
            }
            finally
            {
                await peer.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        Task[] running;
        lock (_connections)
        {
            running = [.. _connections];
        }

        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Certificate.Dispose();
    }
}

/// <summary>The server's side of one connection.</summary>
internal sealed class ServerPeer(Stream network, X509Certificate2 certificate) : IAsyncDisposable
{
    public const string Header =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='chat.test' version='1.0'>";

    private Stream _stream = network;
    private XmppStreamReader? _reader;

    /// <summary>Every element the client sent, in order.</summary>
    public List<XElement> Received { get; } = [];

    /// <summary>Reads the client's header and answers with a header and <paramref name="features"/>.</summary>
    public async Task<XElement> OpenAsync(string features)
    {
        _reader = new XmppStreamReader(_stream, 10 * 1024 * 1024);
        var header = await _reader.ReadStreamHeaderAsync();
        await WriteAsync(Header + features);
        return header;
    }

    public async Task<XElement> ReadAsync()
    {
        var element = await _reader!.ReadElementAsync() ?? throw new IOException("The client closed the stream.");
        Received.Add(element);
        return element;
    }

    /// <summary>Reads until an element named <paramref name="localName"/> arrives; answers pings and acks on the way.</summary>
    public async Task<XElement> ReadUntilAsync(string localName)
    {
        while (true)
        {
            var element = await ReadAsync();
            if (element.Name.LocalName == localName)
            {
                return element;
            }
        }
    }

    public async Task WriteAsync(string xml)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(xml));
        await _stream.FlushAsync();
    }

    /// <summary>STARTTLS, then PLAIN sign-in; returns the features of the authenticated stream to offer next.</summary>
    public async Task StartTlsAndAuthenticateAsync(string mechanisms = "<mechanism>PLAIN</mechanism>", bool acceptPassword = true)
    {
        await OpenAsync("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
        await ReadUntilAsync("starttls");
        await WriteAsync("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        var tls = new SslStream(_stream);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
        _stream = tls;
        await OpenAsync($"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{mechanisms}</mechanisms></stream:features>");
        var auth = await ReadUntilAsync("auth");
        if (!acceptPassword)
        {
            await WriteAsync("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
            return;
        }

        Assert.Equal("PLAIN", (string?)auth.Attribute("mechanism"));
        await WriteAsync("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    }

    /// <summary>Full sign-in: TLS, PLAIN, bind; with <paramref name="streamManagement"/> SM is offered and enabled.</summary>
    public async Task SignInAsync(bool streamManagement = true, string resumeAnswer = "")
    {
        await StartTlsAndAuthenticateAsync();
        await OpenAsync("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
            + (streamManagement ? "<sm xmlns='urn:xmpp:sm:3'/>" : "") + "</stream:features>");
        var first = await ReadAsync();
        if (first.Name.LocalName == "resume")
        {
            await WriteAsync(resumeAnswer);
            if (resumeAnswer.Contains("<resumed", StringComparison.Ordinal))
            {
                return;
            }

            first = await ReadAsync();
        }

        Assert.Equal("iq", first.Name.LocalName);
        await WriteAsync($"<iq type='result' id='{(string?)first.Attribute("id")}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@chat.test/r1</jid></bind></iq>");
        if (streamManagement)
        {
            await ReadUntilAsync("enable");
            await WriteAsync("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }
}
