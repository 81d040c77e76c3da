using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Prosody.BrowserTests;

/// <summary>
/// The playground end to end, as people would use it: the playground AppHost starts (Prosody on PostgreSQL, TURN,
/// group chat, file share, metrics, and the web chat), and two people sign in to the web chat (Converse.js) in
/// headless Chromium, each in their own browser context. They exchange a direct message and talk in the group chat
/// every user of the page joins, where one shares a picture through Prosody's file share. Screenshots of each step
/// land in artifacts/screenshots/browser-tests/.
/// </summary>
[Collection("Playground")] // one playground at a time: both use the same TURN ports
public sealed class WebChatBrowserTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    // What the playground's AppHost takes from configuration so that the test runs next to the functional tests
    // (which use TURN ports 3478-3480 and relay ports 49160-49177) and to a developer's running playground, on fresh
    // storage rather than the playground's data volumes.
    internal static readonly string[] PlaygroundArguments =
    [
        "--Playground:DataVolumes=false",
        "--Playground:TurnPort=3491",
        "--Playground:TurnRelayPortMin=49191",
        "--Playground:TurnRelayPortMax=49193",
    ];

    // The launch options this project's machines need (Debian's Chromium, no sandbox as root, no network chatter).
    internal static readonly string[] ChromiumArguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    [Fact(Timeout = 480_000)]
    [RequiresContainers(ContainerImage.Prosody, ContainerImage.Postgres, ContainerImage.Coturn)]
    public async Task TwoPeopleChatDirectlyAndInTheGroupChat()
    {
        Prerequisites.RequireChromium();
        var cancellationToken = TestContext.Current.CancellationToken;
        var artifacts = TestArtifacts.Create();
        var clock = Stopwatch.StartNew();
        void Step(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1} s] {what}");

        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Prosody_AppHost>(
            PlaygroundArguments,
            (options, _) =>
            {
                options.DisableDashboard = true;
                options.EnableResourceLogging = true;
            },
            cancellationToken);
        appHost.Services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Information);
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning);
            logging.AddProvider(new TestOutputLoggerProvider());
        });

        await using var app = await appHost.BuildAsync(cancellationToken);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token);
            foreach (var resource in new[] { "pg", "chat", "chat-turn", "webchat" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }
        }

        Step("playground started: pg, chat, chat-turn and webchat are healthy");

        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var chat = model.Resources.OfType<ProsodyResource>().Single(resource => resource.Name == "chat");
        var alicePassword = await PasswordAsync(model, "alice-password", cancellationToken);
        var bobPassword = await PasswordAsync(model, "bob-password", cancellationToken);
        var webChat = app.GetEndpoint("webchat", "http");
        var prosodyHttp = app.GetEndpoint("chat", "http");
        var expectedWebSocket = $"ws://{prosodyHttp.Authority}/xmpp-websocket";
        var room = $"lobby@conference.{chat.Domain}";

        // A shared CI machine runs this next to the functional tests: give the page time rather than flake.
        Assertions.SetDefaultExpectTimeout(30_000);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Prerequisites.ChromiumPath,
            Headless = true,
            Args = ChromiumArguments,
        });
        Step($"Chromium {browser.Version} started");

        await using var alice = await WebChatUser.OpenAsync(browser, "alice", webChat, artifacts);
        await using var bob = await WebChatUser.OpenAsync(browser, "bob", webChat, artifacts);
        var succeeded = false;
        try
        {
            await alice.SignInAsync(alicePassword, screenshotBeforeSubmit: "01-alice-login.png");
            await bob.SignInAsync(bobPassword);
            Step("alice and bob signed in");

            // Both land in the group chat the AppHost configured (CHAT_ROOM) and see each other there.
            await alice.WaitInRoomAsync(room, "alice", "bob");
            await bob.WaitInRoomAsync(room, "alice", "bob");
            await alice.ScreenshotAsync("02-alice-signed-in.png");
            Step($"both are in {room}");

            // A direct message: alice starts the chat, bob finds it under his contacts and answers.
            await alice.StartChatAsync("bob");
            await alice.SendAsync("Hi Bob, this is Alice in a browser.");
            await bob.OpenChatWithAsync($"alice@{chat.Domain}");
            await bob.ExpectMessageAsync("Hi Bob, this is Alice in a browser.");
            await bob.SendAsync("Hello Alice! Bob here, reading you loud and clear.");
            await alice.ExpectMessageAsync("Hello Alice! Bob here, reading you loud and clear.");
            await alice.ScreenshotAsync("03-alice-direct-chat.png");
            await bob.ScreenshotAsync("04-bob-direct-chat.png");
            Step("direct messages went both ways");

            // The group chat: each sees the other's message.
            await alice.OpenRoomAsync(room);
            await bob.OpenRoomAsync(room);
            await alice.SendAsync("Hello lobby, Alice here.");
            await bob.ExpectMessageAsync("Hello lobby, Alice here.");
            await bob.SendAsync("Hi everyone, Bob joins the lobby.");
            await alice.ExpectMessageAsync("Hi everyone, Bob joins the lobby.");
            Step("group chat messages went both ways");

            // File sharing: alice uploads a picture (her login screenshot) to Prosody's file share, and both
            // browsers show it, downloaded from the address Prosody handed out.
            var shares = $"{prosodyHttp.GetLeftPart(UriPartial.Authority)}/share/";
            await alice.ShareFileInRoomAsync(artifacts.PathOf("01-alice-login.png"));
            var imageUrl = await alice.ExpectImageAsync(shares);
            Assert.Equal(imageUrl, await bob.ExpectImageAsync(shares));
            await alice.ScreenshotAsync("05-alice-group-chat.png");
            await bob.ScreenshotAsync("06-bob-group-chat.png");
            Step($"alice shared {imageUrl}; both browsers show it");

            // The page talked to Prosody at the address Aspire handed it, and to nothing outside this machine.
            foreach (var user in new[] { alice, bob })
            {
                Assert.Contains(expectedWebSocket, user.WebSocketUrls);
                var external = user.RequestedUrls.Where(url => !IsLocal(url)).Distinct().ToArray();
                Assert.True(external.Length == 0, $"{user.UserName}'s page requested addresses outside this machine: {string.Join(", ", external)}");
            }

            succeeded = true;
        }
        finally
        {
            foreach (var user in new[] { alice, bob })
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"--- {user.UserName}'s browser console ---{Environment.NewLine}{string.Join(Environment.NewLine, user.Console)}");
                if (!succeeded)
                {
                    await TryAsync(() => user.ScreenshotAsync($"failure-{user.UserName}.png"));
                    await TryAsync(() => user.SaveTraceAsync($"trace-{user.UserName}.zip"));
                }
            }

            Step($"artifacts in {artifacts.Directory}");
        }
    }

    private static async Task<string> PasswordAsync(DistributedApplicationModel model, string parameterName, CancellationToken cancellationToken)
    {
        var parameter = model.Resources.OfType<ParameterResource>().Single(resource => resource.Name == parameterName);
        return await parameter.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException($"The parameter {parameterName} has no value.");
    }

    private static bool IsLocal(string url) =>
        url.StartsWith("data:", StringComparison.Ordinal)
        || url.StartsWith("blob:", StringComparison.Ordinal)
        || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost"));

    private static async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"(could not save a failure artifact: {ex.Message})");
        }
    }
}
