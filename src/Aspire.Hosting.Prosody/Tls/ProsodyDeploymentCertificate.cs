namespace Aspire.Hosting.Prosody.Tls;

/// <summary>
/// A deployment's certificate: two parameters, <c>{name}-tls-certificate</c> and <c>{name}-tls-key</c> (secret),
/// that reach the container as environment variables; the entrypoint wrapper writes them to files at start.
/// </summary>
/// <remarks>
/// Prosody requires encryption before a password, so a server without a certificate is one nobody can sign in to.
/// A published model therefore always asks for one: the parameters have no default and appear in the manifest only
/// as placeholders. <c>WithCertificate(certificatePath, keyPath)</c> makes the AppHost read their values from the
/// files when it deploys; otherwise they come from configuration (<c>Parameters:{name}-tls-key</c>) or from
/// whoever deploys the manifest. A key in a parameter can be rotated without a rebuild and never enters an image.
/// The parameters are added when the app starts (publishing starts it too), once the last certificate call is known:
/// a mounted certificates directory needs none (<see cref="ProsodyConfiguration.NeedsDeploymentTlsParameters"/>).
/// </remarks>
internal static class ProsodyDeploymentCertificate
{
    public static ProsodyDeploymentTls AddParameters(IDistributedApplicationBuilder app, ProsodyResource resource)
    {
        var settings = resource.Settings;
        var name = resource.Name;
        var certificate = app.AddParameter($"{name}-tls-certificate", () => Value(app, $"{name}-tls-certificate", settings.Certificates?.CertificatePath), publishValueAsDefault: false, secret: false)
            .WithDescription($"The TLS certificate chain (PEM) of the Prosody resource '{name}', for its domain and subdomains.");
        var key = app.AddParameter($"{name}-tls-key", () => Value(app, $"{name}-tls-key", settings.Certificates?.KeyPath), publishValueAsDefault: false, secret: true)
            .WithDescription($"The private key (PEM) of the certificate in {name}-tls-certificate.");
        return new ProsodyDeploymentTls(certificate.Resource, key.Resource);
    }

    private static string Value(IDistributedApplicationBuilder app, string parameterName, string? path) =>
        path is not null ? File.ReadAllText(path)
        : app.Configuration[$"Parameters:{parameterName}"] is { Length: > 0 } configured ? configured
        : throw new MissingParameterValueException(
            $"The parameter '{parameterName}' has no value. Prosody needs a certificate to let clients sign in: call WithCertificate(certificatePath, keyPath) in the AppHost, or give the PEM text in the configuration key 'Parameters:{parameterName}' when you deploy.");
}
