// The public API of Aspire.Hosting.Prosody, printed by PublicApiGenerator. Do not edit: after an intended change run
// UPDATE_API_BASELINE=1 dotnet test --project tests/Aspire.Hosting.Prosody.Tests -- --filter-class "*PublicApiBaselineTests*"
namespace Aspire.Hosting.ApplicationModel
{
    [Aspire.Hosting.AspireExport(ExposeProperties=true)]
    public sealed class CoturnResource : Aspire.Hosting.ApplicationModel.ContainerResource
    {
        public CoturnResource(string name, Aspire.Hosting.ApplicationModel.ParameterResource secret) { }
        public Aspire.Hosting.ApplicationModel.EndpointReference PrimaryEndpoint { get; }
        public Aspire.Hosting.ApplicationModel.ParameterResource SecretParameter { get; }
    }
    [Aspire.Hosting.AspireExport(ExposeProperties=true)]
    public sealed class ProsodyAccountResource : Aspire.Hosting.ApplicationModel.Resource, Aspire.Hosting.ApplicationModel.IExpressionValue, Aspire.Hosting.ApplicationModel.IManifestExpressionProvider, Aspire.Hosting.ApplicationModel.IResource, Aspire.Hosting.ApplicationModel.IResourceWithConnectionString, Aspire.Hosting.ApplicationModel.IResourceWithParent, Aspire.Hosting.ApplicationModel.IResourceWithParent<Aspire.Hosting.ApplicationModel.ProsodyResource>, Aspire.Hosting.ApplicationModel.IValueProvider, Aspire.Hosting.ApplicationModel.IValueWithReferences
    {
        public ProsodyAccountResource(string name, string userName, Aspire.Hosting.ApplicationModel.ProsodyResource parent, Aspire.Hosting.ApplicationModel.ParameterResource password) { }
        public Aspire.Hosting.ApplicationModel.ReferenceExpression ConnectionStringExpression { get; }
        public string Jid { get; }
        public Aspire.Hosting.ApplicationModel.ProsodyResource Parent { get; }
        public Aspire.Hosting.ApplicationModel.ParameterResource PasswordParameter { get; }
        public string UserName { get; }
    }
    [Aspire.Hosting.AspireExport(ExposeProperties=true)]
    public sealed class ProsodyComponentResource : Aspire.Hosting.ApplicationModel.Resource, Aspire.Hosting.ApplicationModel.IExpressionValue, Aspire.Hosting.ApplicationModel.IManifestExpressionProvider, Aspire.Hosting.ApplicationModel.IResource, Aspire.Hosting.ApplicationModel.IResourceWithConnectionString, Aspire.Hosting.ApplicationModel.IResourceWithParent, Aspire.Hosting.ApplicationModel.IResourceWithParent<Aspire.Hosting.ApplicationModel.ProsodyResource>, Aspire.Hosting.ApplicationModel.IValueProvider, Aspire.Hosting.ApplicationModel.IValueWithReferences
    {
        public ProsodyComponentResource(string name, string subdomain, Aspire.Hosting.ApplicationModel.ProsodyResource parent, Aspire.Hosting.ApplicationModel.ParameterResource secret) { }
        public Aspire.Hosting.ApplicationModel.ReferenceExpression ConnectionStringExpression { get; }
        public string Domain { get; }
        public Aspire.Hosting.ApplicationModel.EndpointReference Endpoint { get; }
        public Aspire.Hosting.ApplicationModel.ProsodyResource Parent { get; }
        public Aspire.Hosting.ApplicationModel.ParameterResource SecretParameter { get; }
        public string Subdomain { get; }
    }
    public enum ProsodyLogLevel
    {
        Debug = 0,
        Info = 1,
        Warn = 2,
        Error = 3,
    }
    public enum ProsodyRegistration
    {
        Closed = 0,
        InviteOnly = 1,
    }
    [Aspire.Hosting.AspireExport(ExposeProperties=true)]
    public sealed class ProsodyResource : Aspire.Hosting.ApplicationModel.ContainerResource, Aspire.Hosting.ApplicationModel.IExpressionValue, Aspire.Hosting.ApplicationModel.IManifestExpressionProvider, Aspire.Hosting.ApplicationModel.IResource, Aspire.Hosting.ApplicationModel.IResourceWithConnectionString, Aspire.Hosting.ApplicationModel.IValueProvider, Aspire.Hosting.ApplicationModel.IValueWithReferences
    {
        public ProsodyResource(string name, Aspire.Hosting.ApplicationModel.ParameterResource adminPassword) { }
        public Aspire.Hosting.ApplicationModel.ParameterResource AdminPasswordParameter { get; }
        public string AdminUserName { get; }
        public Aspire.Hosting.ApplicationModel.EndpointReference ComponentEndpoint { get; }
        public Aspire.Hosting.ApplicationModel.ReferenceExpression ConnectionStringExpression { get; }
        public string Domain { get; }
        public Aspire.Hosting.ApplicationModel.EndpointReferenceExpression Host { get; }
        public Aspire.Hosting.ApplicationModel.EndpointReference HttpEndpoint { get; }
        public Aspire.Hosting.ApplicationModel.EndpointReference HttpsEndpoint { get; }
        public Aspire.Hosting.ApplicationModel.ReferenceExpression MetricsUri { get; }
        public Aspire.Hosting.ApplicationModel.EndpointReferenceExpression Port { get; }
        public Aspire.Hosting.ApplicationModel.EndpointReference PrimaryEndpoint { get; }
        public Aspire.Hosting.ApplicationModel.ReferenceExpression SecureWebSocketUri { get; }
        public Aspire.Hosting.ApplicationModel.ReferenceExpression WebSocketUri { get; }
    }
    public enum ProsodyRoomCreation
    {
        Anyone = 0,
        LocalUsers = 1,
        Admins = 2,
    }
    public enum ProsodySqlDriver
    {
        PostgreSql = 0,
        MySql = 1,
    }
}
namespace Aspire.Hosting
{
    public static class ProsodyBuilderExtensions
    {
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyAccountResource> AddAccount(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, [Aspire.Hosting.ApplicationModel.ResourceName] string name, string? userName = null, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource>? password = null) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyComponentResource> AddExternalComponent(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, [Aspire.Hosting.ApplicationModel.ResourceName] string name, string? subdomain = null, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource>? secret = null) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> AddProsody(this Aspire.Hosting.IDistributedApplicationBuilder builder, [Aspire.Hosting.ApplicationModel.ResourceName] string name, int? port = default, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource>? adminPassword = null) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithAdminUserName(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string userName) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithBosh(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithCertificate(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string certificatePath, string keyPath) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithCertificatesDirectory(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string directory) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithConfigurationFile(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string path) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithDataBindMount(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string source, bool isReadOnly = false) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithDataVolume(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string? name = null, bool isReadOnly = false) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithDisabledModules(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, params string[] modules) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithDomain(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string domain) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithEnabledModules(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, params string[] modules) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithExternalTurn(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string host, int port, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource> secret, bool tcp = false) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithExtraConfiguration(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string lua) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithFederation(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, int? port = default, bool requireEncryption = true, bool secureAuthentication = true, bool external = false) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithFederationTrust(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string certificateAuthorityPath) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithFileShare(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string subdomain = "upload", int? sizeLimitMegabytes = default, int? quotaGigabytes = default, int? expiryDays = default) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithLogLevel(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, Aspire.Hosting.ApplicationModel.ProsodyLogLevel level) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithMessageArchive(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, int retentionDays = 7) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithMetrics(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, bool enabled = true, string? allowedNetwork = null) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithModuleFiles(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string source, params string[] enable) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithMultiUserChat(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string subdomain = "conference", Aspire.Hosting.ApplicationModel.ProsodyRoomCreation roomCreation = 0, int? historyMessages = default) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithPostgres(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.PostgresDatabaseResource> database) { }
        [Aspire.Hosting.AspireExport("withPublicUrlParameter")]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithPublicUrl(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource> publicUrl) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithPublicUrl(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, System.Uri publicUrl) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithRateLimits(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string? clientToServer = null, string? serverToServer = null) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithRegistration(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, Aspire.Hosting.ApplicationModel.ProsodyRegistration registration) { }
        [Aspire.Hosting.AspireExport("withExternalSqlDatabase")]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithSqlDatabase(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, Aspire.Hosting.ApplicationModel.ProsodySqlDriver driver, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource> host, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource> databaseName, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource> userName, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource> password, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource>? port = null) { }
        [Aspire.Hosting.AspireExportIgnore(Reason="The generic database type parameter is C#-only. Polyglot AppHosts use the withSql" +
            "Database export, which takes any database resource with a connection string.")]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithSqlDatabase<TDatabase>(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, Aspire.Hosting.ApplicationModel.IResourceBuilder<TDatabase> database, Aspire.Hosting.ApplicationModel.ProsodySqlDriver driver)
            where TDatabase : Aspire.Hosting.ApplicationModel.IResourceWithConnectionString { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithSqliteStorage(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string fileName = "prosody.sqlite") { }
        [Aspire.Hosting.AspireExport(RunSyncOnBackgroundThread=true)]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithTurnServer(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, int port = 3478, int relayPortMin = 49160, int relayPortMax = 49169, string? externalAddress = null, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource>? secret = null, System.Action<Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.CoturnResource>>? configureContainer = null, string? containerName = null) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithUser(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, string userName, Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ParameterResource>? password = null, bool isAdmin = false) { }
        [Aspire.Hosting.AspireExport]
        public static Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> WithWebSocket(this Aspire.Hosting.ApplicationModel.IResourceBuilder<Aspire.Hosting.ApplicationModel.ProsodyResource> builder, bool enabled = true) { }
    }
}
