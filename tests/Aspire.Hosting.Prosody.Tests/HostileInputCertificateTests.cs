using Aspire.Hosting.Prosody.Tls;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// Certificates clients would refuse (expired, not yet valid, not naming the domain), given to WithCertificate or to
/// Aspire's WithHttpsCertificate, are refused while the model is built where it knows the domain, and otherwise when
/// the app starts, instead of a Healthy resource nobody can sign in to.
/// </summary>
public sealed class HostileInputCertificateTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("prosody-hostile-certificates-");

    public void Dispose() => _directory.Delete(recursive: true);

    private (string Certificate, string Key) Write(string name, double fromDays, double untilDays) =>
        TestCertificates.WritePem(_directory.FullName, name, Guid.NewGuid().ToString("N"), [name], TimeSpan.FromDays(fromDays), TimeSpan.FromDays(untilDays));

    private static X509Certificate2 Create(string name, double fromDays, double untilDays, out string keyPem) =>
        TestCertificates.Create(name, out keyPem, [name], TimeSpan.FromDays(fromDays), TimeSpan.FromDays(untilDays));

    private static void Start(DistributedApplication app)
    {
        foreach (var resource in app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProsodyResource>())
        {
            CertificateChecks.CheckAtStart(resource, app.Services);
        }
    }

    [Theory]
    [InlineData(-30, -1, "expired on")]
    [InlineData(1, 30, "is not valid before")]
    public void AnExpiredOrNotYetValidCertificateIsRefusedAtBuild(double fromDays, double untilDays, string reason)
    {
        var (certificate, key) = Write("chat.dev.localhost", fromDays, untilDays);

        var error = Assert.Throws<ArgumentException>("certificatePath", () => TestModel.CreateBuilder().AddProsody("chat").WithCertificate(certificate, key));

        Assert.Contains(reason, error.Message);
        Assert.Contains("current certificate", error.Message);
    }

    [Fact]
    public void ACertificateForAnotherDomainIsRefusedAtBuildWhicheverComesFirst()
    {
        var (certificate, key) = Write("other.example.com", -1, 90);

        var first = Assert.Throws<ArgumentException>("certificatePath", () =>
            TestModel.CreateBuilder().AddProsody("chat").WithDomain("chat.example.com").WithCertificate(certificate, key));
        Assert.Contains("does not name the domain 'chat.example.com'", first.Message);

        var chat = TestModel.CreateBuilder().AddProsody("chat").WithCertificate(certificate, key);
        var second = Assert.Throws<ArgumentException>("domain", () => chat.WithDomain("chat.example.com"));
        Assert.Contains("does not name the domain 'chat.example.com'", second.Message);
        Assert.Equal("chat.dev.localhost", chat.Resource.Domain);
    }

    [Fact]
    public void ACertificateForTheDomainSetLaterIsAccepted()
    {
        var (certificate, key) = Write("chat.example.com", -1, 90);

        var chat = TestModel.CreateBuilder().AddProsody("chat").WithCertificate(certificate, key).WithDomain("chat.example.com");

        Assert.Equal("chat.example.com", chat.Resource.Domain);
    }

    [Fact]
    public void ACertificateNotNamingTheDefaultDomainIsRefusedWhenTheAppStarts()
    {
        var (certificate, key) = Write("other.example.com", -1, 90);
        using var app = TestModel.BuildWithChat(chat => chat.WithCertificate(certificate, key));

        var error = Assert.Throws<InvalidOperationException>(() => Start(app));

        Assert.Contains("does not name the domain 'chat.dev.localhost'", error.Message);
        Assert.Contains("WithCertificate", error.Message);
    }

    [Theory]
    [InlineData("chat.dev.localhost", -30, -1, "expired on")]
    [InlineData("chat.dev.localhost", 1, 30, "is not valid before")]
    [InlineData("other.example.com", -1, 90, "does not name the domain 'chat.dev.localhost'")]
    public void ABadCertificateGivenToWithHttpsCertificateIsRefusedWhenTheAppStarts(string name, double fromDays, double untilDays, string reason)
    {
        using var certificate = Create(name, fromDays, untilDays, out _);
#pragma warning disable ASPIRECERTIFICATES001
        using var app = TestModel.BuildWithChat(chat => chat.WithHttpsCertificate(certificate));
#pragma warning restore ASPIRECERTIFICATES001

        var error = Assert.Throws<InvalidOperationException>(() => Start(app));

        Assert.Contains(reason, error.Message);
        Assert.Contains("WithHttpsCertificate", error.Message);
    }

    [Fact]
    public void AGoodCertificatePassesAndOneExpiringWithinThirtyDaysIsOnlyAWarning()
    {
        var (certificate, key) = Write("chat.dev.localhost", -1, 10);
        using var app = TestModel.BuildWithChat(chat => chat.WithCertificate(certificate, key));

        Start(app);
        using var loaded = X509CertificateLoader.LoadCertificateFromFile(certificate);
        Assert.True(CertificateChecks.ExpiresSoon(loaded, DateTimeOffset.UtcNow));
        Assert.False(CertificateChecks.ExpiresSoon(loaded, DateTimeOffset.UtcNow.AddDays(-30)));
    }
}
