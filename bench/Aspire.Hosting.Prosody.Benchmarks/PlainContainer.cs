using System.Text;

namespace Aspire.Hosting.Prosody.Benchmarks;

/// <summary>
/// What a Docker Compose or <c>docker run</c> user has instead of AddProsody: the same image started directly by the
/// container runtime, outside the orchestrator, with its c2s port published on loopback and the minimum
/// configuration for the load scenario (one virtual host, a mounted certificate, the accounts created through
/// <c>prosodyctl shell</c>). The client rate limit is set to run mode's value so that only the path differs, not
/// Prosody's bandwidth policy.
/// </summary>
internal sealed class PlainContainer : IAsyncDisposable
{
    private readonly string _runtime;
    private readonly DirectoryInfo _certificates;

    private PlainContainer(string runtime, string name, DirectoryInfo certificates, ChatTarget target, X509Certificate2 certificate)
    {
        _runtime = runtime;
        Name = name;
        _certificates = certificates;
        Target = target;
        Certificate = certificate;
    }

    public string Name { get; }

    public ChatTarget Target { get; }

    /// <summary>The self-signed certificate mounted for the domain: what clients trust.</summary>
    public X509Certificate2 Certificate { get; }

    public static async Task<PlainContainer> StartAsync(string runtime, string image, string domain, int accounts, Func<int, string> userName, string password, string clientRateLimit, CancellationToken cancellationToken)
    {
        var certificates = Directory.CreateTempSubdirectory("prosody-plain-");
        var (certificate, key) = Scenarios.SelfSignedCertificate(domain);
        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.WriteAllText(Path.Combine(certificates.FullName, $"{domain}.crt"), certificate);
        File.WriteAllText(Path.Combine(certificates.FullName, $"{domain}.key"), key);
        if (!OperatingSystem.IsWindows())
        {
            // The container's prosody user reads the mounted files; a temporary directory is private by default.
            File.SetUnixFileMode(Path.Combine(certificates.FullName, $"{domain}.key"), readable);
            File.SetUnixFileMode(certificates.FullName, readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        var port = Scenarios.FreePort();
        var name = $"prosody-bench-plain-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
        ContainerProcesses.Checked(ContainerRuntime.Run(runtime,
            "run", "--detach", "--name", name, "--publish", $"127.0.0.1:{port}:5222",
            "--volume", $"{certificates.FullName}:/etc/prosody/certs:ro",
            "--env", $"PROSODY_VIRTUAL_HOSTS={domain}", "--env", $"PROSODY_C2S_RATE_LIMIT={clientRateLimit}", image));
        var container = new PlainContainer(runtime, name, certificates, new ChatTarget("127.0.0.1", port, domain), X509Certificate2.CreateFromPem(certificate));
        try
        {
            await XmppAnswerProbe.FirstAnswerAsync("127.0.0.1", port, domain, TimeSpan.FromMilliseconds(50), cancellationToken);
            // The admin console reads one command per line from standard input; passwords never reach a command line.
            var script = new StringBuilder();
            for (var i = 0; i < accounts; i++)
            {
                script.Append($"user:create(\"{userName(i)}@{domain}\", \"{password}\")\n");
            }

            var output = ContainerProcesses.Checked(ContainerRuntime.RunWithInput(runtime, script.ToString(), "exec", "--interactive", name, "prosodyctl", "shell"));
            var created = output.Split('\n').Count(line => line.Contains("OK: Created", StringComparison.Ordinal));
            if (created != accounts)
            {
                throw new InvalidOperationException($"prosodyctl shell created {created} of {accounts} accounts:\n{output}");
            }

            return container;
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }

    /// <summary>The container's id, for reading its processes' memory.</summary>
    public string ContainerId => Name;

    public ValueTask DisposeAsync()
    {
        try
        {
            // Podman can report a container it just killed as "could not be stopped"; the second removal finds it stopped.
            if (ContainerRuntime.Run(_runtime, "rm", "--force", "--time", "2", Name).ExitCode != 0)
            {
                ContainerProcesses.Checked(ContainerRuntime.Run(_runtime, "rm", "--force", Name));
            }
        }
        finally
        {
            _certificates.Delete(recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
