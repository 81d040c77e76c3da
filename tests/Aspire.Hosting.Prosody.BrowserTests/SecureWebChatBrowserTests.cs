using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting.Prosody.BrowserTests;

/// <summary>
/// The web chat over wss:// with the .NET developer certificate, trusted the way Chromium on Linux trusts a
/// certificate: in the NSS database of the browser's user (<c>$HOME/.pki/nssdb</c>, made here with certutil for this
/// test only). A browser without that entry refuses the same server, so the trust is what makes it work.
/// </summary>
[Collection("Playground")] // one playground at a time: both use the same TURN ports
public sealed class SecureWebChatBrowserTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    // The playground as the other browser test runs it, with the web chat on wss://.
    private static readonly string[] PlaygroundArguments = [.. WebChatBrowserTests.PlaygroundArguments, "--Playground:SecureWebSocket=true"];

    [Fact(Timeout = 480_000)]
    [RequiresContainers(ContainerImage.Prosody, ContainerImage.Postgres, ContainerImage.Coturn)]
    public async Task ConverseSignsInOverSecureWebSocketWithTheDeveloperCertificateTrustedInTheBrowser()
    {
        Prerequisites.RequireChromium();
        Prerequisites.RequireCertutil();
        var cancellationToken = TestContext.Current.CancellationToken;
        var artifacts = TestArtifacts.Create();

        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Prosody_AppHost>(
            PlaygroundArguments, (options, _) => options.DisableDashboard = true, cancellationToken);
        await using var app = await appHost.BuildAsync(cancellationToken);
#pragma warning disable ASPIRECERTIFICATES001
        if (app.Services.GetRequiredService<IDeveloperCertificateService>().Certificates.FirstOrDefault() is not { } developerCertificate)
#pragma warning restore ASPIRECERTIFICATES001
        {
            ContainerRuntime.Unavailable("the browser test", "It needs a trusted ASP.NET Core developer certificate: run 'dotnet dev-certs https --trust' (CI's .ci/run does).");
            return;
        }

        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token);
            foreach (var resource in new[] { "chat", "webchat" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }
        }

        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var chat = model.Resources.OfType<ProsodyResource>().Single(resource => resource.Name == "chat");
        var password = await model.Resources.OfType<ParameterResource>().Single(p => p.Name == "alice-password").GetValueAsync(cancellationToken);
        var secureWebSocket = $"wss://{chat.Domain}:{app.GetEndpoint("chat", "https").Port}/xmpp-websocket";

        using var trusting = BrowserHome.Create();
        trusting.Trust(developerCertificate.ExportCertificatePem());
        using var untrusting = BrowserHome.Create();
        using var playwright = await Playwright.CreateAsync();

        // Without the certificate in its NSS database, Chromium refuses the server's certificate.
        await using (var browser = await LaunchAsync(playwright, untrusting))
        {
            var page = await browser.NewPageAsync();
            Assert.Equal("error", await OpenWebSocketAsync(page, secureWebSocket));
        }

        // With it, the web chat (Converse.js) signs in over wss:// and joins the group chat.
        await using (var browser = await LaunchAsync(playwright, trusting))
        {
            Assertions.SetDefaultExpectTimeout(30_000);
            await using var alice = await WebChatUser.OpenAsync(browser, "alice", app.GetEndpoint("webchat", "http"), artifacts);
            await alice.SignInAsync(password!);
            await alice.WaitInRoomAsync($"lobby@conference.{chat.Domain}", "alice");
            await alice.ScreenshotAsync("secure-01-alice-signed-in-over-wss.png");
            Assert.Contains(secureWebSocket, alice.WebSocketUrls);
            Assert.DoesNotContain(alice.WebSocketUrls, url => url.StartsWith("ws://", StringComparison.Ordinal));
        }
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright, BrowserHome home) =>
        playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Prerequisites.ChromiumPath,
            Headless = true,
            Args = WebChatBrowserTests.ChromiumArguments,
            // Chromium on Linux reads the certificates it trusts from $HOME/.pki/nssdb.
            Env = new Dictionary<string, string> { ["HOME"] = home.Directory },
        });

    /// <summary>"open" when an XMPP websocket to <paramref name="url"/> opens in the page, "error" when the browser refuses it.</summary>
    private static Task<string> OpenWebSocketAsync(IPage page, string url) =>
        page.EvaluateAsync<string>(
            "url => new Promise(resolve => { const s = new WebSocket(url, 'xmpp'); s.onopen = () => { s.close(); resolve('open'); }; s.onerror = () => resolve('error'); })",
            url);

    /// <summary>A home directory for the browser with its own NSS database, deleted afterwards.</summary>
    private sealed class BrowserHome : IDisposable
    {
        private BrowserHome(string directory) => Directory = directory;

        public string Directory { get; }

        private string Database => $"sql:{Path.Combine(Directory, ".pki", "nssdb")}";

        public static BrowserHome Create()
        {
            var home = new BrowserHome(System.IO.Directory.CreateTempSubdirectory("prosody-browser-home-").FullName);
            System.IO.Directory.CreateDirectory(Path.Combine(home.Directory, ".pki", "nssdb"));
            home.Certutil("-N", "--empty-password");
            return home;
        }

        /// <summary>Adds a self-signed server certificate as a trusted peer for TLS ("P,,"), as dotnet dev-certs does.</summary>
        public void Trust(string certificatePem)
        {
            var file = Path.Combine(Directory, "developer-certificate.pem");
            File.WriteAllText(file, certificatePem);
            Certutil("-A", "-n", "aspnetcore-localhost", "-t", "P,,", "-i", file);
        }

        private void Certutil(params string[] arguments)
        {
            var (exitCode, output) = ContainerRuntime.Run("certutil", ["-d", Database, .. arguments]);
            Assert.True(exitCode == 0, $"certutil {string.Join(' ', arguments)} failed: {output}");
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
