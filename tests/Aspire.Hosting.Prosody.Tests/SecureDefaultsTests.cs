namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// Publish mode is secure by default, and run mode's conveniences stay in run mode: the same app model is generated in
/// both modes and compared setting by setting (every environment variable, argument, runtime argument, container
/// file, conf.d option, mount and endpoint of Prosody and coturn) against an explicit list of every difference, so
/// any new difference fails until it is reviewed and listed here.
/// </summary>
public class SecureDefaultsTests
{
    private const string Absent = "<absent>";

    /// <summary>Every difference between run and publish mode of <c>AddProsody("chat")</c> alone, with why it is there.</summary>
    private static readonly ExpectedDifference[] DefaultModelDifferences =
    [
        new("conf.d chat http_external_url", "ENV_ASPIRE_HTTP_EXTERNAL_URL", Absent, "run: links point at the endpoints published on the developer's machine; publish: the public URL, when the app model gives one"),
        new("env chat ASPIRE_HTTP_EXTERNAL_URL", "http://{chat.bindings.http.host}:{chat.bindings.http.port}/", Absent, "run: the published http endpoint's URL (the https one, named by the domain, is added by the certificate callback when the certificate names the domain)"),
        new("conf.d chat consider_bosh_secure", "true", Absent, "run: sign-in over plain BOSH on the loopback-only HTTP port"),
        new("conf.d chat consider_websocket_secure", "true", Absent, "run: sign-in over ws:// on the loopback-only HTTP port"),
        new("conf.d chat openmetrics_allow_cidr", "\"0.0.0.0/0\"", Absent, "run: the AppHost scrapes from the host, from an address not known in advance"),
        new("env chat PROSODY_ENABLE_MODULES", "aspire_accounts,aspire_health,http_openmetrics,websocket", "aspire_accounts,aspire_health,websocket", "metrics on in run mode only"),
        new("env chat PROSODY_C2S_RATE_LIMIT", "10mb/s", Absent, "run: no 10kb/s per-client throttle on a developer's machine; publish keeps Prosody's limit"),
        new("env chat PROSODY_STATISTICS", "internal", Absent, "metrics on in run mode only"),
        new("env chat PROSODY_STATISTICS_INTERVAL", "manual", Absent, "metrics on in run mode only"),
        new("file chat /etc/prosody/certs/chat.dev.localhost.crt", "mode 644, PEM BEGIN CERTIFICATE", Absent, "run: the self-signed development certificate (all of TLS without a developer certificate; federation and components' names with one)"),
        new("file chat /etc/prosody/certs/chat.dev.localhost.key", "mode 644, PEM BEGIN PRIVATE KEY", Absent, "run: the self-signed development certificate's key"),
        new("conf.d chat line: if ENV_ASPIRE_HTTPS_CERTIFICATE_PATH and ENV_ASPIRE_HTTPS_KEY_PATH then https_ssl = { certificate = ENV_ASPIRE_HTTPS_CERTIFICATE_PATH; key = ENV_ASPIRE_HTTPS_KEY_PATH } end", "(present)", Absent, "run: HTTPS with the certificate Aspire gives the resource (the trusted .NET developer certificate), when it has one"),
        new("conf.d chat line: if ENV_ASPIRE_C2S_CERTIFICATE_PATH and ENV_ASPIRE_C2S_KEY_PATH then c2s_ssl = { certificate = ENV_ASPIRE_C2S_CERTIFICATE_PATH; key = ENV_ASPIRE_C2S_KEY_PATH } end", "(present)", Absent, "run: STARTTLS with that certificate when it names the domain"),
        new("entrypoint chat", "/usr/local/lib/prosody-aspire/entrypoint.sh", "(image)", "run: the wrapper as entrypoint (a container file); publish: the derived image's entrypoint is that wrapper"),
        new("arg chat 0", "prosody", Absent, "run: the command the image's entrypoint would have had"),
        new("arg chat 1", "-F", Absent, "run: the command the image's entrypoint would have had"),
        new("env chat ASPIRE_RESTART_ON_CRASH", "1", Absent, "run: the wrapper starts a crashed Prosody again; a platform does that in a deployment"),
        new("build chat", Absent, "derived from docker.io/prosodyim/prosody:13.0, entrypoint /usr/local/lib/prosody-aspire/entrypoint.sh", "publish: the container files baked into an image, since platforms drop them"),
        new("env chat ASPIRE_TLS_CERTIFICATE", Absent, "{chat-tls-certificate.value}", "publish: the deployment's certificate, a parameter"),
        new("env chat ASPIRE_TLS_KEY", Absent, "{chat-tls-key.value}", "publish: the deployment's key, a secret parameter written to a file at start, never into the image"),
        new("probe chat Liveness", Absent, "http /aspire-health/live every 10 s", "publish: a platform restarts a Prosody whose HTTP server stopped answering"),
        new("probe chat Readiness", Absent, "http /aspire-health/ready every 5 s", "publish: a platform routes no client while none could sign in (accounts not created yet, storage unreadable, TLS unusable)"),
        .. new[] { ("c2s", "tcp", 5222), ("http", "http", 5280), ("https", "https", 5281) }.Select(e => Unproxied(e.Item1, e.Item2, e.Item3)),
    ];

