namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    private static readonly string[] RequiredConnectionProperties = ["Host", "Port", "Username", "Password", "DatabaseName"];

    /// <summary>
    /// Stores accounts, rosters, offline messages and the archive in a PostgreSQL database of the app model.
    /// Prosody creates its tables itself, and starts only when the database is ready.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="database">The database, from <c>AddPostgres(…).AddDatabase(…)</c>.</param>
    /// <returns>The resource builder.</returns>
    /// <remarks>
    /// Sets <c>PROSODY_SQL_DRIVER=PostgreSQL</c> and <c>PROSODY_SQL_HOST</c>, <c>PROSODY_SQL_DB</c>,
    /// <c>PROSODY_SQL_USERNAME</c> from the database's connection properties, and restates Prosody's <c>sql</c> option
    /// in the generated configuration with the port, which the image cannot set. The password goes to <c>PGPASSWORD</c>
    /// (read by libpq), never into the <c>sql</c> option, which Prosody writes to its log at debug level.
    /// </remarks>
    /// <example>
    /// <code lang="csharp">
    /// var db = builder.AddPostgres("pg").AddDatabase("prosodydb");
    /// builder.AddProsody("chat").WithPostgres(db);
    /// </code>
    /// </example>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithPostgres(this IResourceBuilder<ProsodyResource> builder, IResourceBuilder<PostgresDatabaseResource> database)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(database);
        return builder.WithSqlDatabase(database, ProsodySqlDriver.PostgreSql);
    }

    /// <summary>
    /// Stores Prosody's data in a SQL database of the app model that exposes the connection properties
    /// <c>Host</c>, <c>Port</c>, <c>Username</c>, <c>Password</c> and <c>DatabaseName</c>, as Aspire's PostgreSQL
    /// and MySQL database resources do (<c>AddMySql(…).AddDatabase(…)</c>). The password reaches the container as
    /// <c>PGPASSWORD</c> or <c>MYSQL_PWD</c>, which the database client library reads, and never appears in Prosody's
    /// configuration or log.
    /// </summary>
    /// <typeparam name="TDatabase">The database resource type.</typeparam>
    /// <param name="builder">The resource builder.</param>
    /// <param name="database">The database resource (not the server).</param>
    /// <param name="driver">Which server it is.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">The resource lacks one of the connection properties (a server rather
    /// than a database, for example), or does not match <paramref name="driver"/>.</exception>
    [AspireExportIgnore(Reason = "The generic database type parameter is C#-only. Polyglot AppHosts use the withSqlDatabase export, which takes any database resource with a connection string.")]
    public static IResourceBuilder<ProsodyResource> WithSqlDatabase<TDatabase>(this IResourceBuilder<ProsodyResource> builder, IResourceBuilder<TDatabase> database, ProsodySqlDriver driver)
        where TDatabase : IResourceWithConnectionString
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(database);
        var driverName = DriverName(driver);
        var resource = database.Resource;

        var missing = RequiredConnectionProperties.Where(key => resource.GetConnectionProperty(key) == ReferenceExpression.Empty).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException(
                $"The resource '{resource.Name}' does not expose the connection properties {string.Join(", ", missing)} that Prosody needs. " +
                "Pass a database resource (for example AddPostgres(\"pg\").AddDatabase(\"prosodydb\")), not a server, or use the overload that takes parameters.",
                nameof(database));
        }

        if (ServerKind(resource) is { } actual && actual != driver)
        {
            throw new ArgumentException(
                $"The resource '{resource.Name}' is a {DriverName(actual)} database but the driver given is {driverName}. Pass ProsodySqlDriver.{actual}.",
                nameof(driver));
        }

        SetStorage(builder, null);
        // Prosody creates the accounts at start, which needs the database (and so its server).
        var before = builder.Resource.Annotations.ToHashSet();
        builder.WithReferenceRelationship(resource).WaitFor(builder.ApplicationBuilder.CreateResourceBuilder<IResource>(resource));
        builder.Resource.Settings.Storage = new ProsodyStorage(
            driverName,
            resource.GetConnectionProperty("DatabaseName"),
            resource.GetConnectionProperty("Host"),
            resource.GetConnectionProperty("Port"),
            resource.GetConnectionProperty("Username"),
            resource.GetConnectionProperty("Password"))
        {
            DatabaseResource = resource,
            Annotations = [.. builder.Resource.Annotations.Where(a => !before.Contains(a))],
        };

        CreateDatabaseWhenDeployed(builder, resource, driver);
        return builder;
    }

    /// <summary>
    /// Stores Prosody's data in a SQL database of the app model: the polyglot form of
    /// <see cref="WithSqlDatabase{TDatabase}(IResourceBuilder{ProsodyResource}, IResourceBuilder{TDatabase}, ProsodySqlDriver)"/>,
    /// which polyglot AppHosts cannot call because of its type parameter.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="database">The database resource (not the server), for example from <c>addPostgres(…).addDatabase(…)</c>.</param>
    /// <param name="driver">Which server it is.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport("withSqlDatabase")]
    internal static IResourceBuilder<ProsodyResource> WithSqlDatabaseForPolyglot(this IResourceBuilder<ProsodyResource> builder, IResourceBuilder<IResourceWithConnectionString> database, ProsodySqlDriver driver) =>
        builder.WithSqlDatabase(database, driver);

    /// <summary>
    /// Stores Prosody's data in a SQL database outside the app model, given as parameters.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="driver">Which server it is.</param>
    /// <param name="host">The server's host name, as the container reaches it.</param>
    /// <param name="databaseName">The database, which must exist.</param>
    /// <param name="userName">The user Prosody connects as; it needs to create tables.</param>
    /// <param name="password">The user's password (a secret parameter).</param>
    /// <param name="port">The server's port; null uses the driver's default (5432 or 3306).</param>
    /// <returns>The resource builder.</returns>
    [AspireExport("withExternalSqlDatabase")]
    public static IResourceBuilder<ProsodyResource> WithSqlDatabase(
        this IResourceBuilder<ProsodyResource> builder,
        ProsodySqlDriver driver,
        IResourceBuilder<ParameterResource> host,
        IResourceBuilder<ParameterResource> databaseName,
        IResourceBuilder<ParameterResource> userName,
        IResourceBuilder<ParameterResource> password,
        IResourceBuilder<ParameterResource>? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(databaseName);
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        SetStorage(builder, new ProsodyStorage(
            DriverName(driver), databaseName.Resource, host.Resource, port is not null ? port.Resource : DefaultPort(driver), userName.Resource, password.Resource));
        return builder;
    }

    /// <summary>
    /// Stores Prosody's data in an SQLite database file in the data directory (see <see cref="WithDataVolume"/>).
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="fileName">The file name, relative to <c>/var/lib/prosody</c>.</param>
    /// <returns>The resource builder.</returns>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithSqliteStorage(this IResourceBuilder<ProsodyResource> builder, string fileName = "prosody.sqlite")
    {
        ArgumentNullException.ThrowIfNull(builder);
        SetStorage(builder, new ProsodyStorage(ProsodyStorage.Sqlite, ProsodyValidation.FileName(fileName, nameof(fileName))));
        return builder;
    }

    /// <summary>
    /// Which server a database resource belongs to, by what it offers: Aspire's database resources give a connection
    /// URI whose scheme names the server. Null when it does not say.
    /// </summary>
    private static ProsodySqlDriver? ServerKind(IResourceWithConnectionString database) =>
        database.GetConnectionProperty("Uri").Format switch
        {
            var uri when uri.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) => ProsodySqlDriver.PostgreSql,
            var uri when uri.StartsWith("mysql://", StringComparison.OrdinalIgnoreCase) => ProsodySqlDriver.MySql,
            _ => null,
        };

    /// <summary>
    /// In run mode Aspire creates the database once its server is up; a published model has nobody to do that, and
    /// Prosody cannot connect to a database that does not exist. The server images create one database on their
    /// first start when told its name, so a server container of the app model is told, unless the app model
    /// already chose that database itself.
    /// </summary>
    private static void CreateDatabaseWhenDeployed(IResourceBuilder<ProsodyResource> builder, IResourceWithConnectionString database, ProsodySqlDriver driver)
    {
        if (!ProsodyConfiguration.CreatesDatabaseOnServer(builder.Resource) || database is not IResourceWithParent { Parent: ContainerResource server })
        {
            return;
        }

        var variable = driver == ProsodySqlDriver.PostgreSql ? "POSTGRES_DB" : "MYSQL_DATABASE";
        var name = database.GetConnectionProperty("DatabaseName");
        var settings = builder.Resource.Settings;
        builder.ApplicationBuilder.CreateResourceBuilder(server).WithEnvironment(context =>
        {
            // A later storage call replaces this database: then the server is no longer Prosody's to shape.
            if (settings.Storage?.DatabaseResource == database)
            {
                context.EnvironmentVariables.TryAdd(variable, name);
            }
        });
    }

    /// <summary>
    /// The last storage call wins: the waits and the reference an earlier call added for its database go with it.
    /// </summary>
    private static void SetStorage(IResourceBuilder<ProsodyResource> builder, ProsodyStorage? storage)
    {
        if (builder.Resource.Settings.Storage is { } previous)
        {
            foreach (var annotation in previous.Annotations)
            {
                builder.Resource.Annotations.Remove(annotation);
            }
        }

        builder.Resource.Settings.Storage = storage;
    }

    private static string DriverName(ProsodySqlDriver driver) => driver switch
    {
        ProsodySqlDriver.PostgreSql => ProsodyStorage.PostgreSql,
        ProsodySqlDriver.MySql => ProsodyStorage.MySql,
        _ => throw new ArgumentOutOfRangeException(nameof(driver), driver, "Use ProsodySqlDriver.PostgreSql or ProsodySqlDriver.MySql."),
    };

    private static string DefaultPort(ProsodySqlDriver driver) => driver == ProsodySqlDriver.PostgreSql ? "5432" : "3306";
}
