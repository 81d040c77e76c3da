using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.Prosody.Tests;

public class AddProsodyTests
{
    [Fact]
    public void AddProsodyUsesTheOfficialImageAtTag13()
    {
        using var app = TestModel.BuildWithChat();

        var image = Assert.Single(app.Single().Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal("docker.io", image.Registry);
        Assert.Equal("prosodyim/prosody", image.Image);
        Assert.Equal("13.0", image.Tag);
        Assert.Equal(ProsodyContainerImageTags.Tag, image.Tag);
    }

    [Theory]
    [InlineData(DistributedApplicationOperation.Run)]
    [InlineData(DistributedApplicationOperation.Publish)]
    public void HttpsEndpointExistsInBothModes(DistributedApplicationOperation operation)
    {
        var chat = TestModel.CreateBuilder(operation).AddProsody("chat");

        Assert.True(chat.Resource.HttpsEndpoint.Exists);
        Assert.Equal("https", chat.Resource.HttpsEndpoint.EndpointName);
    }

    [Fact]
    public void ComponentEndpointExistsOnlyOnceAnExternalComponentIsAdded()
    {
        var chat = TestModel.CreateBuilder().AddProsody("chat");
        Assert.False(chat.Resource.ComponentEndpoint.Exists);

        chat.AddExternalComponent("bridge");

        Assert.True(chat.Resource.ComponentEndpoint.Exists);
    }

    [Fact]
    public void AddProsodyExposesClientHttpAndHttpsEndpointsButNotServerToServer()
    {
        using var app = TestModel.BuildWithChat();

        var endpoints = app.Single().Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal(["c2s", "http", "https"], endpoints.Keys.Order());

        var c2s = endpoints["c2s"];
        Assert.Equal(5222, c2s.TargetPort);
        Assert.Null(c2s.Port);
        Assert.Equal("tcp", c2s.UriScheme);
        Assert.Equal(ProtocolType.Tcp, c2s.Protocol);
        Assert.False(c2s.IsExternal);

        var http = endpoints["http"];
        Assert.Equal(5280, http.TargetPort);
        Assert.Equal("http", http.UriScheme);

        // Run mode: Prosody's HTTPS port, with the developer certificate when the AppHost has a trusted one.
        var https = endpoints["https"];
        Assert.Equal(5281, https.TargetPort);
        Assert.Equal("https", https.UriScheme);
    }

    [Fact]
    public async Task AtStartEveryProsodyEndpointIsPublishedByTheContainerRuntimeNotByTheOrchestratorsProxyOnAPortAspireChooses()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithFederation();
        chat.AddExternalComponent("bot");
        using var app = builder.Build();
        await app.CompleteAtStartAsync();

        var endpoints = app.Single().Annotations.OfType<EndpointAnnotation>().ToList();
        Assert.Equal(["c2s", "component", "http", "https", "s2s"], endpoints.Select(e => e.Name).Order());
        Assert.All(endpoints, e => Assert.False(e.IsExplicitlyProxied, $"{e.Name} is proxied"));
        // Not the container port: two Prosody resources would collide on it.
        Assert.All(endpoints, e => Assert.Null(e.Port));
    }

    [Fact]
    public async Task AGivenPortStaysTheHostPortWithoutTheProxy()
    {
        var builder = TestModel.CreateBuilder();
        builder.AddProsody("chat", port: 15222);
        using var app = builder.Build();
        await app.CompleteAtStartAsync();

        var c2s = Assert.Single(app.Single().Annotations.OfType<EndpointAnnotation>(), e => e.Name == "c2s");
        Assert.Equal((15222, false), (c2s.Port, c2s.IsProxied));
    }

    [Fact]
    public async Task AnEndpointTheAppModelPutsBehindTheProxyStaysThere()
    {
        using var app = TestModel.BuildWithChat(chat => chat.WithEndpoint("c2s", e => e.IsProxied = true));
        await app.CompleteAtStartAsync();

        var endpoints = app.Single().Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.True(endpoints["c2s"].IsExplicitlyProxied);
        Assert.False(endpoints["http"].IsExplicitlyProxied);
    }

    [Fact]
    public async Task APersistentContainersEndpointsAreLeftToAspireWhichKeepsTheirPortsAcrossRuns()
    {
        using var app = TestModel.BuildWithChat(chat => chat.WithLifetime(ContainerLifetime.Persistent));
        await app.CompleteAtStartAsync();

        Assert.All(app.Single().Annotations.OfType<EndpointAnnotation>(), e => Assert.Null(e.IsExplicitlyProxied));
    }

