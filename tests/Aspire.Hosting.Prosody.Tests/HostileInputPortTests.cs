namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// Host-port clashes: two endpoints of the app model on one fixed host port and protocol are refused when the app
/// starts (the only moment the whole model is known), naming both, instead of failing with "address already in use".
/// </summary>
public class HostileInputPortTests
{
    private static async Task<InvalidOperationException?> ClashAsync(IDistributedApplicationBuilder builder)
    {
        using var app = builder.Build();
        return await Record.ExceptionAsync(app.CompleteAtStartAsync) as InvalidOperationException;
    }

    /// <summary>The refusal a model that <paramref name="arrange"/> builds with a clash must fail its start with.</summary>
    private static async Task<InvalidOperationException> RefusalAsync(Action<IDistributedApplicationBuilder> arrange)
    {
        var builder = TestModel.CreateBuilder();
        arrange(builder);
        var error = await ClashAsync(builder);
        Assert.NotNull(error);
        return error;
    }

    [Fact]
    public async Task ResourcesWithoutFixedPortsDoNotClash()
    {
        var builder = TestModel.CreateBuilder();
        builder.AddProsody("chat").WithFederation().WithTurnServer();
        builder.AddProsody("peer").WithFederation();

        Assert.Null(await ClashAsync(builder));
    }

    [Fact]
    public async Task TwoProsodyResourcesOnOneClientPortAreRefusedNamingBoth()
    {
        var error = await RefusalAsync(builder =>
        {
            builder.AddProsody("chat", port: 15222);
            builder.AddProsody("peer", port: 15222);
        });

        Assert.Contains("host port 15222/tcp", error.Message);
        Assert.Contains("'chat' endpoint 'c2s'", error.Message);
        Assert.Contains("'peer' endpoint 'c2s'", error.Message);
        Assert.Contains("let Aspire choose", error.Message);
    }

    [Fact]
    public async Task AClashAmongOneResourcesEndpointsSetThroughWithEndpointIsRefused()
    {
        var error = await RefusalAsync(builder => builder.AddProsody("chat", port: 15222).WithEndpoint("http", e => e.Port = 15222));

        Assert.Contains("'chat' endpoint 'c2s' and by 'chat' endpoint 'http'", error.Message);
    }

    [Fact]
    public async Task TurnOnTheClientPortIsRefused()
    {
        var error = await RefusalAsync(builder => builder.AddProsody("chat", port: 15222).WithTurnServer(port: 15222));

        Assert.Contains("'chat' endpoint 'c2s'", error.Message);
        Assert.Contains("'chat-turn' endpoint", error.Message);
    }

    [Fact]
    public async Task FederationOnAPortAnotherContainerHoldsIsRefused()
    {
        var error = await RefusalAsync(builder =>
        {
            builder.AddProsody("chat").WithFederation(port: 15269);
            builder.AddContainer("other", "example/other").WithEndpoint(port: 15269, targetPort: 80, name: "web");
        });

        Assert.Contains("'chat' endpoint 's2s' and by 'other' endpoint 'web'", error.Message);
    }

    [Fact]
    public async Task TheSamePortNumberOverTcpAndUdpIsNoClash()
    {
        // coturn listens on its port over both, as every TURN server does.
        var builder = TestModel.CreateBuilder();
        builder.AddProsody("chat", port: 15222).WithTurnServer(port: 13478);

        Assert.Null(await ClashAsync(builder));
    }
}
