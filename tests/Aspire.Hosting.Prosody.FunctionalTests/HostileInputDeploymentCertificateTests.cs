using Aspire.Hosting.Prosody.Configuration;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// A deployment's certificate parameters, which only the container sees: the image's entrypoint wrapper checks them
/// with the image's LuaSec before Prosody starts, and a certificate Prosody cannot use stops the container at once
/// (exit 78) with a message naming the parameter, instead of "certmanager.lua:105: attempt to index a nil value".
/// PEM or base64 of the PEM (one line, for env-file tools) both work.
/// </summary>
public class HostileInputDeploymentCertificateTests
{
    private const string Domain = "chat.example.com";

    public static TheoryData<string, string, int, string> Cases() => new()
    {
        { "valid PEM", "valid", 0, "" },
        { "valid, base64 of the PEM", "base64", 0, "" },
        { "garbage", "garbage", 78, "the {name}-tls-certificate parameter (ASPIRE_TLS_CERTIFICATE) is not a PEM certificate" },
        { "a key of another certificate", "other-key", 78, "the {name}-tls-key parameter (ASPIRE_TLS_KEY) is not the PEM private key of the certificate" },
        { "expired", "expired", 78, "the {name}-tls-certificate parameter (ASPIRE_TLS_CERTIFICATE) is valid from" },
        { "not yet valid", "future", 78, "the {name}-tls-certificate parameter (ASPIRE_TLS_CERTIFICATE) is valid from" },
        { "for another domain", "wrong-domain", 78, "does not name the domain chat.example.com" },
        { "expiring within 30 days", "expiring", 0, "aspire: warning: the TLS certificate expires on" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    [RequiresContainers(ContainerImage.Prosody)]
    public void TheEntrypointStopsAtOnceNamingTheParameterForACertificateProsodyCannotUse(string what, string kind, int expectedExit, string expectedMessage)
    {
        var now = DateTimeOffset.UtcNow;
        var (certificate, key) = kind switch
        {
            "expired" => TestCertificates.Create(Domain, now.AddDays(-30), now.AddDays(-1)),
            "future" => TestCertificates.Create(Domain, now.AddDays(1), now.AddDays(30)),
            "wrong-domain" => TestCertificates.Create("other.example.com", now.AddDays(-1), now.AddDays(90)),
            "expiring" => TestCertificates.Create(Domain, now.AddDays(-1), now.AddDays(10)),
            _ => TestCertificates.Create(Domain, now.AddDays(-1), now.AddDays(90)),
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPIRE_TLS_CERTIFICATE"] = kind switch
            {
                "garbage" => "garbage",
                "base64" => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate)),
                _ => certificate,
            },
            ["ASPIRE_TLS_KEY"] = kind switch
            {
                "other-key" => TestCertificates.Create(Domain, now.AddDays(-1), now.AddDays(90)).Key,
                "base64" => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(key)),
                _ => key,
            },
            ["PROSODY_VIRTUAL_HOSTS"] = Domain,
        };
        var entrypoint = Path.Combine(Path.GetTempPath(), $"prosody-entrypoint-{Guid.NewGuid():N}.sh");
        File.WriteAllText(entrypoint, EmbeddedResources.Read("entrypoint.sh"));
        try
        {
            // "true" instead of Prosody: the checks run before the command, and a good certificate lets it run.
            var (exitCode, output) = ContainerRuntime.Run(ContainerRuntime.Name, environment,
                "run", "--rm", "--network", "none", "-e", "ASPIRE_TLS_CERTIFICATE", "-e", "ASPIRE_TLS_KEY", "-e", "PROSODY_VIRTUAL_HOSTS",
                "-v", $"{entrypoint}:/aspire-entrypoint.sh:ro", "--entrypoint", "/bin/sh", ContainerRuntime.ProsodyImage, "/aspire-entrypoint.sh", "true");

            Assert.True(exitCode == expectedExit, $"{what}: exit {exitCode}, expected {expectedExit}: {output}");
            Assert.Contains(expectedMessage, output);
            Assert.DoesNotContain("certmanager.lua", output);
            Assert.DoesNotContain("BEGIN", output);
        }
        finally
        {
            File.Delete(entrypoint);
        }
    }
}

/// <summary>Self-signed certificates for a name and a validity period, as PEM.</summary>
internal static class TestCertificates
{
    public static (string Certificate, string Key) Create(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var (certificate, key) = CertificateFactory.SelfSigned(name, [name], notBefore, notAfter);
        using (certificate)
        {
            return (certificate.ExportCertificatePem(), key);
        }
    }
}
