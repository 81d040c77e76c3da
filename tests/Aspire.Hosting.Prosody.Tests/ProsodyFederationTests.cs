namespace Aspire.Hosting.Prosody.Tests;

/// <summary>Federation as a user sets it up: trusted certificates, siblings, network aliases, where s2s is published.</summary>
public sealed class ProsodyFederationTests : IDisposable
{
    private const string ConfigDirectory = "/etc/prosody/conf.d";
    private const string TrustDirectory = "/etc/prosody/aspire-trust";
    private const string CafileLine = "s2s_ssl = { cafile = \"/etc/prosody/aspire-trust/federation-ca.pem\" }";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("prosody-federation-");

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>A CA certificate in PEM, and optionally its key in the same file.</summary>
    private (string Path, X509Certificate2 Certificate) CertificateAuthority(string name, bool withKey = false)
    {
        var certificate = TestCertificates.Create(name, out var key, isAuthority: true);
        var path = Path.Combine(_directory.FullName, $"{name}.pem");
        File.WriteAllText(path, "a comment before the certificate\n" + certificate.ExportCertificatePem() + "\n" + (withKey ? key + "\n" : ""));
        return (path, certificate);
    }

    private static async Task<string> ConfigAsync(DistributedApplication app, IResource resource) =>
        await app.FileTextAsync(resource, ConfigDirectory, "aspire.cfg.lua");

    private static X509Certificate2Collection Bundle(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return collection;
    }

    [Theory]
    [InlineData(DistributedApplicationOperation.Run)]
    [InlineData(DistributedApplicationOperation.Publish)]
    public async Task WithFederationTrustCopiesOnlyTheCertificatesAndNamesThemAsTheServerToServerCafile(DistributedApplicationOperation operation)
    {
        var (first, firstCertificate) = CertificateAuthority("first-ca");
        var (second, secondCertificate) = CertificateAuthority("second-ca");
        var builder = TestModel.CreateBuilder(operation);
        var chat = builder.AddProsody("chat").WithFederationTrust(first).WithFederationTrust(second).WithFederationTrust(first).WithFederation();
        using var app = builder.Build();

        Assert.Contains(CafileLine, (await ConfigAsync(app, chat.Resource)).Split('\n'));
        var bundle = await app.FileTextAsync(chat.Resource, TrustDirectory, "federation-ca.pem");
        Assert.DoesNotContain("comment", bundle);
        Assert.Equal([firstCertificate.Thumbprint, secondCertificate.Thumbprint], Bundle(bundle).Select(c => c.Thumbprint));
    }

    [Fact]
    public async Task WithoutFederationOrAnyoneToTrustThereIsNoCafileAndNoTrustFile()
    {
        var (path, _) = CertificateAuthority("ca");
        var builder = TestModel.CreateBuilder();
        var federating = builder.AddProsody("chat").WithFederation();
        var trustOnly = builder.AddProsody("other").WithFederationTrust(path);
        using var app = builder.Build();
        await app.CompleteAtStartAsync();

        foreach (var resource in new[] { federating.Resource, trustOnly.Resource })
        {
            Assert.DoesNotContain("s2s_ssl", await ConfigAsync(app, resource));
            Assert.Empty(await app.FilesAsync(resource, TrustDirectory));
        }
    }

    [Fact]
    public async Task FederatingResourcesOfOneRunModeModelTrustTheCertificatesTheOthersPresent()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithFederation();
        var peer = builder.AddProsody("peer").WithFederation();
        var local = builder.AddProsody("local");
        using var app = builder.Build();
        await app.CompleteAtStartAsync();

        foreach (var (resource, other) in new[] { (chat.Resource, peer.Resource), (peer.Resource, chat.Resource) })
        {
            Assert.Contains(CafileLine, (await ConfigAsync(app, resource)).Split('\n'));
            // Exactly the certificate the other container gets for its domain, which it presents to servers.
            var presented = await app.FileTextAsync(other, "/etc/prosody/certs", $"{other.Domain}.crt");
            var trusted = Bundle(await app.FileTextAsync(resource, TrustDirectory, "federation-ca.pem"));
            Assert.Equal([Bundle(presented)[0].Thumbprint], trusted.Select(c => c.Thumbprint));
        }