    [Fact]
    public void AddProsodyUsesTheGivenHostPortForTheClientEndpoint()
    {
        var builder = TestModel.CreateBuilder();
        builder.AddProsody("chat", port: 15222);
        using var app = builder.Build();

        Assert.Equal(15222, Assert.Single(app.Single().Annotations.OfType<EndpointAnnotation>(), e => e.Name == "c2s").Port);
    }

    [Fact]
    public void WithFederationAddsTheServerToServerEndpoint()
    {
        using var app = TestModel.BuildWithChat(chat => chat.WithFederation(port: 15269));

        var s2s = Assert.Single(app.Single().Annotations.OfType<EndpointAnnotation>(), e => e.Name == "s2s");
        Assert.Equal(5269, s2s.TargetPort);
        Assert.Equal(15269, s2s.Port);
    }

    [Fact]
    public void TheDefaultDomainIsTheResourceNameUnderLocalhost()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("Chat-1");

        Assert.Equal("chat-1.dev.localhost", chat.Resource.Domain);
    }

    [Fact]
    public void WithDomainReplacesTheDomain()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithDomain("xmpp.example.com");

        Assert.Equal("xmpp.example.com", chat.Resource.Domain);
    }

    [Fact]
    public void AddProsodyGeneratesAnAdminPasswordKeptInUserSecretsInRunMode()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");

        Assert.Equal("admin", chat.Resource.AdminUserName);
        Assert.Equal("chat-password", chat.Resource.AdminPasswordParameter.Name);
        Assert.True(chat.Resource.AdminPasswordParameter.Secret);
        Assert.Equal("Aspire.Hosting.ApplicationModel.UserSecretsParameterDefault", chat.Resource.AdminPasswordParameter.Default?.GetType().FullName);
    }

    [Fact]
    public void AddProsodyGeneratesAnAdminPasswordOutsideUserSecretsInPublishMode()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat");

        Assert.True(chat.Resource.AdminPasswordParameter.Secret);
        Assert.NotEqual("Aspire.Hosting.ApplicationModel.UserSecretsParameterDefault", chat.Resource.AdminPasswordParameter.Default?.GetType().FullName);
    }

    [Fact]
    public void AddProsodyUsesTheGivenAdminPassword()
    {
        var builder = TestModel.CreateBuilder();
        var password = builder.AddParameter("admin-secret", "s3cret", secret: true);
        var chat = builder.AddProsody("chat", adminPassword: password);

        Assert.Same(password.Resource, chat.Resource.AdminPasswordParameter);
    }

    [Fact]
    public void AddProsodyRegistersTheXmppHealthCheck()
    {
        using var app = TestModel.BuildWithChat();

        var annotation = Assert.Single(app.Single().Annotations.OfType<HealthCheckAnnotation>());
        Assert.Equal("chat_check", annotation.Key);
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value;
        Assert.Contains(options.Registrations, r => r.Name == "chat_check");
    }

    [Fact]
    public async Task TheHealthCheckIsUnhealthyWhileTheEndpointHasNoAddress()
    {
        using var app = TestModel.BuildWithChat();

        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value;
        var check = Assert.Single(options.Registrations, r => r.Name == "chat_check").Factory(app.Services);
        var result = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("no address", result.Description);
    }

    [Fact]
    public async Task TheHealthCheckSaysWhyWhenNothingSpeaksXmppOnThePort()
    {
        // A listener that accepts and closes, like the orchestrator's proxy before the container is up.
        using var listener = new TcpListener(TestLoopback.Address, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                socket.Close();
            }
        }, TestContext.Current.CancellationToken);

        var builder = TestModel.CreateBuilder();
        builder.AddProsody("chat")
            .WithEndpoint("c2s", e => e.AllocatedEndpoint = new AllocatedEndpoint(e, TestLoopback.Host, port))
            .WithEndpoint("http", e => e.AllocatedEndpoint = new AllocatedEndpoint(e, TestLoopback.Host, port));
        using var app = builder.Build();

        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value;
        var check = Assert.Single(options.Registrations, r => r.Name == "chat_check").Factory(app.Services);
        var result = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("The server closed the connection before sending stream features.", result.Description);
    }

    [Fact]
    public void AddProsodyShowsAChatIconInTheDashboard()
    {
        using var app = TestModel.BuildWithChat();

        Assert.Equal("Chat", Assert.Single(app.Single().Annotations.OfType<ResourceIconAnnotation>()).IconName);
    }
}
