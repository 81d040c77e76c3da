using Aspire.Prosody.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Aspire.Prosody.Client.Tests;

/// <summary>What AddProsodyClient registers, and where its settings come from (Aspire's client-integration conventions).</summary>
public class AddProsodyClientTests
{
    private const string AccountConnectionString = "Host=localhost;Port=15222;Domain=chat.dev.localhost;Username=bot;Password=p=a ss";

    private static HostApplicationBuilder CreateBuilder(params (string Key, string? Value)[] configuration)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration.Select(c => new KeyValuePair<string, string?>(c.Key, c.Value)));
        return builder;
    }

    /// <summary>A built host with the client "bot", which does not connect at start: these tests only resolve it.</summary>
    private static IHost BuildHostWithBot(params (string Key, string? Value)[] configuration)
    {
        var builder = CreateBuilder(configuration);
        builder.AddProsodyClient("bot", s => s.DisableAutoConnect = true);
        return builder.Build();
    }

    private static ProsodyClientSettings CapturedSettings(HostApplicationBuilder builder, string name = "bot", Action<ProsodyClientSettings>? configure = null)
    {
        ProsodyClientSettings? captured = null;
        builder.AddProsodyClient(name, settings =>
        {
            configure?.Invoke(settings);
            captured = settings;
        });
        return captured!;
    }

    [Fact]
    public void TheAccountsConnectionStringGivesHostPortDomainUserAndPassword()
    {
        var builder = CreateBuilder(("ConnectionStrings:bot", AccountConnectionString));

        var settings = CapturedSettings(builder);

        Assert.Equal("localhost", settings.Host);
        Assert.Equal(15222, settings.Port);
        Assert.Equal("chat.dev.localhost", settings.Domain);
        Assert.Equal("bot", settings.Username);
        Assert.Equal("p=a ss", settings.Password);
    }

    [Fact]
    public void TheConnectionStringWinsOverTheSectionsAndTheDelegateWinsOverAll()
    {
        var builder = CreateBuilder(
            ("Aspire:Prosody:Client:Host", "from-section"),
            ("Aspire:Prosody:Client:Resource", "from-section"),
            ("Aspire:Prosody:Client:RequestTimeout", "00:00:05"),
            ("Aspire:Prosody:Client:bot:Resource", "from-named-section"),
            ("Aspire:Prosody:Client:bot:DisableTracing", "true"),
            ("ConnectionStrings:bot", AccountConnectionString));

        var settings = CapturedSettings(builder, configure: s => Assert.Equal("localhost", s.Host));

        Assert.Equal("localhost", settings.Host);
        Assert.Equal("from-named-section", settings.Resource);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.RequestTimeout);
        Assert.True(settings.DisableTracing);

        var overridden = CapturedSettings(CreateBuilder(("ConnectionStrings:bot", AccountConnectionString)), configure: s => s.Port = 5333);
        Assert.Equal(5333, overridden.Port);
    }

    [Fact]
    public void AServerOnlyConnectionStringTakesTheAccountFromTheNamedSection()
    {
        var builder = CreateBuilder(
            ("ConnectionStrings:chat", "Host=chat.dev.internal;Port=5222;Domain=chat.dev.localhost"),
            ("Aspire:Prosody:Client:chat:Username", "alice"),
            ("Aspire:Prosody:Client:chat:Password", "secret"));
        builder.AddProsodyClient("chat", s => s.DisableAutoConnect = true);
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<XmppClient>();

        Assert.Equal(XmppConnectionState.Disconnected, client.State);
    }

    [Fact]
    public void MissingConnectionInformationFailsWhenTheClientIsResolvedAndNamesWhereToSetIt()
    {
        using var host = BuildHostWithBot();

        var e = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<XmppClient>());

        Assert.Contains("ConnectionStrings:bot", e.Message, StringComparison.Ordinal);
        Assert.Contains("Aspire:Prosody:Client:bot:", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=localhost;Port=99999;Domain=d;Username=u;Password=p")]
    [InlineData("Host=localhost;Port=abc;Domain=d;Username=u;Password=p")]
    [InlineData("Host=localhost;Password=\"unterminated")]
    public void AMalformedConnectionStringFailsWhenTheClientIsResolvedWithoutQuotingIt(string connectionString)
    {
        using var host = BuildHostWithBot(("ConnectionStrings:bot", connectionString));

        var e = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<XmppClient>());

        Assert.Contains("ConnectionStrings:bot", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("unterminated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheClientIsOneInstanceForTheWholeApp()
    {
        using var host = BuildHostWithBot(("ConnectionStrings:bot", AccountConnectionString));

        using var scope = host.Services.CreateScope();

        Assert.Same(host.Services.GetRequiredService<XmppClient>(), scope.ServiceProvider.GetRequiredService<XmppClient>());
    }

    [Fact]
    public void KeyedClientsAreDistinctEachWithItsOwnHealthCheckAndNoUnkeyedClient()
    {
        var builder = CreateBuilder(
            ("ConnectionStrings:bot", AccountConnectionString),
            ("ConnectionStrings:alerts", AccountConnectionString.Replace("Username=bot", "Username=alerts", StringComparison.Ordinal)));
        builder.AddKeyedProsodyClient("bot", s => s.DisableAutoConnect = true);
        builder.AddKeyedProsodyClient("alerts", s => s.DisableAutoConnect = true);
        using var host = builder.Build();

        var bot = host.Services.GetRequiredKeyedService<XmppClient>("bot");
        var alerts = host.Services.GetRequiredKeyedService<XmppClient>("alerts");

        Assert.NotSame(bot, alerts);
        Assert.Null(host.Services.GetService<XmppClient>());
        var checks = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).ToList();
        Assert.Equal(["Prosody.Client_bot", "Prosody.Client_alerts"], checks);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheHealthCheckIsRegisteredOnceUnlessDisabled(bool disabled)
    {
        var builder = CreateBuilder(("ConnectionStrings:bot", AccountConnectionString), ("Aspire:Prosody:Client:DisableHealthChecks", disabled ? "true" : "false"));
        builder.AddProsodyClient("bot");
        builder.AddProsodyClient("bot");
        using var host = builder.Build();

        var checks = host.Services.GetService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>()?.Value.Registrations.Select(r => r.Name).ToList() ?? [];

        Assert.Equal(disabled ? [] : ["Prosody.Client"], checks);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TracingAndMetricsAreRegisteredUnlessDisabled(bool disabled)
    {
        var builder = CreateBuilder(("ConnectionStrings:bot", AccountConnectionString));
        builder.AddProsodyClient("bot", s =>
        {
            s.DisableAutoConnect = true;
            s.DisableTracing = disabled;
            s.DisableMetrics = disabled;
        });
        using var host = builder.Build();

        Assert.Equal(!disabled, host.Services.GetService<TracerProvider>() is not null);
        Assert.Equal(!disabled, host.Services.GetService<MeterProvider>() is not null);
    }

    [Fact]
    public async Task TheHealthCheckIsUnhealthyWithTheStateWhileTheClientIsNotSignedIn()
    {
        using var host = BuildHostWithBot(("ConnectionStrings:bot", AccountConnectionString));

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("not signed in", report.Entries["Prosody.Client"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void TheClientConnectsInTheBackgroundAtStartUnlessAutoConnectIsOff()
    {
        var on = CreateBuilder(("ConnectionStrings:bot", AccountConnectionString));
        on.AddProsodyClient("bot");
        var off = CreateBuilder(("ConnectionStrings:bot", AccountConnectionString));
        off.AddProsodyClient("bot", s => s.DisableAutoConnect = true);

        // OpenTelemetry registers a hosted service of its own in both; the connector is the one more.
        Assert.Equal(
            off.Services.Count(d => d.ServiceType == typeof(IHostedService)) + 1,
            on.Services.Count(d => d.ServiceType == typeof(IHostedService)));
    }
}