    /// <summary>Run mode: the container runtime publishes the port, not the orchestrator's proxy (bench/README.md, (d)); publish leaves endpoints to the platform.</summary>
    private static ExpectedDifference Unproxied(string endpoint, string scheme, int targetPort) =>
        new($"endpoint chat {endpoint}", $"{scheme} Tcp target {targetPort} port any not proxied", $"{scheme} Tcp target {targetPort} port any proxied",
            "run: published by the container runtime, not through the orchestrator's proxy, which costs a tenth of the message rate");

    /// <summary>The extra differences of a model with every feature on (<see cref="EveryFeature"/>).</summary>
    private static readonly ExpectedDifference[] EveryFeatureExtraDifferences =
    [
        new("conf.d chat line: if network_dns then unbound = { resolvconf = false; forward = { network_dns }; hoststxt = read_hosts } end", "(present)", Absent, "run, federation: other servers resolved through the container network's DNS only, and /etc/hosts"),
        new("conf.d chat line: if etc_hosts then etc_hosts:close() end", "(present)", Absent, "run, federation: reading /etc/hosts"),
        new("conf.d chat line: local etc_hosts = (Lua or _G).io.open(\"/etc/hosts\")", "(present)", Absent, "run, federation: reading /etc/hosts"),
        new("conf.d chat line: local hosts_text = etc_hosts and etc_hosts:read(\"a\") or \"\"", "(present)", Absent, "run, federation: reading /etc/hosts"),
        new("conf.d chat line: local read_hosts = not ((\"\\n\" .. hosts_text:gsub(\"#[^\\n]*\", \"\") .. \"\\n\"):lower():find(\"%.localhost%.?%s\"))", "(present)", Absent, "run, federation: libunbound fails every lookup when /etc/hosts names a *.localhost host, so it reads the file only when it names none"),
        new("conf.d chat line: if resolv_conf then resolv_conf:close() end", "(present)", Absent, "run, federation: reading that DNS server"),
        new("conf.d chat line: local network_dns = resolv_conf and resolv_conf:read(\"a\"):match(\"nameserver%s+(%S+)\")", "(present)", Absent, "run, federation: reading that DNS server"),
        new("conf.d chat line: local resolv_conf = (Lua or _G).io.open(\"/etc/resolv.conf\")", "(present)", Absent, "run, federation: reading that DNS server"),
        new("env chat PROSODY_ENABLE_MODULES", "announce,aspire_accounts,aspire_federation,aspire_health,aspire_sql_failover,bosh,http_openmetrics,websocket", "announce,aspire_accounts,aspire_federation,aspire_health,aspire_sql_failover,bosh,websocket", "metrics on in run mode only"),
        new("env chat PROSODY_TURN_HOST", "127.0.0.1", "{chat-turn-external-address.value}", "run: loopback; publish: the public address, a deployment parameter"),
        new("env chat-turn TURN_EXTERNAL_IP", Absent, "{chat-turn-external-address.value}", "publish: that address for coturn, checked to be an IP by its script"),
        new("arg chat-turn turnserver --external-ip", "127.0.0.1", "$TURN_EXTERNAL_IP", "run: loopback; publish: the deployment's public address"),
        new("runtime-args chat-turn", "--publish 127.0.0.1:49160-49169:49160-49169/udp", Absent, "run: relay ports published one to one on loopback"),
        .. Enumerable.Range(49160, 10).Select(port => new ExpectedDifference($"endpoint chat-turn relay-{port}", Absent, $"udp Udp target {port} port {port} not proxied", "publish: the relay ports as endpoints a platform exposes one to one")),
        Unproxied("component", "tcp", 5347),
        Unproxied("s2s", "tcp", 5269),
    ];

