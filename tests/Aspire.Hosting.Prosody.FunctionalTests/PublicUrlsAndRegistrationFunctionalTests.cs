using System.Text.RegularExpressions;
using static Aspire.Hosting.Prosody.FunctionalTests.ServerFeatureProtocols;
using static Aspire.Prosody.Client.XmppNamespaces;
using static XmppTestClient.XmppTestNamespaces;

namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// Run mode: the links Prosody hands out and announces lead to the endpoints as published on this machine, and
/// registration is closed unless invitations are asked for, as an anonymous client and a new user meet them.
/// </summary>
[RequiresContainers(ContainerImage.Prosody)]
public sealed partial class PublicUrlsAndRegistrationFunctionalTests
{
    private static readonly string[] RegistrationFeatures = ["http://jabber.org/features/iq-register", "urn:xmpp:ibr-token:0", "urn:xmpp:invite"];

    [Fact]
    public async Task UploadLinksAndTheAnnouncedWebsocketUrlUseThePublishedPortsAndWork()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        chat.WithFileShare();
        await using var app = await builder.StartAsync("chat");
        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());

        // The http endpoint as published on this machine's loopback (the https one stays on offer as SecureWebSocketUri).
        var expected = chat.Resource.PublishedLinkBase();
        var secure = expected.Scheme == "https";
        Log($"developer certificate names the domain: {secure}; expected base {expected}");
        Assert.NotEqual(5281, chat.Resource.HttpsEndpoint.Port);

        var content = Encoding.UTF8.GetBytes($"published links {Guid.NewGuid()}");
        var slot = await RequestUploadSlotAsync(alice, "upload.chat.dev.localhost", "hello.txt", content.Length, "text/plain");
        var putUrl = new Uri((string)slot.Element(Upload + "put")!.Attribute("url")!);
        Log($"slot: PUT {putUrl}");
        Assert.Equal((expected.Scheme, expected.Host, expected.Port), (putUrl.Scheme, putUrl.Host, putUrl.Port));
        using (var http = chat.Resource.LocalhostHttpClient())
        {
            Assert.Equal("text/plain", await UploadAndDownloadAsync(http, slot, content, "text/plain"));
        }

        // The websocket's URL Prosody announces in its log (mod_http's "Serving 'websocket' at https://…/xmpp-websocket"),
        // and a client that follows it (the same URL as ws:// or wss://).
        var announced = await AnnouncedUrlAsync(app, chat.Resource, "websocket");
        Log($"announced websocket: {announced}");
        Assert.Equal((expected.Scheme, expected.Host, expected.Port, "/xmpp-websocket"), (announced.Scheme, announced.Host, announced.Port, announced.AbsolutePath));
        var websocket = new UriBuilder(announced) { Scheme = secure ? "wss" : "ws" }.Uri;
        await using var web = await XmppClient.ConnectWebSocketAsync(websocket, chat.Resource.ClientOptions("alice", await password.ValueAsync()), Cancel);
        Assert.Equal("alice@chat.dev.localhost", web.Jid.Bare.ToString());
    }

    [Fact]
    public async Task ByDefaultNoRegistrationFeatureIsAdvertisedOrDiscoveredAndRegistrationIsRefused()
    {
        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        await using var app = await builder.StartAsync("chat");

        var attempt = await LoadInBandRegistrationProbe.TryAsync(chat.Resource.PrimaryEndpoint.Host, chat.Resource.PrimaryEndpoint.Port, chat.Resource.Domain, "mallory", "mallory-password", Cancel);
        Log($"features after STARTTLS: {attempt.Features}");
        Log($"form: {attempt.FormAnswer}; registration: {attempt.RegistrationAnswer}");
        Assert.Contains("<mechanisms", attempt.Features, StringComparison.Ordinal);
        Assert.All(RegistrationFeatures, feature => Assert.DoesNotContain(feature, attempt.Features, StringComparison.Ordinal));
        Assert.Contains("type='error'", attempt.FormAnswer, StringComparison.Ordinal);
        Assert.True(attempt.RegistrationRefused, attempt.RegistrationAnswer);

        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());
        var disco = await alice.DiscoInfoAsync(cancellationToken: Cancel);
        Assert.DoesNotContain(disco.Features, feature => feature.Contains("register", StringComparison.Ordinal) || feature.Contains("invite", StringComparison.Ordinal));
        await Assert.ThrowsAnyAsync<XmppException>(async () => await (await XmppClient.ConnectAsync(chat.Resource.ClientOptions("mallory", "mallory-password"), Cancel)).DisposeAsync());
    }

    [Fact]
    public async Task InviteOnlyRegistrationAdvertisesTheFeaturesAndAnInvitationFromProsodyctlLetsANewUserRegisterAndSignIn()
    {
        var builder = TestApp.CreateBuilder();
        var chat = builder.AddProsody("chat").WithRegistration(ProsodyRegistration.InviteOnly);
        await using var app = await builder.StartAsync("chat");
        var (host, port, domain) = (chat.Resource.PrimaryEndpoint.Host, chat.Resource.PrimaryEndpoint.Port, chat.Resource.Domain);

        // Without a token: the features are there, and registration is refused.
        var uninvited = await LoadInBandRegistrationProbe.TryAsync(host, port, domain, "mallory", "mallory-password", Cancel);
        Log($"features after STARTTLS: {uninvited.Features}");
        Assert.All(RegistrationFeatures, feature => Assert.Contains(feature, uninvited.Features, StringComparison.Ordinal));
        Assert.True(uninvited.RegistrationRefused, uninvited.RegistrationAnswer);

        // An administrator's invitation, made in the container.
        var (exitCode, output) = await Task.Run(() => ContainerRuntime.Run(
            ContainerRuntime.Name, "exec", app.ContainerIdOf("chat"), "prosodyctl", "shell", "invite", "create_account", domain));
        Log($"prosodyctl shell invite create_account: {exitCode} {output}");
        Assert.Equal(0, exitCode);
        var token = PreauthToken().Match(output) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"No token in: {output}");

        var invited = await LoadInBandRegistrationProbe.TryAsync(host, port, domain, "carol", "carol-password-1", Cancel, token);
        Log($"token: {invited.TokenAnswer}; registration: {invited.RegistrationAnswer}");
        Assert.False(invited.RegistrationRefused, invited.RegistrationAnswer);
        await using var carol = await chat.Resource.SignInAsync("carol", "carol-password-1");
        Assert.Equal($"carol@{domain}", carol.Jid.Bare.ToString());

        // The token is used up.
        var again = await LoadInBandRegistrationProbe.TryAsync(host, port, domain, "dave", "dave-password-1", Cancel, token);
        Assert.True(again.RegistrationRefused, again.RegistrationAnswer);
    }

    [GeneratedRegex(@"preauth=([A-Za-z0-9_\-]+)")]
    private static partial Regex PreauthToken();

    /// <summary>The URL Prosody's log says it serves an HTTP app at.</summary>
    private static async Task<Uri> AnnouncedUrlAsync(DistributedApplication app, IResource resource, string appName)
    {
        var marker = $"Serving '{appName}' at ";
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        quiet.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(resource).WithCancellation(quiet.Token))
            {
                if (batch.Select(line => line.Content).FirstOrDefault(line => line.Contains(marker, StringComparison.Ordinal)) is { } line)
                {
                    return new Uri(line[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Trim());
                }
            }
        }
        catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
        {
        }

        throw new InvalidOperationException($"Prosody's log never said where it serves '{appName}'.");
    }
}
