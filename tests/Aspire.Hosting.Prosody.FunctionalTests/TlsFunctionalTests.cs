using System.Collections.Immutable;
using Aspire.Hosting.Prosody.Tls;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Run mode's certificates as clients meet them: the trusted .NET developer certificate for STARTTLS and wss://,
/// validated by chain and name; and the self-signed fallback, with the one log line that says how to do better.
/// </summary>
[RequiresContainers]
public sealed class TlsFunctionalTests
{
    [Fact]
    public async Task WithATrustedDeveloperCertificateClientsValidateItOverStartTlsAndSecureWebSocket()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        await using var app = await builder.BuildAsync(Cancel);
        using var developerCertificate = RequireDeveloperCertificate(app);
        await app.StartAsync("chat");
        Assert.Equal("chat.dev.localhost", chat.Resource.Domain);

        // STARTTLS: the certificate names chat.dev.localhost and chains to the developer certificate, and nothing else is trusted.
        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        Assert.True(alice.IsTlsEstablished);
        Assert.Equal(developerCertificate.Thumbprint, alice.ServerCertificate?.Thumbprint);

        // The machine trusts it too: a client that only does the platform's own validation signs in.
        var platformOptions = chat.Resource.ClientOptions("alice", await password.ValueAsync()) with
        {
            ServerCertificateValidation = (_, _, _, errors) => errors == SslPolicyErrors.None,
        };
        await using (await XmppClient.ConnectAsync(platformOptions, Cancel))
        {
        }

        // A client that trusts only the AppHost's self-signed certificate refuses the server: the validation can fail.
        var selfSignedOnly = chat.Resource.ClientOptions("alice", await password.ValueAsync()) with
        {
            ServerCertificateValidation = ServerCertificates.TrustOnly(ServerCertificateTrust.SelfSignedCertificate(chat.Resource)),
        };
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await XmppClient.ConnectAsync(selfSignedOnly, Cancel)).DisposeAsync());

        // wss:// on the https endpoint (container port 5281), checked the same way.
        await using var web = await XmppClient.ConnectWebSocketAsync(
            chat.Resource.SecureWebSocketUri(), chat.Resource.ClientOptions("alice", await password.ValueAsync()), Cancel);
        Assert.Equal(developerCertificate.Thumbprint, web.ServerCertificate?.Thumbprint);
        Assert.Equal($"alice@chat.dev.localhost", web.Jid.Bare.ToString());

        Assert.DoesNotContain(await app.ConsoleLinesAsync(chat.Resource), line => line.Contains("dev-certs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutADeveloperCertificateClientsGetTheSelfSignedOneAndTheLogSaysOnceHowToGetATrustedOne()
    {
        var builder = TestApp.CreateBuilder();
        // A machine without a trusted developer certificate, without touching this machine's certificate store.
#pragma warning disable ASPIRECERTIFICATES001
        builder.Services.AddSingleton<IDeveloperCertificateService, NoDeveloperCertificate>();
#pragma warning restore ASPIRECERTIFICATES001
        var password = builder.AddPassword("alice-password");
        var chat = builder.AddProsody("chat").WithUser("alice", password);
        await using var app = await builder.StartAsync("chat");

        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        using var selfSigned = ServerCertificateTrust.SelfSignedCertificate(chat.Resource);
        Assert.Equal(selfSigned.Thumbprint, alice.ServerCertificate?.Thumbprint);
        Assert.True(alice.ServerCertificate!.MatchesHostname("chat.dev.localhost"));

        var notice = Assert.Single(await app.ConsoleLinesAsync(chat.Resource), line => line.Contains(AspireServerCertificate.DeveloperCertificateCommand, StringComparison.Ordinal));
        Assert.Contains("self-signed certificate for 'chat.dev.localhost'", notice, StringComparison.Ordinal);
    }

    /// <summary>The developer certificate Aspire found; skipped here (failed on CI) when the machine has none.</summary>
    private static X509Certificate2 RequireDeveloperCertificate(DistributedApplication app)
    {
#pragma warning disable ASPIRECERTIFICATES001
        var service = app.Services.GetRequiredService<IDeveloperCertificateService>();
        if (service.Certificates.FirstOrDefault() is not { } certificate || !service.UseForHttps)
#pragma warning restore ASPIRECERTIFICATES001
        {
            ContainerRuntime.Unavailable("this test", $"It needs a trusted ASP.NET Core developer certificate: run '{AspireServerCertificate.DeveloperCertificateCommand}' (CI's .ci/run does).");
            return null!;
        }

        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

#pragma warning disable ASPIRECERTIFICATES001
    private sealed class NoDeveloperCertificate : IDeveloperCertificateService
    {
        public ImmutableList<X509Certificate2> Certificates => [];

        public bool SupportsContainerTrust => false;

        public bool UseForHttps => false;

        public bool TrustCertificate => false;

        public bool LatestCertificateIsUntrusted => false;
    }
#pragma warning restore ASPIRECERTIFICATES001
}
