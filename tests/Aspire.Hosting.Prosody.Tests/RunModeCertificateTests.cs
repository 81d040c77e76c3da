using System.Collections.Immutable;
using Aspire.Hosting.Prosody.Tls;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>Which certificate run mode gives clients, and the one log line when they cannot validate it.</summary>
public class RunModeCertificateTests
{
    /// <summary>A certificate with the names of the .NET 10 developer certificate.</summary>
    private static X509Certificate2 DeveloperLike() =>
        TestCertificates.Create("localhost", out _, ["localhost", "*.dev.localhost", "*.dev.internal", "host.docker.internal", "host.containers.internal"]);

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

    [Fact]
    public void ProsodyGetsTheTrustedDeveloperCertificateUnlessTheAppModelTurnsItOffOrGivesAnother()
    {
        using var developer = DeveloperLike();
        using var other = DeveloperLike();
        var withDeveloperCertificate = Services(developer, useForHttps: true);

        var plain = TestModel.CreateBuilder().AddProsody("chat").Resource;
        Assert.Same(developer, AspireServerCertificate.Find(plain, withDeveloperCertificate));
        Assert.False(AspireServerCertificate.TurnedOff(plain, withDeveloperCertificate));

        // WithoutHttpsCertificate: no certificate, and no notice either, since that was the app model's choice.
        var without = TestModel.CreateBuilder().AddProsody("chat").WithoutHttpsCertificate().Resource;
        Assert.Null(AspireServerCertificate.Find(without, withDeveloperCertificate));
        Assert.True(AspireServerCertificate.TurnedOff(without, withDeveloperCertificate));

        // The AppHost turned HTTPS termination with the developer certificate off: the same.
        var turnedOff = Services(developer, useForHttps: false);
        Assert.Null(AspireServerCertificate.Find(plain, turnedOff));
        Assert.True(AspireServerCertificate.TurnedOff(plain, turnedOff));

        // WithHttpsCertificate: that one.
        var given = TestModel.CreateBuilder().AddProsody("chat").WithHttpsCertificate(other).Resource;
        Assert.Same(other, AspireServerCertificate.Find(given, withDeveloperCertificate));

        // No trusted developer certificate on the machine: nothing to give, and the notice is due.
        var none = Services(null, useForHttps: false);
        Assert.Null(AspireServerCertificate.Find(plain, none));
        Assert.False(AspireServerCertificate.TurnedOff(plain, none));
    }

    private static ServiceProvider Services(X509Certificate2? developerCertificate, bool useForHttps) =>
        new ServiceCollection()
#pragma warning disable ASPIRECERTIFICATES001
            .AddSingleton<IDeveloperCertificateService>(new DeveloperCertificates(developerCertificate is null ? [] : [developerCertificate], useForHttps))
#pragma warning restore ASPIRECERTIFICATES001
            .BuildServiceProvider();

#pragma warning disable ASPIRECERTIFICATES001
    /// <summary>What Aspire's service reports on a machine with (or without) a trusted developer certificate.</summary>
    private sealed class DeveloperCertificates(ImmutableList<X509Certificate2> certificates, bool useForHttps) : IDeveloperCertificateService
    {
        public ImmutableList<X509Certificate2> Certificates => certificates;

        public bool SupportsContainerTrust => !certificates.IsEmpty;

        public bool UseForHttps => useForHttps;

        public bool TrustCertificate => !certificates.IsEmpty;

        public bool LatestCertificateIsUntrusted => false;
    }
#pragma warning restore ASPIRECERTIFICATES001
}
