using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.Prosody.Configuration;
using Aspire.Hosting.Prosody.Tls;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>Which certificate run mode gives clients, and the one log line when they cannot validate it.</summary>
public class RunModeCertificateTests
{
    /// <summary>A certificate with the names of the .NET 10 developer certificate.</summary>
    private static X509Certificate2 DeveloperLike()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in (string[])["localhost", "*.dev.localhost", "*.dev.internal", "host.docker.internal", "host.containers.internal"])
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static ProsodyConfiguration RunConfiguration(Action<IResourceBuilder<ProsodyResource>>? configure = null)
    {
        var chat = TestModel.CreateBuilder().AddProsody("chat");
        configure?.Invoke(chat);
        return ProsodyConfiguration.For(chat.Resource);
    }

    [Theory]
    [InlineData("chat.dev.localhost", true)]
    [InlineData("bot.dev.internal", true)]
    [InlineData("chat.localhost", false)]
    [InlineData("rooms.chat.dev.localhost", false)] // a wildcard covers one label: components' names are not covered
    [InlineData("chat.example.com", false)]
    public void TheDeveloperCertificateNamesOnlyDomainsOneLabelUnderDevLocalhostOrDevInternal(string domain, bool named)
    {
        using var certificate = DeveloperLike();
        Assert.Equal(named, AspireServerCertificate.NamesDomain(certificate, domain));
    }

    [Fact]
    public void WithoutADeveloperCertificateTheNoticeSaysTheSelfSignedCertificateIsUsedAndHowToGetATrustedOne()
    {
        var notice = RunModeCertificateNotice.For(RunConfiguration(), aspireCertificate: null);

        Assert.NotNull(notice);
        Assert.Contains("self-signed certificate for 'chat.dev.localhost'", notice, StringComparison.Ordinal);
        Assert.Contains("dotnet dev-certs https --trust", notice, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', notice);
    }

    [Fact]
    public void ADeveloperCertificateThatNamesTheDomainNeedsNoNotice()
    {
        using var certificate = DeveloperLike();
        Assert.Null(RunModeCertificateNotice.For(RunConfiguration(), certificate));
    }

    [Fact]
    public void ADomainTheDeveloperCertificateDoesNotNameGetsANoticeThatSaysWhichDomainsItNames()
    {
        using var certificate = DeveloperLike();
        var notice = RunModeCertificateNotice.For(RunConfiguration(chat => chat.WithDomain("chat.localhost")), certificate);

        Assert.NotNull(notice);
        Assert.Contains("does not name 'chat.localhost'", notice, StringComparison.Ordinal);
        Assert.Contains(".dev.localhost", notice, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAppModelsOwnCertificatesNeedNoNoticeAndNoDeveloperCertificate()
    {
        var directory = Directory.CreateTempSubdirectory("prosody-certs-");
        try
        {
            var configuration = RunConfiguration(chat => chat.WithCertificatesDirectory(directory.FullName));
            Assert.False(configuration.UsesAspireServerCertificate);
            Assert.Null(RunModeCertificateNotice.For(configuration, aspireCertificate: null));
        }
        finally
        {
            directory.Delete();
        }
    }
}
