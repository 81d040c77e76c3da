#pragma warning disable ASPIREPROBES001 // probes are experimental in Aspire 13.6.5
using Aspire.Hosting.Prosody.Publishing;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>What a published model hands a platform: the derived image, the certificate parameters and the probes.</summary>
public class ProsodyPublishTests
{
    private static async Task<(string Dockerfile, string Context)> DockerfileAsync(DistributedApplication app, IResource resource)
    {
        var annotation = Assert.Single(resource.Annotations.OfType<DockerfileBuildAnnotation>());
        var dockerfile = await annotation.DockerfileFactory!(new DockerfileFactoryContext { Services = app.Services, Resource = resource, CancellationToken = CancellationToken.None });
        return (dockerfile, annotation.ContextPath);
    }

    [Fact]
    public async Task ThePublishedManifestBuildsProsodyFromTheDerivedImageWithAContextBesideIt()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat");
        using var app = builder.Build();

        var manifest = await SecretsManifest.WriteAsync(app);

        var entry = manifest["resources"]!["chat"]!;
        Assert.Equal("container.v1", (string?)entry["type"]);
        Assert.Null(entry["image"]);
        Assert.Null(entry["entrypoint"]);
        Assert.Null(entry["args"]);
        Assert.Equal(Path.Combine(builder.Configuration["Pipeline:OutputPath"]!, "chat"), Assert.Single(chat.Resource.Annotations.OfType<DockerfileBuildAnnotation>()).ContextPath);
    }

    [Theory]
    [InlineData(null, null, "docker.io/prosodyim/prosody:13.0")]
    [InlineData("0.12", null, "docker.io/prosodyim/prosody:0.12")]
    [InlineData(null, "registry.example.com", "registry.example.com/prosodyim/prosody:13.0")]
    public async Task TheDerivedImageStartsFromTheConfiguredImageAndRunsTheEntrypointWrapper(string? tag, string? registry, string expectedBase)
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat");
        if (tag is not null)
        {
            chat.WithImageTag(tag);
        }

        if (registry is not null)
        {
            chat.WithImageRegistry(registry);
        }

        using var app = builder.Build();

        var (dockerfile, _) = await DockerfileAsync(app, chat.Resource);

        var lines = dockerfile.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#')).ToArray();
        Assert.Equal($"FROM {expectedBase}", lines[0]);
        Assert.Equal("ENTRYPOINT [\"/usr/local/lib/prosody-aspire/entrypoint.sh\"]", lines[^2]);
        Assert.Equal("CMD [\"prosody\",\"-F\"]", lines[^1]);
        Assert.All(lines[1..^2], line => Assert.StartsWith("COPY [\"files/", line, StringComparison.Ordinal));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheBuildContextHoldsWhatTheContainerFilesDeliverWithTheirModesAndNoCertificate()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        using var pems = TestPems.Create("chat.example.com");
        var file = Path.Combine(pems.Directory, "mine.cfg.lua");
        await File.WriteAllTextAsync(file, "c2s_timeout = 300\n", TestContext.Current.CancellationToken);
        var chat = builder.AddProsody("chat").WithDomain("chat.example.com")
            .WithExtraConfiguration("-- extra")
            .WithConfigurationFile(file)
            .WithCertificate(pems.CertificatePath, pems.KeyPath);
        using var app = builder.Build();

        var (dockerfile, context) = await DockerfileAsync(app, chat.Resource);

        // Every file the container-file callbacks deliver is in the context, with the same bytes and mode.
        var expected = await ContentsAsync(app, chat.Resource);

        var actual = Directory.EnumerateFiles(Path.Combine(context, ProsodyImage.FilesFolder), "*", SearchOption.AllDirectories)
            .ToDictionary(path => "/" + Path.GetRelativePath(Path.Combine(context, ProsodyImage.FilesFolder), path).Replace('\\', '/'),
                path => (File.ReadAllText(path), File.GetUnixFileMode(path)));
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(
            ["/etc/prosody/aspire.d/01-extra.cfg.lua", "/etc/prosody/aspire.d/02-file.cfg.lua", "/etc/prosody/conf.d/aspire.cfg.lua",
             "/usr/local/lib/prosody-aspire/entrypoint.sh", "/usr/local/lib/prosody-aspire/modules/mod_aspire_accounts.lua",
             "/usr/local/lib/prosody-aspire/modules/mod_aspire_federation.lua", "/usr/local/lib/prosody-aspire/modules/mod_aspire_health.lua",
             "/usr/local/lib/prosody-aspire/modules/mod_aspire_sql_failover.lua"],
            actual.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            actual["/usr/local/lib/prosody-aspire/entrypoint.sh"].Item2);
        Assert.Equal("c2s_timeout = 300\n", actual["/etc/prosody/aspire.d/02-file.cfg.lua"].Item1);

        // The same model in run mode copies the same bytes, except the generated configuration (its run-mode
        // differences are listed by SecureDefaultsTests) and the certificates.
        var runBuilder = TestModel.CreateBuilder();
        var runChat = runBuilder.AddProsody("chat").WithDomain("chat.example.com")
            .WithExtraConfiguration("-- extra")
            .WithConfigurationFile(file)
            .WithCertificate(pems.CertificatePath, pems.KeyPath);
        using var runApp = runBuilder.Build();
        var run = await ContentsAsync(runApp, runChat.Resource);

        Assert.Equal(["/etc/prosody/certs/chat.example.com.crt", "/etc/prosody/certs/chat.example.com.key"], run.Keys.Except(actual.Keys).Order(StringComparer.Ordinal));
        Assert.All(actual.Where(f => f.Key != "/etc/prosody/conf.d/aspire.cfg.lua"), f => Assert.Equal(run[f.Key], f.Value));

        // Run mode copies the certificate and key in; the image gets neither.
        Assert.DoesNotContain("/etc/prosody/certs", dockerfile);
        var key = await File.ReadAllTextAsync(pems.KeyPath, TestContext.Current.CancellationToken);
        Assert.All(Directory.EnumerateFiles(context, "*", SearchOption.AllDirectories), path => Assert.DoesNotContain(key.Split('\n')[1], File.ReadAllText(path)));
    }

    [Fact]
    public async Task WritingTheContextAgainReplacesFilesThatTheModelNoLongerHas()
    {
        var output = Path.Combine(Path.GetTempPath(), "prosody-publish-tests", Guid.NewGuid().ToString("N"));
        var stale = Path.Combine(output, "chat", ProsodyImage.FilesFolder, "etc", "prosody", "aspire.d", "09-extra.cfg.lua");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        await File.WriteAllTextAsync(stale, "-- from an earlier publish", TestContext.Current.CancellationToken);
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            DisableDashboard = true,
            Args = ["AppHost:Operation=publish", $"Pipeline:OutputPath={output}", "Pipeline:Step=publish"],
        });
        var chat = builder.AddProsody("chat");
        using var app = builder.Build();

        await DockerfileAsync(app, chat.Resource);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(Path.Combine(output, "chat", ProsodyImage.FilesFolder, "etc", "prosody", "conf.d", "aspire.cfg.lua")));
    }

    [Fact]
    public async Task APublishedModelAsksForTheCertificateAndKeyAsParametersThatWithCertificateFillsFromItsFiles()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        using var pems = TestPems.Create("chat.example.com");
        builder.AddProsody("chat").WithDomain("chat.example.com").WithCertificate(pems.CertificatePath, pems.KeyPath);
        using var app = await builder.BuildCompletedAsync();

        var parameters = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().ToDictionary(p => p.Name);

        Assert.False(parameters["chat-tls-certificate"].Secret);
        Assert.True(parameters["chat-tls-key"].Secret);
        Assert.Equal(await File.ReadAllTextAsync(pems.CertificatePath, TestContext.Current.CancellationToken), await parameters["chat-tls-certificate"].GetValueAsync(TestContext.Current.CancellationToken));
        Assert.Equal(await File.ReadAllTextAsync(pems.KeyPath, TestContext.Current.CancellationToken), await parameters["chat-tls-key"].GetValueAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WithoutACertificateTheDeploymentMustSupplyTheParametersAndMissingOnesNameTheFix()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        builder.AddProsody("chat");
        using var app = await builder.BuildCompletedAsync();
        var key = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().Single(p => p.Name == "chat-tls-key");

        var missing = await Assert.ThrowsAsync<MissingParameterValueException>(async () => await key.GetValueAsync(CancellationToken.None));

        Assert.Contains("WithCertificate(certificatePath, keyPath)", missing.Message);
        Assert.Contains("Parameters:chat-tls-key", missing.Message);
    }

    [Fact]
    public async Task AKeyGivenInConfigurationIsWhatTheContainersKeyVariableResolvesTo()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Parameters:chat-tls-certificate"] = "-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----\n",
            ["Parameters:chat-tls-key"] = "-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n",
        });
        var chat = builder.AddProsody("chat");
        using var app = await builder.BuildCompletedAsync();

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Publish);

        var key = Assert.IsType<ParameterResource>(environment[ProsodyConfiguration.TlsKeyVariable]);
        Assert.Equal("-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n", await key.GetValueAsync(TestContext.Current.CancellationToken));
        var certificate = Assert.IsType<ParameterResource>(environment[ProsodyConfiguration.TlsCertificateVariable]);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await certificate.GetValueAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMountedCertificatesDirectoryReplacesTheCertificateParameters()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithCertificatesDirectory(Directory.CreateTempSubdirectory().FullName);
        using var app = await builder.BuildCompletedAsync();

        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Publish);

        Assert.DoesNotContain(app.Services.GetRequiredService<DistributedApplicationModel>().Resources, r => r.Name.StartsWith("chat-tls-", StringComparison.Ordinal));
        Assert.DoesNotContain(ProsodyConfiguration.TlsKeyVariable, environment.Keys);
    }

    [Fact]
    public void ThePublishedProsodyHasLivenessAndReadinessProbesOnItsHttpEndpoint()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat");

        var probes = chat.Resource.Annotations.OfType<EndpointProbeAnnotation>().ToDictionary(p => p.Type);

        Assert.Equal("/aspire-health/live", probes[ProbeType.Liveness].Path);
        Assert.Equal("/aspire-health/ready", probes[ProbeType.Readiness].Path);
        Assert.All(probes.Values, p => Assert.Equal("http", p.EndpointReference.EndpointName));
    }

    [Fact]
    public async Task RunModeHasNoDerivedImageNoCertificateParametersAndNoProbes()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");
        using var app = builder.Build();

        Assert.Empty(chat.Resource.Annotations.OfType<DockerfileBuildAnnotation>());
        Assert.Empty(chat.Resource.Annotations.OfType<ProbeAnnotation>());
        Assert.DoesNotContain(app.Services.GetRequiredService<DistributedApplicationModel>().Resources, r => r.Name.StartsWith("chat-tls-", StringComparison.Ordinal));
        Assert.DoesNotContain(ProsodyConfiguration.TlsKeyVariable, (await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run)).Keys);
    }

    [Fact]
    public async Task APublishedPostgresServerCreatesProsodysDatabaseOnItsFirstStartUnlessTheModelChoseOne()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var pg = builder.AddPostgres("pg");
        builder.AddProsody("chat").WithPostgres(pg.AddDatabase("prosodydb"));
        var chosen = builder.AddPostgres("pg2").WithEnvironment("POSTGRES_DB", "mine");
        builder.AddProsody("chat2").WithPostgres(chosen.AddDatabase("prosodydb2"));
        using var app = builder.Build();

        var manifest = await SecretsManifest.WriteAsync(app);

        Assert.Equal("prosodydb", (string?)manifest["resources"]!["pg"]!["env"]!["POSTGRES_DB"]);
        Assert.Equal("mine", (string?)manifest["resources"]!["pg2"]!["env"]!["POSTGRES_DB"]);
    }

    /// <summary>Each file the container gets, by path: its text (or its source file's) and its mode.</summary>
    private static async Task<Dictionary<string, (string Contents, UnixFileMode Mode)>> ContentsAsync(DistributedApplication app, IResource resource) =>
        (await app.AllFilesAsync(resource)).ToDictionary(f => f.Path, f => (f.File.Contents ?? File.ReadAllText(f.File.SourcePath!), f.File.Mode));

    /// <summary>A self-signed certificate and its key in PEM files, in a directory of their own.</summary>
    private sealed class TestPems : IDisposable
    {
        private TestPems(string directory) => Directory = directory;

        public string Directory { get; }

        public string CertificatePath => Path.Combine(Directory, "tls.crt");

        public string KeyPath => Path.Combine(Directory, "tls.key");

        public static TestPems Create(string domain)
        {
            var pems = new TestPems(System.IO.Directory.CreateTempSubdirectory("prosody-pems-").FullName);
            TestCertificates.WritePem(pems.Directory, domain);
            return pems;
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
