namespace Aspire.Hosting.Prosody.Tests;

/// <summary>SQL storage: references in, PROSODY_SQL_* and the sql option out; bad combinations rejected.</summary>
public class ProsodySqlStorageTests
{
    /// <summary>
    /// A stand-in for Aspire's MySQL database resource, which is not on this package feed: the same connection
    /// properties, including the <c>mysql://</c> URI by which a MySQL database is recognised.
    /// </summary>
    private sealed class FakeMySqlDatabaseResource(string name, ParameterResource password) : Resource(name), IResourceWithConnectionString
    {
        public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"Server=mysql;Port=3307;User ID=root;Password={password};Database=prosodydb");

        public IEnumerable<KeyValuePair<string, ReferenceExpression>> GetConnectionProperties() =>
        [
            new("Host", ReferenceExpression.Create($"mysql.dev.internal")),
            new("Port", ReferenceExpression.Create($"3307")),
            new("Username", ReferenceExpression.Create($"root")),
            new("Password", ReferenceExpression.Create($"{password}")),
            new("DatabaseName", ReferenceExpression.Create($"prosodydb")),
            new("Uri", ReferenceExpression.Create($"mysql://root:{password}@mysql.dev.internal:3307/prosodydb")),
        ];
    }

    private sealed class ServerOnlyResource(string name) : Resource(name), IResourceWithConnectionString
    {
        public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"Host=x");

        public IEnumerable<KeyValuePair<string, ReferenceExpression>> GetConnectionProperties() =>
            [new("Host", ReferenceExpression.Create($"x")), new("Port", ReferenceExpression.Create($"1"))];
    }

    [Fact]
    public async Task WithPostgresPassesTheDatabaseConnectionPropertiesAsReferences()
    {
        var builder = TestModel.CreateBuilder();
        var db = builder.AddPostgres("pg").AddDatabase("prosodydb");
        var chat = builder.AddProsody("chat").WithPostgres(db);

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);

        Assert.Equal("PostgreSQL", environment["PROSODY_SQL_DRIVER"]);
        Assert.Equal("{pg.bindings.tcp.host}", Assert.IsType<ReferenceExpression>(environment["PROSODY_SQL_HOST"]).ValueExpression);
        Assert.Equal("{pg.bindings.tcp.port}", Assert.IsType<ReferenceExpression>(environment["ASPIRE_SQL_PORT"]).ValueExpression);
        Assert.Equal("prosodydb", Assert.IsType<ReferenceExpression>(environment["PROSODY_SQL_DB"]).ValueExpression);
        Assert.Equal("postgres", Assert.IsType<ReferenceExpression>(environment["PROSODY_SQL_USERNAME"]).ValueExpression);
        Assert.Equal("{pg-password.value}", Assert.IsType<ReferenceExpression>(environment["PGPASSWORD"]).ValueExpression);
        Assert.DoesNotContain("PROSODY_SQL_PASSWORD", environment.Keys);
    }

    [Fact]
    public async Task InRunModeTheDatabaseResolvesOnTheContainerNetwork()
    {
        var builder = TestModel.CreateBuilder();
        var pg = builder.AddPostgres("pg").WithAllocatedEndpoint("tcp", 15432, 5432);
        var chat = builder.AddProsody("chat").WithPostgres(pg.AddDatabase("prosodydb"));
        var environment = await builder.BuildAndReadEnvironmentAsync(chat.Resource);

        Assert.Equal("pg.dev.internal", environment["PROSODY_SQL_HOST"]);
        Assert.Equal("5432", environment["ASPIRE_SQL_PORT"]);
        Assert.Equal(await pg.Resource.PasswordParameter.GetValueAsync(TestContext.Current.CancellationToken), environment["PGPASSWORD"]);
    }

    [Fact]
    public async Task WithPostgresWaitsForTheDatabaseAndShowsTheRelationship()
    {
        var builder = TestModel.CreateBuilder();
        var db = builder.AddPostgres("pg").AddDatabase("prosodydb");
        var chat = builder.AddProsody("chat").WithPostgres(db);

        Assert.Contains(chat.Resource.Annotations.OfType<WaitAnnotation>(), w => w.Resource == db.Resource);
        Assert.Contains(chat.Resource.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == db.Resource);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task TheConfigurationRestatesTheSqlOptionWithThePortFromTheEnvironmentAndWithoutThePassword()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithPostgres(builder.AddPostgres("pg").AddDatabase("prosodydb"));
        using var app = builder.Build();

        var config = await app.FileTextAsync(chat.Resource, "/etc/prosody/conf.d", "aspire.cfg.lua");

        Assert.Contains(
            """
            sql = {
              driver = ENV_PROSODY_SQL_DRIVER;
              database = ENV_PROSODY_SQL_DB;
              host = ENV_PROSODY_SQL_HOST;
              port = ENV_ASPIRE_SQL_PORT;
              username = ENV_PROSODY_SQL_USERNAME;
            }
            """.ReplaceLineEndings(),
            config);
        Assert.DoesNotContain("password =", config);
    }

    [Fact]
    public async Task AnyDatabaseResourceWithConnectionPropertiesWorksAsMySql()
    {
        var builder = TestModel.CreateBuilder();
        var password = builder.AddParameter("mysql-password", secret: true);
        var db = builder.AddResource(new FakeMySqlDatabaseResource("prosodydb", password.Resource));
        var chat = builder.AddProsody("chat").WithSqlDatabase(db, ProsodySqlDriver.MySql);

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);

        Assert.Equal("MySQL", environment["PROSODY_SQL_DRIVER"]);
        Assert.Equal("mysql.dev.internal", Assert.IsType<ReferenceExpression>(environment["PROSODY_SQL_HOST"]).ValueExpression);
        Assert.Equal("3307", Assert.IsType<ReferenceExpression>(environment["ASPIRE_SQL_PORT"]).ValueExpression);
        Assert.Equal("{mysql-password.value}", Assert.IsType<ReferenceExpression>(environment["MYSQL_PWD"]).ValueExpression);
    }

    [Fact]
    public async Task ADatabaseOutsideTheAppModelIsGivenAsParameters()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var host = builder.AddParameter("db-host");
        var name = builder.AddParameter("db-name");
        var user = builder.AddParameter("db-user");
        var password = builder.AddParameter("db-password", secret: true);
        var chat = builder.AddProsody("chat").WithSqlDatabase(ProsodySqlDriver.MySql, host, name, user, password);
        using var app = builder.Build();

        var env = (await app.ManifestAsync(chat.Resource))["env"]!.AsObject();

        Assert.Equal("MySQL", env["PROSODY_SQL_DRIVER"]!.GetValue<string>());
        Assert.Equal("{db-host.value}", env["PROSODY_SQL_HOST"]!.GetValue<string>());
        Assert.Equal("{db-name.value}", env["PROSODY_SQL_DB"]!.GetValue<string>());
        Assert.Equal("{db-user.value}", env["PROSODY_SQL_USERNAME"]!.GetValue<string>());
        Assert.Equal("{db-password.value}", env["MYSQL_PWD"]!.GetValue<string>());
        Assert.Equal("3306", env["ASPIRE_SQL_PORT"]!.GetValue<string>());
    }

    [Fact]
    public async Task ThePublishedManifestHasPlaceholdersForTheDatabase()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithPostgres(builder.AddPostgres("pg").AddDatabase("prosodydb"));
        using var app = builder.Build();

        var env = (await app.ManifestAsync(chat.Resource))["env"]!.AsObject();

        Assert.Equal("{pg.bindings.tcp.host}", env["PROSODY_SQL_HOST"]!.GetValue<string>());
        Assert.Equal("{pg.bindings.tcp.port}", env["ASPIRE_SQL_PORT"]!.GetValue<string>());
        Assert.Equal("{pg-password.value}", env["PGPASSWORD"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(DistributedApplicationOperation.Run)]
    [InlineData(DistributedApplicationOperation.Publish)]
    public async Task TheDatabaseFailoverModuleIsLoadedWithADatabaseServerOnlyInBothModes(DistributedApplicationOperation operation)
    {
        var builder = TestModel.CreateBuilder(operation);
        var db = builder.AddPostgres("pg").AddDatabase("prosodydb");
        var postgres = builder.AddProsody("chat").WithPostgres(db);
        var sqlite = builder.AddProsody("lite").WithSqliteStorage();
        var files = builder.AddProsody("files");

        static async Task<string[]> ModulesAsync(ProsodyResource resource, DistributedApplicationOperation operation) =>
            ((string)(await resource.RawEnvironmentAsync(operation))["PROSODY_ENABLE_MODULES"]).Split(',');

        Assert.Contains("aspire_sql_failover", await ModulesAsync(postgres.Resource, operation));
        Assert.DoesNotContain("aspire_sql_failover", await ModulesAsync(sqlite.Resource, operation));
        Assert.DoesNotContain("aspire_sql_failover", await ModulesAsync(files.Resource, operation));
    }

    [Fact]
    public async Task WithSqliteStorageKeepsADatabaseFileInTheDataDirectory()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithSqliteStorage();
        using var app = builder.Build();

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);
        var config = await app.FileTextAsync(chat.Resource, "/etc/prosody/conf.d", "aspire.cfg.lua");

        Assert.Equal("SQLite3", environment["PROSODY_SQL_DRIVER"]);
        Assert.Equal("prosody.sqlite", environment["PROSODY_SQL_DB"]);
        Assert.DoesNotContain("PROSODY_SQL_HOST", environment.Keys);
        Assert.DoesNotContain("sql = {", config);
    }

    [Fact]
    public void TheDefaultStorageIsInternalFiles()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");

        Assert.Null(chat.Resource.Settings.Storage);
    }

    [Fact]
    public void AServerInsteadOfADatabaseIsRejected()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");

        var error = Assert.Throws<ArgumentException>("database", () => chat.WithSqlDatabase(builder.AddPostgres("pg"), ProsodySqlDriver.PostgreSql));
        Assert.Contains("DatabaseName", error.Message);
        Assert.Contains("AddDatabase", error.Message);
        Assert.Throws<ArgumentException>("database", () => chat.WithSqlDatabase(builder.AddResource(new ServerOnlyResource("other")), ProsodySqlDriver.MySql));
    }

    [Fact]
    public void ADriverThatDoesNotMatchTheResourceIsRejected()
    {
        var builder = TestModel.CreateBuilder();
        var password = builder.AddParameter("mysql-password", secret: true);

        var postgres = Assert.Throws<ArgumentException>("driver", () => builder.AddProsody("a").WithSqlDatabase(builder.AddPostgres("pg").AddDatabase("db1"), ProsodySqlDriver.MySql));
        Assert.Contains("ProsodySqlDriver.PostgreSql", postgres.Message);
        Assert.Throws<ArgumentException>("driver", () => builder.AddProsody("b").WithSqlDatabase(builder.AddResource(new FakeMySqlDatabaseResource("db2", password.Resource)), ProsodySqlDriver.PostgreSql));
        Assert.Throws<ArgumentOutOfRangeException>("driver", () => builder.AddProsody("c").WithSqlDatabase(builder.AddResource(new FakeMySqlDatabaseResource("db3", password.Resource)), (ProsodySqlDriver)7));
    }

    [Theory]
    [InlineData("../prosody.sqlite")]
    [InlineData("data/prosody.sqlite")]
    [InlineData("pro sody")]
    [InlineData("..")]
    public void AnSqliteFileNameThatIsNotAPlainNameIsRejected(string fileName)
    {
        Assert.Throws<ArgumentException>("fileName", () => TestModel.CreateBuilder().AddProsody("chat").WithSqliteStorage(fileName));
    }
}
