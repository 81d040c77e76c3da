using System.Net.Sockets;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>What apps that reference the server receive.</summary>
public class ProsodyConnectionTests
{
    private static IResourceBuilder<ProsodyResource> AddAllocatedProsody(IDistributedApplicationBuilder builder) =>
        builder.AddProsody("chat").WithAllocatedEndpoint("c2s", 15222, 5222).WithAllocatedEndpoint("http", 15280, 5280).WithAllocatedEndpoint("https", 15281, 5281);

    [Fact]
    public async Task TheConnectionStringNamesHostPortAndDomain()
    {
        var builder = TestModel.CreateBuilder();
        var chat = AddAllocatedProsody(builder);

        Assert.Equal("Host={chat.bindings.c2s.host};Port={chat.bindings.c2s.port};Domain=chat.dev.localhost", chat.Resource.ConnectionStringExpression.ValueExpression);
        Assert.Equal("Host=localhost;Port=15222;Domain=chat.dev.localhost", await ((IResourceWithConnectionString)chat.Resource).GetConnectionStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void TheConnectionPropertiesAreHostPortDomainWebSocketUriAndMetricsUri()
    {
        var builder = TestModel.CreateBuilder();
        var chat = AddAllocatedProsody(builder);

        var properties = ((IResourceWithConnectionString)chat.Resource).GetConnectionProperties().ToArray();

        Assert.Collection(properties,
            p => { Assert.Equal("Host", p.Key); Assert.Equal("{chat.bindings.c2s.host}", p.Value.ValueExpression); },
            p => { Assert.Equal("Port", p.Key); Assert.Equal("{chat.bindings.c2s.port}", p.Value.ValueExpression); },
            p => { Assert.Equal("Domain", p.Key); Assert.Equal("chat.dev.localhost", p.Value.ValueExpression); },
            p => { Assert.Equal("WebSocketUri", p.Key); Assert.Equal("ws://{chat.bindings.http.host}:{chat.bindings.http.port}/xmpp-websocket", p.Value.ValueExpression); },
            p => { Assert.Equal("SecureWebSocketUri", p.Key); Assert.Equal("wss://chat.dev.localhost:{chat.bindings.https.port}/xmpp-websocket", p.Value.ValueExpression); },
            p => { Assert.Equal("MetricsUri", p.Key); Assert.Equal("http://{chat.bindings.http.host}:{chat.bindings.http.port}/metrics", p.Value.ValueExpression); });
    }

    [Fact]
    public void WithoutTheWebsocketThereIsNoWebSocketUriProperty()
    {
        var builder = TestModel.CreateBuilder();
        var chat = AddAllocatedProsody(builder).WithWebSocket(false);

        Assert.DoesNotContain(((IResourceWithConnectionString)chat.Resource).GetConnectionProperties(), p => p.Key is "WebSocketUri" or "SecureWebSocketUri");
    }

    [Fact]
    public void ADeploymentWithALiteralPublicUrlOffersItsWebsocketAndOneWithAParameterOffersNoGuess()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var literal = builder.AddProsody("chat").WithPublicUrl(new Uri("https://chat.example.com/xmpp"));
        var parameter = builder.AddProsody("chat2").WithPublicUrl(builder.AddParameter("chat2-public-url"));
        var plain = builder.AddProsody("chat3");

        Assert.Equal("wss://chat.example.com/xmpp/xmpp-websocket", literal.Resource.GetConnectionProperty("SecureWebSocketUri").ValueExpression);
        Assert.DoesNotContain(((IResourceWithConnectionString)parameter.Resource).GetConnectionProperties(), p => p.Key == "SecureWebSocketUri");
        Assert.Equal("wss://chat3.dev.localhost:{chat3.bindings.https.port}/xmpp-websocket", plain.Resource.GetConnectionProperty("SecureWebSocketUri").ValueExpression);
    }

    [Fact]
    public async Task AContainerThatReferencesTheServerReachesItOnTheContainerNetwork()
    {
        var builder = TestModel.CreateBuilder();
        var chat = AddAllocatedProsody(builder);
        var bot = builder.AddContainer("bot", "bot-image").WithReference(chat);
        var environment = await builder.BuildAndReadEnvironmentAsync(bot.Resource);

        Assert.Equal("Host=chat.dev.internal;Port=5222;Domain=chat.dev.localhost", environment["ConnectionStrings__chat"]);
        Assert.Equal("chat.dev.internal", environment["CHAT_HOST"]);
        Assert.Equal("5222", environment["CHAT_PORT"]);
        Assert.Equal("chat.dev.localhost", environment["CHAT_DOMAIN"]);
        Assert.Equal("ws://chat.dev.internal:5280/xmpp-websocket", environment["CHAT_WEBSOCKETURI"]);
        // The TLS name is the domain (Prosody refuses names it does not host); the port is the container's.
        Assert.Equal("wss://chat.dev.localhost:5281/xmpp-websocket", environment["CHAT_SECUREWEBSOCKETURI"]);
    }

    [Fact]
    public async Task AHostProcessThatReferencesTheServerReachesItOnLocalhost()
    {
        var builder = TestModel.CreateBuilder();
        var chat = AddAllocatedProsody(builder);
        var bot = builder.AddExecutable("bot", "bot", ".").WithReference(chat);
        var environment = await builder.BuildAndReadEnvironmentAsync(bot.Resource);

        Assert.Equal("Host=localhost;Port=15222;Domain=chat.dev.localhost", environment["ConnectionStrings__chat"]);
        Assert.Equal("ws://localhost:15280/xmpp-websocket", environment["CHAT_WEBSOCKETURI"]);
        // wss:// on the published https port, named by the domain: what works from this machine.
        Assert.Equal("wss://chat.dev.localhost:15281/xmpp-websocket", environment["CHAT_SECUREWEBSOCKETURI"]);
    }
}
