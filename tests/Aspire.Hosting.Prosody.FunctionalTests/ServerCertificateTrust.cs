using System.Runtime.CompilerServices;
using Aspire.Hosting.Prosody.Configuration;
using Aspire.Hosting.Prosody.Tls;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// What a client of a run-mode Prosody resource trusts: the certificate the AppHost gave it. That is the trusted
/// .NET developer certificate when Aspire has one that names the domain, otherwise the AppHost's self-signed
/// certificate for the domain. Clients check the chain against it and the name, and accept nothing else.
/// </summary>
internal static class ServerCertificateTrust
{
    private static readonly ConditionalWeakTable<ProsodyResource, IServiceProvider> Apps = new();

    /// <summary>Remembers which app runs each Prosody resource, so that clients can find its certificate.</summary>
    public static void Register(DistributedApplicationModel model, IServiceProvider services)
    {
        foreach (var prosody in model.Resources.OfType<ProsodyResource>())
        {
            Apps.AddOrUpdate(prosody, services);
        }
    }

    /// <summary>Validation for STARTTLS and wss:// to the domain; the anchor is looked up at the handshake, once the container exists.</summary>
    public static RemoteCertificateValidationCallback Validation(ProsodyResource prosody) =>
        (sender, certificate, chain, errors) => ServerCertificates.TrustOnly(Anchor(prosody))(sender, certificate, chain, errors);

    /// <summary>The certificate Aspire gives the resource (the developer certificate), or null without one.</summary>
    public static X509Certificate2? AspireCertificate(ProsodyResource prosody) =>
        AspireServerCertificate.Find(prosody, Services(prosody)) is { } certificate ? X509CertificateLoader.LoadCertificate(certificate.RawData) : null;

    /// <summary>The AppHost's self-signed certificate for the domain, which it creates when the container starts.</summary>
    public static X509Certificate2 SelfSignedCertificate(ProsodyResource prosody) =>
        Services(prosody).GetRequiredService<IConfiguration>()[DevelopmentCertificate.ConfigurationKey(prosody.Name, prosody.Domain)] is { Length: > 0 } pem
            ? X509Certificate2.CreateFromPem(pem)
            : throw new InvalidOperationException($"The AppHost has no self-signed certificate for '{prosody.Domain}' (yet): the container has not been created.");

    /// <summary>What a client of the domain trusts.</summary>
    public static X509Certificate2 Anchor(ProsodyResource prosody)
    {
        if (!ProsodyConfiguration.For(prosody).UsesAspireServerCertificate)
        {
            throw new InvalidOperationException($"'{prosody.Name}' has the app model's own certificate: give the client a ServerCertificateValidation for it.");
        }

        return AspireCertificate(prosody) is { } certificate && AspireServerCertificate.NamesDomain(certificate, prosody.Domain)
            ? certificate
            : SelfSignedCertificate(prosody);
    }

    private static IServiceProvider Services(ProsodyResource prosody) =>
        Apps.TryGetValue(prosody, out var services)
            ? services
            : throw new InvalidOperationException($"'{prosody.Name}' is not in an app made with TestApp.CreateBuilder, which tells clients which certificate to trust.");
}
