namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// WithModuleFiles, for real: modules written by the test to a folder on this machine are copied into the container,
/// loaded by Prosody when enabled, and answer a signed-in client.
/// </summary>
[RequiresContainers(ContainerImage.Prosody)]
public sealed class ModulesFunctionalTests : IDisposable
{
    private static readonly XNamespace Echo = "urn:aspire-hosting-prosody:test:echo";
    private static readonly XNamespace Greeting = "urn:aspire-hosting-prosody:test:greeting";
    private static readonly XNamespace Idle = "urn:aspire-hosting-prosody:test:idle";

    /// <summary>
    /// A flat-layout module: answers an echo request with the SHA-256 of the request's text and the sender's bare JID,
    /// as Prosody saw them. Only code running inside the server can produce it.
    /// </summary>
    private const string EchoModule = """
        local st = require "util.stanza";
        local sha256 = require "util.hashes".sha256;
        local jid_bare = require "util.jid".bare;
        local xmlns = "urn:aspire-hosting-prosody:test:echo";

        module:add_feature(xmlns);
        module:hook("iq-get/host/" .. xmlns .. ":echo", function (event)
        	local origin, stanza = event.origin, event.stanza;
        	local text = stanza:get_child_text("echo", xmlns) or "";
        	local from = jid_bare(stanza.attr.from);
        	origin.send(st.reply(stanza):tag("echo", { xmlns = xmlns, from = from }):text(sha256(text .. "|" .. from, true)));
        	return true;
        end);
        """;

    /// <summary>
    /// A community-layout module (mod_x/mod_x.lua) that reads a file beside its code, as community modules read their
    /// templates: the directory must have been copied whole.
    /// </summary>
    private const string GreetingModule = """
        local st = require "util.stanza";
        local xmlns = "urn:aspire-hosting-prosody:test:greeting";
        local file = assert(module:load_resource("greeting.txt"));
        local greeting = file:read("*a");
        file:close();

        module:hook("iq-get/host/" .. xmlns .. ":greeting", function (event)
        	event.origin.send(st.reply(event.stanza):tag("greeting", { xmlns = xmlns }):text(greeting));
        	return true;
        end);
        """;

    /// <summary>In the folder but not enabled: copied, never loaded.</summary>
    private const string IdleModule = """
        local st = require "util.stanza";
        module:hook("iq-get/host/urn:aspire-hosting-prosody:test:idle:idle", function (event)
        	event.origin.send(st.reply(event.stanza));
        	return true;
        end);
        """;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("prosody-modules-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public Task ModulesFromAFolderOnTheAppHostsMachineAreLoadedWhenEnabledAndAnswerAClient() => LoadsAndAnswersAsync(imageTag: null);

    [Fact]
    [RequiresContainers(ContainerImage.Prosody012)]
    public Task TheProsody012ImageLoadsModulesFromAFolderToo() => LoadsAndAnswersAsync(ContainerImages.Prosody012Tag);

    private async Task LoadsAndAnswersAsync(string? imageTag)
    {
        var greeting = $"hello {Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}";
        File.WriteAllText(Path.Combine(_folder.FullName, "mod_test_ping_echo.lua"), EchoModule);
        Directory.CreateDirectory(Path.Combine(_folder.FullName, "mod_test_greeting"));
        File.WriteAllText(Path.Combine(_folder.FullName, "mod_test_greeting", "mod_test_greeting.lua"), GreetingModule);
        File.WriteAllText(Path.Combine(_folder.FullName, "mod_test_greeting", "greeting.txt"), greeting);
        File.WriteAllText(Path.Combine(_folder.FullName, "mod_test_idle.lua"), IdleModule);

        var (builder, chat, password) = TestApp.CreateChatWithAlice();
        chat.WithModuleFiles(_folder.FullName, "test_ping_echo", "test_greeting");
        if (imageTag is not null)
        {
            chat.WithImageTag(imageTag);
        }

        await using var app = await builder.StartAsync("chat");
        await using var alice = await chat.Resource.SignInAsync("alice", await password.ValueAsync());

        // The flat module answers with a value derived from this request and this sender.
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var answer = await alice.SendIqAsync(Request("echo", Echo, nonce), Cancel);
        var echo = Assert.Single(answer.Elements(Echo + "echo"));
        Assert.Equal("alice@chat.dev.localhost", (string?)echo.Attribute("from"));
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{nonce}|alice@chat.dev.localhost")));
        Assert.Equal(expected, echo.Value);
        Assert.Contains(Echo.NamespaceName, (await alice.DiscoInfoAsync(chat.Resource.Domain, cancellationToken: Cancel)).Features);

        // The community-layout module read the file that sits beside it in its directory.
        var greeted = await alice.SendIqAsync(Request("greeting", Greeting), Cancel);
        Assert.Equal(greeting, greeted.Element(Greeting + "greeting")?.Value);

        // A module that is only in the folder is not loaded: nothing handles its request.
        var refused = await Assert.ThrowsAsync<XmppStanzaException>(() => alice.SendIqAsync(Request("idle", Idle), Cancel));
        Assert.Equal("service-unavailable", refused.Condition);
    }

    private static XElement Request(string name, XNamespace ns, string? text = null) =>
        new(XmppNamespaces.Client + "iq", new XAttribute("type", "get"), new XAttribute("to", "chat.dev.localhost"), new XElement(ns + name, text));
}
