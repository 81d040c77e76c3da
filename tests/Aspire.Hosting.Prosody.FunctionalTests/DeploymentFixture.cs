using System.Net.Http;
using System.Text.Json.Nodes;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Publishes a full app model, builds the derived image with Aspire's own build step, and starts every container
/// from the manifest alone on a <see cref="ManifestPlatform"/>: what a deployment gets, with no run mode and no
/// orchestrator. Done once for the tests of <see cref="DeploymentFunctionalTests"/>.
/// </summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    public const string Domain = "chat.example.test";
    public const string ProsodyName = "xmpp";
    public const string ComponentName = "bridge";
    public const string TurnName = "xmpp-turn";

    // TURN ports are exposed one to one (clients are told them): ports no other test uses.
    public const int TurnPort = 3485;
    public const int RelayPortMin = 49200;
    public const int RelayPortMax = 49201;

    private readonly List<string> _log = [];

    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("prosody-deploy-").FullName;

    public string OutputDirectory => Path.Combine(WorkDirectory, "out");

    internal TestCertificateAuthority CertificateAuthority { get; } = new();

    /// <summary>The values the deployer supplies for the model's parameters; the TLS ones are read from the PEM files.</summary>
    public Dictionary<string, string> ParameterValues { get; } = [];

    public string CertificatePem { get; private set; } = "";

    public string KeyPem { get; private set; } = "";

    public string ManifestText { get; private set; } = "";

    public string Image { get; private set; } = "";

    internal ManifestPlatform Platform { get; private set; } = null!;

    /// <summary>The reverse proxy in front of Prosody's HTTPS port; the deployment's public URL names its port.</summary>
    internal TcpReverseProxy Proxy { get; private set; } = null!;

    /// <summary>The public URL of Prosody's HTTP services, a deployment parameter (<c>WithPublicUrl</c>).</summary>
    public string PublicUrl => ParameterValues["xmpp-public-url"];

    /// <summary>What the readiness probe answered while the database was not there yet, and once it was.</summary>
    public (int Live, int ReadyWithoutDatabase, int ReadyWithDatabase) Probes { get; private set; }

    public Exception? Failure { get; private set; }

    public string Password(string name) => ParameterValues[name];

    /// <summary>
    /// Fails when the deployment could not be made, and replays its log. (The runtime itself is required by the test
    /// class's attribute, which skips or, in CI, fails before this runs.)
    /// </summary>
    public void Require()
    {
        foreach (var line in _log)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }

        if (Failure is not null)
        {
            throw new InvalidOperationException($"The deployment failed: {Failure.Message}", Failure);
        }
    }

    public void Model(IDistributedApplicationBuilder builder)
    {
        var db = builder.AddPostgres("pg", password: builder.AddParameter("pg-password", secret: true)).AddDatabase("prosodydb");
        var xmpp = builder.AddProsody(ProsodyName, adminPassword: builder.AddParameter("xmpp-admin-password", secret: true))
            .WithDomain(Domain)
            .WithUser("alice", builder.AddParameter("alice-password", secret: true))
            .WithPostgres(db)
            .WithMultiUserChat()
            .WithFileShare()
            .WithMessageArchive(retentionDays: 7)
            .WithTurnServer(port: TurnPort, relayPortMin: RelayPortMin, relayPortMax: RelayPortMax, secret: builder.AddParameter("turn-secret", secret: true))
            .WithCertificate(Path.Combine(WorkDirectory, "tls.crt"), Path.Combine(WorkDirectory, "tls.key"))
            .WithPublicUrl(builder.AddParameter("xmpp-public-url"));
        xmpp.AddExternalComponent(ComponentName, secret: builder.AddParameter("bridge-secret", secret: true));
    }

    public async ValueTask InitializeAsync()
    {
        if (ContainerRuntime.Find().Name is not { } runtime)
        {
            return;
        }

        try
        {
            await DeployAsync(runtime);
        }
        catch (Exception ex)
        {
            Failure = ex;
            Log($"deployment failed: {ex}");
            if (Platform is not null)
            {
                Log($"xmpp logs:\n{Platform.Logs(ProsodyName)}");
            }
        }
    }

    private async Task DeployAsync(string runtime)
    {
        var issued = CertificateAuthority.Issue(Domain);
        CertificatePem = issued.CertificatePem;
        KeyPem = issued.KeyPem;
        issued.Certificate.Dispose();
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "tls.crt"), CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "tls.key"), KeyPem);

        foreach (var name in new[] { "pg-password", "xmpp-admin-password", "alice-password", "turn-secret", "bridge-secret" })
        {
            ParameterValues[name] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        }

        // The proxy listens first: its port is the public one, and the deployment parameter names it.
        Proxy = new TcpReverseProxy(() => Platform.HostPort(ProsodyName, "https"));
        ParameterValues["xmpp-public-url"] = $"https://{Domain}:{Proxy.Port}/";

        var configuration = ParameterValues.ToDictionary(p => $"Parameters:{p.Key}", p => (string?)p.Value);

        // Aspire's own steps: the manifest, then the derived image with the container runtime (podman build).
        await AspirePipeline.RunStepAsync("publish-manifest", OutputDirectory, configuration, Model);
        ManifestText = await File.ReadAllTextAsync(Path.Combine(OutputDirectory, "aspire-manifest.json"));
        Log($"manifest:\n{ManifestText}");
        var resources = await AspirePipeline.RunStepAsync($"build-{ProsodyName}", OutputDirectory, configuration, Model);
        var prosody = resources.OfType<ProsodyResource>().Single();
        Assert.True(prosody.TryGetContainerImageName(useBuiltImage: true, out var built));
        Image = built.Contains('/') ? built : $"localhost/{built}";
        Log($"built image: {Image}");

        // The deployer gives the platform the parameter values; the certificate and key are the PEM files' contents.
        ParameterValues[$"{ProsodyName}-tls-certificate"] = CertificatePem;
        ParameterValues[$"{ProsodyName}-tls-key"] = KeyPem;
        // The public address of TURN: this machine's loopback, where the platform exposes coturn's ports.
        ParameterValues[$"{TurnName}-external-address"] = "127.0.0.1";
        Platform = new ManifestPlatform(runtime, JsonNode.Parse(ManifestText)!, ParameterValues, new Dictionary<string, string> { [ProsodyName] = Image }, Log);

        // Prosody first: until the database answers it has no accounts, and readiness must say so.
        Platform.Start(ProsodyName);
        Platform.Start(TurnName);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Platform.HostPort(ProsodyName, "http")}"), Timeout = TimeSpan.FromSeconds(10) };
        var live = await WaitForStatusAsync(http, "/aspire-health/live", status => status == 200, TimeSpan.FromSeconds(60));
        var readyWithoutDatabase = await StatusAsync(http, "/aspire-health/ready");
        Platform.Start("pg");
        var ready = await WaitForStatusAsync(http, "/aspire-health/ready", status => status == 200, TimeSpan.FromSeconds(120));
        Probes = (live, readyWithoutDatabase, ready);
        Log($"probes: live {live}, ready without the database {readyWithoutDatabase}, ready with it {ready}");
        Log($"{ProsodyName} logs so far:\n{Platform.Logs(ProsodyName)}");
    }

    private static async Task<int> StatusAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException)
        {
            return 0;
        }
    }

    private static async Task<int> WaitForStatusAsync(HttpClient http, string path, Func<int, bool> until, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await StatusAsync(http, path);
            if (until(status) || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(500);
        }
    }

    private void Log(string line) => _log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Platform is not null)
        {
            await Platform.DisposeAsync();
        }

        if (Image.Length > 0)
        {
            ContainerRuntime.Run(ContainerRuntime.Find().Name!, "rmi", "--force", Image);
        }

        CertificateAuthority.Dispose();
        Directory.Delete(WorkDirectory, recursive: true);
    }
}
