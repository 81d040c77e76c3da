using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// One rule for every builder method called twice: the last call wins (Aspire's ResourceAnnotationMutationBehavior.Replace),
/// and nothing the first call added stays behind.
/// </summary>
public sealed class ProsodyRepeatedCallTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("prosody-repeated-");

    public void Dispose() => _directory.Delete(recursive: true);

    private static IEnumerable<IResource> Model(DistributedApplication app) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources;

    [Fact]
    public async Task WithPostgresTwiceTheLastCallWins()
    {
        var builder = TestModel.CreateBuilder();
        var first = builder.AddPostgres("pg1").AddDatabase("first");
        var second = builder.AddPostgres("pg2").AddDatabase("second");
        var chat = builder.AddProsody("chat").WithPostgres(first).WithPostgres(second);

        // WaitFor on a database waits for its server too: only the second database and its server remain.
        Assert.Equal(
            new IResource[] { second.Resource, second.Resource.Parent }.ToHashSet(),
            chat.Resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource).ToHashSet());
        Assert.DoesNotContain(chat.Resource.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == first.Resource);
        Assert.Equal("second", (await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run))["PROSODY_SQL_DB"] is ReferenceExpression db ? db.ValueExpression : null);
    }

    [Fact]
    public async Task WithSqlDatabaseTwiceTheLastCallWins()
    {
        var builder = TestModel.CreateBuilder();
        IResourceBuilder<ParameterResource> Parameter(string name) => builder.AddParameter(name, "value");
        var chat = builder.AddProsody("chat")
            .WithSqlDatabase(builder.AddPostgres("pg").AddDatabase("prosodydb"), ProsodySqlDriver.PostgreSql)
            .WithSqlDatabase(ProsodySqlDriver.MySql, Parameter("host"), Parameter("db"), Parameter("user"), Parameter("password"));

        Assert.Empty(chat.Resource.Annotations.OfType<WaitAnnotation>());
        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);
        Assert.Equal("MySQL", environment["PROSODY_SQL_DRIVER"]);
        Assert.Contains("MYSQL_PWD", environment.Keys);
        Assert.DoesNotContain("PGPASSWORD", environment.Keys);
    }

    [Fact]
    public async Task WithSqliteStorageTwiceTheLastCallWins()
    {
        var chat = TestModel.CreateBuilder().AddProsody("chat").WithSqliteStorage("first.sqlite").WithSqliteStorage("second.sqlite");

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);
        Assert.Equal("SQLite3", environment["PROSODY_SQL_DRIVER"]);
        Assert.Equal("second.sqlite", environment["PROSODY_SQL_DB"]);
    }

    [Fact]
    public async Task APostgresDatabaseReplacedInPublishModeIsNotCreatedOnItsServer()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var server = builder.AddPostgres("pg");
        builder.AddProsody("chat").WithPostgres(server.AddDatabase("prosodydb")).WithSqliteStorage();

        Assert.DoesNotContain("POSTGRES_DB", (await server.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Publish)).Keys);
    }

    [Fact]
    public void WithCertificateTwiceTheLastCallWins()
    {
        var (firstCertificate, firstKey) = TestCertificates.WritePem(_directory.FullName, "chat.dev.localhost", "first");
        var (secondCertificate, secondKey) = TestCertificates.WritePem(_directory.FullName, "chat.dev.localhost", "second");
        var chat = TestModel.CreateBuilder().AddProsody("chat").WithCertificate(firstCertificate, firstKey).WithCertificate(secondCertificate, secondKey);

        Assert.Equal((secondCertificate, secondKey), (chat.Resource.Settings.Certificates!.CertificatePath, chat.Resource.Settings.Certificates.KeyPath));
    }

    [Fact]
    public void WithCertificatesDirectoryTwiceTheLastCallWins()
    {
        var first = _directory.CreateSubdirectory("first").FullName;
        var second = _directory.CreateSubdirectory("second").FullName;
        var chat = TestModel.CreateBuilder().AddProsody("chat").WithCertificatesDirectory(first).WithCertificatesDirectory(second);

        var mount = Assert.Single(chat.Resource.Annotations.OfType<ContainerMountAnnotation>(), m => m.Target == "/etc/prosody/certs");
        Assert.Equal(second, mount.Source);
    }

    [Fact]
    public async Task ACertificateAfterADirectoryUnmountsItAndAPublishedModelAsksForTheCertificateAgain()
    {
        var (certificate, key) = TestCertificates.WritePem(_directory.FullName, "chat.dev.localhost");
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithCertificatesDirectory(_directory.FullName).WithCertificate(certificate, key);
        using var app = await builder.BuildCompletedAsync();

        Assert.DoesNotContain(chat.Resource.Annotations.OfType<ContainerMountAnnotation>(), m => m.Target == "/etc/prosody/certs");
        var names = builder.Resources.OfType<ParameterResource>().Select(p => p.Name).ToArray();
        Assert.Contains("chat-tls-certificate", names);
        Assert.Contains("chat-tls-key", names);
    }

    [Fact]
    public async Task ADirectoryAfterACertificateReplacesItAndAPublishedModelAsksForNoCertificateParameters()
    {
        var (certificate, key) = TestCertificates.WritePem(_directory.FullName, "chat.dev.localhost");
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithCertificate(certificate, key).WithCertificatesDirectory(_directory.FullName);
        using var app = await builder.BuildCompletedAsync();

        Assert.Contains(chat.Resource.Annotations.OfType<ContainerMountAnnotation>(), m => m.Target == "/etc/prosody/certs");
        Assert.DoesNotContain(builder.Resources.OfType<ParameterResource>(), p => p.Name.StartsWith("chat-tls-", StringComparison.Ordinal));
        Assert.DoesNotContain(Configuration.ProsodyConfiguration.TlsKeyVariable, (await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Publish)).Keys);
    }

    [Fact]
    public void WithTurnServerTwiceTheLastCallWins()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithTurnServer().WithTurnServer(port: 3479, containerName: "relay");
        using var app = builder.Build();

        var turn = Assert.Single(Model(app).OfType<CoturnResource>());
        Assert.Equal("relay", turn.Name);
        Assert.Same(turn, chat.Resource.Settings.Turn!.Container);
        var parameters = Model(app).OfType<ParameterResource>().Select(p => p.Name).ToArray();
        Assert.DoesNotContain("chat-turn-external-address", parameters);
        Assert.Contains("relay-external-address", parameters);
        var checks = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).ToArray();
        Assert.DoesNotContain("chat-turn_check", checks);
        Assert.Contains("relay_check", checks);
    }

    [Fact]
    public void WithTurnServerTwiceUnderOneNameKeepsOneContainer()
    {
        using var app = TestModel.BuildWithChat(chat => chat.WithTurnServer().WithTurnServer(relayPortMin: 49200, relayPortMax: 49209));

        var turn = Assert.Single(Model(app).OfType<CoturnResource>());
        Assert.Equal(49200, turn.RelayPortMin);
        Assert.Single(app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == "chat-turn_check");
    }

    [Fact]
    public async Task WithExternalTurnTwiceTheLastCallWins()
    {
        var builder = TestModel.CreateBuilder();
        var secret = builder.AddParameter("turn-secret", secret: true);
        var chat = builder.AddProsody("chat").WithExternalTurn("first.example.com", 3478, secret).WithExternalTurn("second.example.com", 3479, secret);

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);
        Assert.Equal("second.example.com", environment["PROSODY_TURN_HOST"]);
        Assert.Equal("3479", environment["PROSODY_TURN_PORT"]);
    }

    [Fact]
    public async Task WithExternalTurnAfterWithTurnServerRemovesTheCoturnContainer()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithTurnServer().WithExternalTurn("turn.example.com", 3478, builder.AddParameter("s", secret: true));
        using var app = builder.Build();

        Assert.Empty(Model(app).OfType<CoturnResource>());
        Assert.Equal("turn.example.com", (await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run))["PROSODY_TURN_HOST"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WithEnabledModulesAndWithDisabledModulesTheLastCallWins(bool enableLast)
    {
        var chat = TestModel.CreateBuilder().AddProsody("chat");
        if (enableLast)
        {
            chat.WithDisabledModules("mam", "carbons").WithEnabledModules("mam");
        }
        else
        {
            chat.WithEnabledModules("mam", "carbons").WithDisabledModules("mam");
        }

        var configuration = Configuration.ProsodyConfiguration.For(chat.Resource);
        Assert.Equal(enableLast, configuration.EnabledModules.Contains("mam"));
        Assert.Equal(!enableLast, configuration.DisabledModules.Contains("mam"));
        // The module the last call did not name keeps what the first call said.
        Assert.Equal(enableLast, configuration.DisabledModules.Contains("carbons"));
        Assert.Equal(!enableLast, configuration.EnabledModules.Contains("carbons"));
    }
}
