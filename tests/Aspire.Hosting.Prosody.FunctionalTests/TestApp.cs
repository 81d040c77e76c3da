namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Creates app models that run for real under the Aspire orchestrator, with their logs in the test output. The test
/// states the container runtime and images it needs with <see cref="RequiresContainersAttribute"/>.
/// </summary>
internal static class TestApp
{
    public static IDistributedApplicationTestingBuilder CreateBuilder()
    {
        var builder = DistributedApplicationTestingBuilder.Create([], (options, _) =>
        {
            options.DisableDashboard = true;
            options.EnableResourceLogging = true;
        });
        builder.Services.AddTestOutputLogging();
        // However the test starts the app, its clients learn which certificate each Prosody resource presents.
        builder.Eventing.Subscribe<BeforeStartEvent>((started, _) =>
        {
            ServerCertificateTrust.Register(started.Model, started.Services);
            return Task.CompletedTask;
        });
        return builder;
    }

    /// <summary>
    /// Where most tests start: a builder with the Prosody resource <c>chat</c> and its user alice, whose password the
    /// test knows. The test adds what it is about to <c>Chat</c>, then starts the app.
    /// </summary>
    public static (IDistributedApplicationTestingBuilder Builder, IResourceBuilder<ProsodyResource> Chat, IResourceBuilder<ParameterResource> AlicePassword) CreateChatWithAlice()
    {
        var builder = CreateBuilder();
        var alicePassword = builder.AddPassword("alice-password");
        var chat = builder.AddProsody("chat").WithUser("alice", alicePassword);
        return (builder, chat, alicePassword);
    }

    /// <summary>The same with a second user, bob, for tests of what passes between two users.</summary>
    public static (IDistributedApplicationTestingBuilder Builder, IResourceBuilder<ProsodyResource> Chat, IResourceBuilder<ParameterResource> AlicePassword, IResourceBuilder<ParameterResource> BobPassword) CreateChatWithAliceAndBob()
    {
        var builder = CreateBuilder();
        var alicePassword = builder.AddPassword("alice-password");
        var bobPassword = builder.AddPassword("bob-password");
        var chat = builder.AddProsody("chat").WithUser("alice", alicePassword).WithUser("bob", bobPassword);
        return (builder, chat, alicePassword, bobPassword);
    }

    /// <summary>A secret parameter with a random value the test knows.</summary>
    public static IResourceBuilder<ParameterResource> AddPassword(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, Convert.ToHexString(RandomNumberGenerator.GetBytes(12)), secret: true);

    public static async Task<DistributedApplication> StartAsync(this IDistributedApplicationTestingBuilder builder, params string[] waitForHealthy)
    {
        var app = await builder.BuildAsync(Cancel);
        await app.StartAsync(waitForHealthy);
        return app;
    }

    /// <summary>Starts a built app and waits until these resources are healthy.</summary>
    public static async Task StartAsync(this DistributedApplication app, params string[] waitForHealthy)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(StartTimeout);
        await app.StartAsync(timeout.Token);
        foreach (var name in waitForHealthy)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }
    }

    public static async Task<string> ValueAsync(this IResourceBuilder<ParameterResource> parameter) =>
        (await parameter.Resource.GetValueAsync(Cancel))!;

    public static async Task<string> ValueAsync(this ParameterResource parameter) =>
        (await parameter.GetValueAsync(Cancel))!;
}
