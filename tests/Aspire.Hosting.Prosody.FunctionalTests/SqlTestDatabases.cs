using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;
using Npgsql;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// A MySQL database resource for the functional tests, served by the MariaDB image. Aspire.Hosting.MySql is not on
/// the package feed, so this mimics its <c>MySqlDatabaseResource</c>: the connection properties Host and Port come
/// from the server container's endpoint (on the container network they resolve to the container's alias and target
/// port, which is what Prosody needs), and the type name contains "MySql", which is how WithSqlDatabase recognises
/// a MySQL database.
/// </summary>
internal sealed class TestMySqlDatabaseResource(string name, string databaseName, ContainerResource server, ParameterResource password)
    : Resource(name), IResourceWithConnectionString, IResourceWithParent<ContainerResource>
{
    public const string UserName = "root";

    public ContainerResource Parent { get; } = server;

    public EndpointReference Endpoint { get; } = new(server, "tcp");

    public string DatabaseName { get; } = databaseName;

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={Endpoint.Property(EndpointProperty.Host)};Port={Endpoint.Property(EndpointProperty.Port)};User ID={UserName};Password={PasswordParameter};Database={DatabaseName}");

    public IEnumerable<KeyValuePair<string, ReferenceExpression>> GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.Host)}")),
        new("Port", ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.Port)}")),
        new("Username", ReferenceExpression.Create($"{UserName}")),
        new("Password", ReferenceExpression.Create($"{PasswordParameter}")),
        new("DatabaseName", ReferenceExpression.Create($"{DatabaseName}")),
    ];
}

/// <summary>The two SQL servers the functional tests run Prosody against, and reading Prosody's rows back.</summary>
internal static class SqlTestDatabases
{
    /// <summary>Not MySQL's 3306: a driver default that sneaks in instead of the configured port cannot connect.</summary>
    public const int MariaDbPort = 3307;

    /// <summary>
    /// A MariaDB server listening on <see cref="MariaDbPort"/> with one database, as a <see cref="TestMySqlDatabaseResource"/>
    /// that is healthy once the test process can open a connection to it.
    /// </summary>
    public static IResourceBuilder<TestMySqlDatabaseResource> AddMariaDbAsMySql(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName, IResourceBuilder<ParameterResource> password, string? dataVolume = null)
    {
        var server = builder.AddContainer(serverName, ContainerImages.MariaDbImage, ContainerImages.MariaDbTag)
            .WithImageRegistry(ContainerImages.MariaDbRegistry)
            .WithEnvironment("MARIADB_ROOT_PASSWORD", password)
            .WithEnvironment("MARIADB_DATABASE", databaseName)
            .WithArgs($"--port={MariaDbPort}")
            .WithEndpoint(targetPort: MariaDbPort, name: "tcp", scheme: "tcp");
        if (dataVolume is not null)
        {
            server.WithVolume(dataVolume, "/var/lib/mysql");
        }

        var database = new TestMySqlDatabaseResource(databaseName, databaseName, server.Resource, password.Resource);
        var healthCheckKey = $"{database.Name}_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, async cancellationToken =>
        {
            try
            {
                await using var connection = new MySqlConnection(await database.ConnectionStringExpression.GetValueAsync(cancellationToken));
                await connection.OpenAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy(e.Message, e);
            }
        });
        return builder.AddResource(database).WithHealthCheck(healthCheckKey);
    }

    /// <summary>Stores the Prosody resource's data in a new database "prosodydb" on a PostgreSQL or MariaDB server, optionally kept in a named volume.</summary>
    public static IResourceBuilder<ProsodyResource> WithTestDatabase(this IResourceBuilder<ProsodyResource> chat, IDistributedApplicationBuilder builder, SqlServerKind kind, string password, string? dataVolume)
    {
        var passwordParameter = builder.AddParameter("db-password", password, secret: true);
        if (kind == SqlServerKind.PostgreSql)
        {
            var postgres = builder.AddPostgres("postgres", password: passwordParameter);
            if (dataVolume is not null)
            {
                postgres.WithDataVolume(dataVolume);
            }

            return chat.WithPostgres(postgres.AddDatabase("prosodydb"));
        }

        return chat.WithSqlDatabase(builder.AddMariaDbAsMySql("mysql", "prosodydb", passwordParameter, dataVolume), ProsodySqlDriver.MySql);
    }

    /// <summary>Opens a connection from the test process to the database through its published port.</summary>
    public static async Task<DbConnection> OpenAsync(SqlServerKind kind, string connectionString, CancellationToken cancellationToken)
    {
        DbConnection connection = kind == SqlServerKind.PostgreSql ? new NpgsqlConnection(connectionString) : new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}

internal enum SqlServerKind
{
    PostgreSql,
    MariaDb,
}
