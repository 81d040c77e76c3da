using System.Collections.Concurrent;
using static Microsoft.Playwright.Assertions;

namespace Aspire.Hosting.Prosody.BrowserTests;

/// <summary>
/// One person using the playground's web chat (Converse.js 14) in their own browser context: signs in, starts a
/// direct chat, sends messages and waits for what others write. Only what a user can see and click is used.
/// </summary>
internal sealed class WebChatUser : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly TestArtifacts _artifacts;

    private WebChatUser(string userName, IBrowserContext context, IPage page, TestArtifacts artifacts)
    {
        UserName = userName;
        _context = context;
        Page = page;
        _artifacts = artifacts;
    }

    public string UserName { get; }

    public IPage Page { get; }

    /// <summary>Every URL the page requested or opened a websocket to.</summary>
    public ConcurrentQueue<string> RequestedUrls { get; } = new();

    /// <summary>The websocket URLs the page opened (Converse.js's XMPP connection).</summary>
    public ConcurrentQueue<string> WebSocketUrls { get; } = new();

    /// <summary>The browser console, kept for the test output.</summary>
    public ConcurrentQueue<string> Console { get; } = new();

    public static async Task<WebChatUser> OpenAsync(IBrowser browser, string userName, Uri webChat, TestArtifacts artifacts)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, Locale = "en-US" });
        context.SetDefaultTimeout(30_000);
        await context.Tracing.StartAsync(new() { Title = userName, Screenshots = true, Snapshots = true });
        var page = await context.NewPageAsync();
        var user = new WebChatUser(userName, context, page, artifacts);
        page.Request += (_, request) => user.RequestedUrls.Enqueue(request.Url);
        page.WebSocket += (_, socket) =>
        {
            user.RequestedUrls.Enqueue(socket.Url);
            user.WebSocketUrls.Enqueue(socket.Url);
        };
        page.Console += (_, message) => user.Console.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} [{message.Type}] {message.Text}");
        page.PageError += (_, error) => user.Console.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} [pageerror] {error}");
        await page.GotoAsync(webChat.ToString());
        return user;
    }

    /// <summary>Signs in on the login form (the page locks the domain, so the user name is enough).</summary>
    public async Task SignInAsync(string password, string? screenshotBeforeSubmit = null)
    {
        var form = Page.Locator("#converse-login");
        await Expect(form).ToBeVisibleAsync();
        await form.Locator("#converse-login-jid").FillAsync(UserName);
        await form.Locator("#converse-login-password").FillAsync(password);
        if (screenshotBeforeSubmit is not null)
        {
            await ScreenshotAsync(screenshotBeforeSubmit);
        }

        await form.Locator("button[type=submit]").ClickAsync();

        // Signed in: the control box shows who we are.
        await Expect(Page.Locator("converse-controlbox")).ToContainTextAsync($"{UserName}@");
    }

    /// <summary>Waits until the user is in the group chat and sees everyone in <paramref name="nicknames"/> there.</summary>
    public async Task WaitInRoomAsync(string roomJid, params string[] nicknames)
    {
        await OpenRoomAsync(roomJid);
        var occupants = Visible("converse-muc .occupant-list");
        foreach (var nickname in nicknames)
        {
            await Expect(occupants.Locator(".occupant-nick").Filter(new() { HasText = nickname })).ToBeVisibleAsync();
        }
    }

    /// <summary>Brings a joined group chat to the front by clicking it in the list of group chats.</summary>
    public async Task OpenRoomAsync(string roomJid)
    {
        await Page.Locator($"converse-rooms-list a.open-room[data-room-jid=\"{roomJid}\"]").ClickAsync();
        await Expect(Visible("converse-muc .chatbox-title__text")).ToHaveAttributeAsync("title", roomJid);
        await Expect(Visible("converse-muc textarea.chat-textarea")).ToBeEditableAsync();
    }

    /// <summary>Starts a direct chat through the contacts menu's "Start a new chat" dialog.</summary>
    public async Task StartChatAsync(string userName)
    {
        await Page.Locator("converse-roster .dropdown--contacts button.dropdown-toggle").ClickAsync();
        await Page.Locator("converse-roster a.new-chat").ClickAsync();
        var dialog = Page.Locator("converse-new-chat-modal");
        await dialog.Locator("input[name=jid]").FillAsync(userName);
        await dialog.Locator("button[type=submit]").ClickAsync();
        await Expect(Visible("converse-chat .chatbox-title__text")).ToContainTextAsync($"{userName}@");
        await Expect(Visible("converse-chat textarea.chat-textarea")).ToBeEditableAsync();
    }

    /// <summary>Opens the direct chat with someone who wrote first: their entry in the contacts list.</summary>
    public async Task OpenChatWithAsync(string jid)
    {
        await Page.Locator($"converse-roster a.open-chat[data-jid=\"{jid}\"]").First.ClickAsync();
        await Expect(Visible("converse-chat .chatbox-title__text")).ToContainTextAsync(jid);
        await Expect(Visible("converse-chat textarea.chat-textarea")).ToBeEditableAsync();
    }

    /// <summary>Types a message into the visible chat (direct or group) and sends it with Enter.</summary>
    public async Task SendAsync(string text)
    {
        var composer = Visible(":is(converse-chat, converse-muc) textarea.chat-textarea");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
        await ExpectMessageAsync(text);
    }

    /// <summary>Waits until the visible chat shows a message with this text.</summary>
    public async Task ExpectMessageAsync(string text) =>
        await Expect(Visible(":is(converse-chat, converse-muc) .chat-msg__text").Filter(new() { HasText = text }))
            .ToBeVisibleAsync();

    // Converse.js keeps every open chat in the page and hides all but one; its custom elements have no box of their
    // own, so visibility is checked on what they contain.
    private ILocator Visible(string selector) => Page.Locator(selector).Filter(new() { Visible = true });

    /// <summary>Shares a file in the group chat with the composer's "Choose a file to send" button (XEP-0363 upload).</summary>
    public async Task ShareFileInRoomAsync(string path) =>
        await Page.Locator("converse-muc input.fileupload").SetInputFilesAsync(path);

    /// <summary>
    /// Waits until the visible chat shows an image served from <paramref name="urlPrefix"/> (Prosody's file share) and
    /// the browser has downloaded and decoded it; returns its address.
    /// </summary>
    public async Task<string> ExpectImageAsync(string urlPrefix)
    {
        var image = Visible($":is(converse-chat, converse-muc) .chat-msg img[src^=\"{urlPrefix}\"]").Last;
        await Expect(image).ToBeVisibleAsync();
        await Expect(image).ToHaveJSPropertyAsync("complete", true);
        var width = await image.EvaluateAsync<int>("img => img.naturalWidth");
        Assert.True(width > 0, $"{UserName}'s browser could not load the shared image {await image.GetAttributeAsync("src")}.");
        return (await image.GetAttributeAsync("src"))!;
    }

    public async Task ScreenshotAsync(string fileName)
    {
        await Page.ScreenshotAsync(new() { Path = _artifacts.PathOf(fileName) });
        _artifacts.Attach(fileName, "image/png");
    }

    /// <summary>Keeps the Playwright trace (open it with `playwright show-trace`) when the test failed.</summary>
    public async Task SaveTraceAsync(string fileName)
    {
        await _context.Tracing.StopAsync(new() { Path = _artifacts.PathOf(fileName) });
        _artifacts.Attach(fileName, "application/zip");
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