        Assert.DoesNotContain("s2s_ssl", await ConfigAsync(app, local.Resource));
    }

    [Fact]
    public async Task APublishedModelTrustsNoSiblingOnlyTheGivenAuthorities()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithFederation();
        builder.AddProsody("peer").WithFederation();
        using var app = builder.Build();

        Assert.DoesNotContain("s2s_ssl", await ConfigAsync(app, chat.Resource));
        Assert.Empty(await app.FilesAsync(chat.Resource, TrustDirectory));
    }

    [Fact]
    public async Task InRunModeTheDomainAndComponentDomainsBecomeNetworkAliases()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithMultiUserChat().WithFileShare();
        chat.AddExternalComponent("bot");
        using var app = builder.Build();
        await app.CompleteAtStartAsync();
        await app.CompleteAtStartAsync();

        Assert.Equal(
            ["bot.chat.dev.localhost", "chat.dev.localhost", "conference.chat.dev.localhost", "upload.chat.dev.localhost"],
            chat.Resource.Annotations.OfType<ContainerNetworkAliasAnnotation>().Select(a => a.Alias).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task APublishedModelGetsNoNetworkAliases()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithMultiUserChat().WithFederation();
        using var app = await builder.BuildCompletedAsync();

        Assert.Empty(chat.Resource.Annotations.OfType<ContainerNetworkAliasAnnotation>());
    }

    [Theory]
    [InlineData(DistributedApplicationOperation.Run, false, "localhost", false)]
    [InlineData(DistributedApplicationOperation.Run, true, "0.0.0.0", true)]
    [InlineData(DistributedApplicationOperation.Publish, false, "localhost", false)]
    [InlineData(DistributedApplicationOperation.Publish, true, "localhost", true)]
    public void TheServerToServerPortStaysOnLoopbackUnlessExternal(DistributedApplicationOperation operation, bool external, string targetHost, bool isExternal)
    {
        var builder = TestModel.CreateBuilder(operation);
        var chat = builder.AddProsody("chat").WithFederation(external: external);

        var endpoint = Assert.Single(chat.Resource.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "s2s");
        Assert.Equal(targetHost, endpoint.TargetHost);
        Assert.Equal(isExternal, endpoint.IsExternal);
        Assert.Equal(external, chat.Resource.Settings.Federation!.External);
    }

    [Fact]
    public async Task TheModuleThatFindsLocalhostServersIsLoadedWithFederationOnly()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithFederation();
        var local = builder.AddProsody("local");
        using var app = builder.Build();

        Assert.Contains("aspire_federation", (await app.EnvironmentAsync(chat.Resource))["PROSODY_ENABLE_MODULES"].Split(','));
        Assert.DoesNotContain("aspire_federation", (await app.EnvironmentAsync(local.Resource))["PROSODY_ENABLE_MODULES"].Split(','));
        var module = Assert.IsType<ContainerFile>(Assert.Single(
            await app.AllFilesAsync(chat.Resource), f => f.Path == "/usr/local/lib/prosody-aspire/modules/mod_aspire_federation.lua").File);
        Assert.Contains("getaddrinfo", module.Contents);
    }

    [Fact]
    public async Task RunModeReadsEtcHostsUnlessItNamesALocalhostHost()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithFederation();
        using var app = builder.Build();

        var lines = (await ConfigAsync(app, chat.Resource)).Split('\n');
        Assert.Contains("local etc_hosts = (Lua or _G).io.open(\"/etc/hosts\")", lines);
        Assert.Contains("local read_hosts = not ((\"\\n\" .. hosts_text:gsub(\"#[^\\n]*\", \"\") .. \"\\n\"):lower():find(\"%.localhost%.?%s\"))", lines);
        Assert.Contains("if network_dns then unbound = { resolvconf = false; forward = { network_dns }; hoststxt = read_hosts } end", lines);
    }

    [Fact]
    public void WithFederationTrustRefusesAMissingFileNamingTheArgument()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat");
        var error = Assert.Throws<ArgumentException>("certificateAuthorityPath", () => chat.WithFederationTrust(Path.Combine(_directory.FullName, "missing.pem")));
        Assert.Contains("absolute or relative to the AppHost's directory", error.Message);
        Assert.Empty(chat.Resource.Settings.FederationTrust);
    }

    [Fact]
    public void WithFederationTrustRefusesAFileWithoutACertificate()
    {
        var path = Path.Combine(_directory.FullName, "not-a-certificate.pem");
        File.WriteAllText(path, "not a certificate\n");
        var chat = TestModel.CreateBuilder().AddProsody("chat");
        var error = Assert.Throws<ArgumentException>("certificateAuthorityPath", () => chat.WithFederationTrust(path));
        Assert.Contains("holds no PEM certificate", error.Message);
    }

    [Fact]
    public void WithFederationTrustRefusesAFileWithAPrivateKeyBecauseItIsCopiedIntoTheImage()
    {
        var (path, _) = CertificateAuthority("with-key", withKey: true);
        var chat = TestModel.CreateBuilder().AddProsody("chat");
        var error = Assert.Throws<ArgumentException>("certificateAuthorityPath", () => chat.WithFederationTrust(path));
        Assert.Contains("private key", error.Message);
    }

    [Fact]
    public void WithFederationTrustRefusesNullAndEmpty()
    {
        var chat = TestModel.CreateBuilder().AddProsody("chat");
        Assert.Throws<ArgumentNullException>("certificateAuthorityPath", () => chat.WithFederationTrust(null!));
        Assert.Throws<ArgumentException>("certificateAuthorityPath", () => chat.WithFederationTrust(""));
        Assert.Throws<ArgumentNullException>("builder", () => ProsodyBuilderExtensions.WithFederationTrust(null!, "ca.pem"));
    }
}