    [Fact]
    public async Task TheDefaultModelDiffersBetweenRunAndPublishOnlyInTheListedSettings()
    {
        var (run, publish) = await SnapshotsAsync(_ => { });

        AssertDifferences(DefaultModelDifferences, run, publish);
    }

    [Fact]
    public async Task AModelWithEveryFeatureDiffersBetweenRunAndPublishOnlyInTheListedSettings()
    {
        var (run, publish) = await SnapshotsAsync(EveryFeature);

        // A default-model difference disappears where this model sets the value itself (the same in both modes).
        var expected = DefaultModelDifferences
            .Where(d => !EveryFeatureExtraDifferences.Any(e => e.Setting == d.Setting))
            .Where(d => !(run.TryGetValue(d.Setting, out var inRun) && publish.TryGetValue(d.Setting, out var inPublish) && inRun == inPublish))
            .Concat(EveryFeatureExtraDifferences);
        AssertDifferences(expected, run, publish);
        // The comparison covered the features: their settings are there, identical in both modes.
        foreach (var setting in new[] { "conf.d chat sql", "conf.d chat s2s_require_encryption", "env chat PROSODY_TURN_SECRET", "arg chat-turn turnserver --realm", "mount chat /var/lib/prosody" })
        {
            Assert.Equal(run[setting], publish[setting]);
        }
    }

    [Fact]
    public async Task PublishModeRequiresClientEncryptionAndOpensNoRegistrationMetricsFederationOrDevelopmentCertificate()
    {
        foreach (var configure in new Action<IResourceBuilder<ProsodyResource>>[] { _ => { }, chat => EveryFeatureButFederation(chat) })
        {
            var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
            var chat = builder.AddProsody("chat");
            configure(chat);
            using var app = builder.Build();
            var settings = await SecureDefaultsSnapshot.TakeAsync(app, DistributedApplicationOperation.Publish);
            var everything = string.Join('\n', settings.Select(s => $"{s.Key} = {s.Value}"));

            // Client encryption: Prosody requires it by default (c2s_require_encryption) and nothing generated relaxes it,
            // neither for c2s nor for the HTTP transports; plain-text PLAIN stays refused.
            foreach (var weakening in new[] { "c2s_require_encryption", "consider_websocket_secure", "consider_bosh_secure", "allow_unencrypted_plain_auth", "require_encryption = false" })
            {
                Assert.DoesNotContain(weakening, everything);
            }

            // In-band registration: Prosody's allow_registration defaults to false and nothing sets it (nor the image's
            // PROSODY_REGISTRATION-style variables); the template's registration and invitation modules are off, so no
            // registration feature, form or invitation is offered.
            Assert.DoesNotContain("registration", everything, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(Configuration.ProsodyConfiguration.RegistrationModules.Order(),
                settings["env chat PROSODY_DISABLE_MODULES"].Split(',').Intersect(Configuration.ProsodyConfiguration.RegistrationModules).Order());

            // Metrics: neither collected nor served, and no network is let in.
            Assert.DoesNotContain("http_openmetrics", settings["env chat PROSODY_ENABLE_MODULES"]);
            Assert.DoesNotContain(settings.Keys, key => key.Contains("PROSODY_STATISTICS", StringComparison.Ordinal) || key.Contains("openmetrics_allow_cidr", StringComparison.Ordinal));

            // Federation: no listener, and the modules that would accept or dial servers are disabled.
            Assert.DoesNotContain("endpoint chat s2s", settings.Keys);
            Assert.Equal(["dialback", "s2s"], settings["env chat PROSODY_DISABLE_MODULES"].Split(',').Where(m => m is "s2s" or "dialback").Order());

            // No development certificate, and nothing else that only suits a developer's machine.
            Assert.DoesNotContain(settings.Keys, key => key.StartsWith("file chat /etc/prosody/certs/", StringComparison.Ordinal));
            Assert.DoesNotContain("127.0.0.1", everything);
            Assert.DoesNotContain("0.0.0.0/0", everything);
            Assert.DoesNotContain("ASPIRE_HTTP_EXTERNAL_URL", everything);
        }
    }

    [Fact]
    public async Task InPublishModeMetricsTurnedOnStayLoopbackOnlyUnlessANetworkIsGivenAndEveryAddressIsRefused()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithMetrics();
        using var app = builder.Build();
        var settings = await SecureDefaultsSnapshot.TakeAsync(app, DistributedApplicationOperation.Publish);

        Assert.Contains("http_openmetrics", settings["env chat PROSODY_ENABLE_MODULES"]);
        Assert.DoesNotContain("conf.d chat openmetrics_allow_cidr", settings.Keys);

        foreach (var everyAddress in new[] { "0.0.0.0/0", "::/0" })
        {
            var error = Assert.Throws<ArgumentException>(() => TestModel.CreateBuilder(DistributedApplicationOperation.Publish).AddProsody("chat").WithMetrics(allowedNetwork: everyAddress));
            Assert.Equal("allowedNetwork", error.ParamName);
        }

        var scoped = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var scopedChat = scoped.AddProsody("chat").WithMetrics(allowedNetwork: "10.42.0.0/16");
        using var scopedApp = scoped.Build();
        Assert.Equal("\"10.42.0.0/16\"", (await SecureDefaultsSnapshot.TakeAsync(scopedApp, DistributedApplicationOperation.Publish))["conf.d chat openmetrics_allow_cidr"]);
    }

    [Fact]
    public async Task FederationTurnedOnInPublishModeRequiresEncryptionAndCertificateAuthenticationByDefault()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        builder.AddProsody("chat").WithFederation();
        using var app = builder.Build();
        var settings = await SecureDefaultsSnapshot.TakeAsync(app, DistributedApplicationOperation.Publish);

        Assert.Equal("true", settings["conf.d chat s2s_require_encryption"]);
        Assert.DoesNotContain("env chat PROSODY_S2S_SECURE_AUTH", settings.Keys); // the image's default: secure authentication on
        Assert.DoesNotContain(settings["env chat PROSODY_DISABLE_MODULES"].Split(','), module => module is "s2s" or "dialback");
        Assert.Equal("tcp Tcp target 5269 port any proxied", settings["endpoint chat s2s"]);
    }

    [Fact]
    public async Task ThePublishedManifestCarriesNoRunModeConvenience()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat");
        EveryFeature(chat);
        using var app = builder.Build();

        var manifest = (await SecretsManifest.WriteAsync(app)).ToJsonString();

        foreach (var runOnly in new[] { "PROSODY_STATISTICS", "http_openmetrics", "ASPIRE_HTTP_EXTERNAL_URL", "consider_websocket_secure", "127.0.0.1", "0.0.0.0/0", "--publish", "BEGIN PRIVATE KEY", "BEGIN CERTIFICATE" })
        {
            Assert.DoesNotContain(runOnly, manifest);
        }
    }

    /// <summary>
    /// An app that references Prosody is told where to scrape metrics only while metrics are on: in publish mode they
    /// are off by default, so a published consumer must not get a <c>MetricsUri</c> pointing at nothing.
    /// </summary>
    [Fact]
    public async Task APublishedConsumerIsNotGivenAMetricsUriWhileMetricsAreOffByDefault()
    {
        var run = await ConsumerEnvironmentAsync(DistributedApplicationOperation.Run, _ => { });
        var publish = await ConsumerEnvironmentAsync(DistributedApplicationOperation.Publish, _ => { });
        var publishWithMetrics = await ConsumerEnvironmentAsync(DistributedApplicationOperation.Publish, chat => chat.WithMetrics());

        Assert.Contains("CHAT_METRICSURI", run.Keys);
        Assert.Contains("CHAT_METRICSURI", publishWithMetrics.Keys);
        Assert.True(!publish.ContainsKey("CHAT_METRICSURI"),
            "Publish mode turns metrics off by default, yet a referencing app receives CHAT_METRICSURI: ProsodyResource.GetConnectionProperties " +
            "decides with 'Settings.Metrics ?? true' (run mode's default) instead of the mode's default.");
        Assert.Equal(run.Keys.Where(key => key != "CHAT_METRICSURI").Order(), publish.Keys.Order());
    }

    private static async Task<Dictionary<string, object>> ConsumerEnvironmentAsync(DistributedApplicationOperation operation, Action<IResourceBuilder<ProsodyResource>> configure)
    {
        var builder = TestModel.CreateBuilder(operation);
        var chat = builder.AddProsody("chat");
        configure(chat);
        var consumer = builder.AddContainer(SecureDefaultsSnapshot.ConsumerName, "alpine").WithReference(chat);
        using var app = builder.Build();
        return await consumer.Resource.RawEnvironmentAsync(operation);
    }

    /// <summary>Every builder method with a run/publish decision behind it, and the rest for good measure.</summary>
    internal static void EveryFeature(IResourceBuilder<ProsodyResource> chat)
    {
        EveryFeatureButFederation(chat);
        chat.WithFederation();
    }

    private static void EveryFeatureButFederation(IResourceBuilder<ProsodyResource> chat)
    {
        var builder = chat.ApplicationBuilder;
        var database = builder.AddPostgres("pg").AddDatabase("prosodydb");
        chat.WithUser("alice").WithUser("bob", isAdmin: true).WithAdminUserName("root")
            .WithMultiUserChat(historyMessages: 5).WithFileShare(sizeLimitMegabytes: 20, quotaGigabytes: 1, expiryDays: 3).WithMessageArchive(30)
            .WithBosh().WithTurnServer().WithPostgres(database).WithDataVolume("chat-data")
            .WithRateLimits("100kb/s", "50kb/s").WithLogLevel(ProsodyLogLevel.Debug).WithEnabledModules("announce").WithDisabledModules("vcard_legacy")
            .WithExtraConfiguration("c2s_timeout = 300");
        chat.AddExternalComponent("bridge");
    }

    private static async Task<(SortedDictionary<string, string> Run, SortedDictionary<string, string> Publish)> SnapshotsAsync(Action<IResourceBuilder<ProsodyResource>> configure)
    {
        var snapshots = new List<SortedDictionary<string, string>>();
        foreach (var operation in new[] { DistributedApplicationOperation.Run, DistributedApplicationOperation.Publish })
        {
            var builder = TestModel.CreateBuilder(operation);
            configure(builder.AddProsody("chat"));
            using var app = builder.Build();
            Assert.Equal(operation, app.Services.GetRequiredService<DistributedApplicationExecutionContext>().Operation);
            snapshots.Add(await SecureDefaultsSnapshot.TakeAsync(app, operation));
        }

        return (snapshots[0], snapshots[1]);
    }

    private static void AssertDifferences(IEnumerable<ExpectedDifference> expected, SortedDictionary<string, string> run, SortedDictionary<string, string> publish)
    {
        // Sanity: the snapshots hold the whole configuration, not an empty shell.
        Assert.Contains("conf.d chat aspire_accounts", run.Keys);
        Assert.Contains("env chat PROSODY_VIRTUAL_HOSTS", publish.Keys);

        var actual = SecureDefaultsSnapshot.Differences(run, publish)
            .Select(d => $"{d.Setting}: run={d.Run ?? Absent} publish={d.Publish ?? Absent}")
            .ToList();
        var wanted = expected.OrderBy(e => e.Setting, StringComparer.Ordinal)
            .Select(e => $"{e.Setting}: run={e.Run} publish={e.Publish}")
            .ToList();
        Assert.True(wanted.SequenceEqual(actual),
            "The run and publish configurations differ in other settings than listed. Review each new difference (is it a run-mode convenience that must not be published?) and list it." +
            $"{Environment.NewLine}Unlisted:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", actual.Except(wanted))}" +
            $"{Environment.NewLine}Listed but not found:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", wanted.Except(actual))}");
    }

    private sealed record ExpectedDifference(string Setting, string Run, string Publish, string Why);
}
