// The playground: everything Aspire.Hosting.Prosody does, in one AppHost, with a web chat to try it in a browser.
// Run it with `dotnet run --project playground/Prosody.AppHost`, open the dashboard it prints, then the "webchat"
// resource's "Web chat" URL, and sign in as alice (or bob) with the password shown under the dashboard's Parameters
// (alice-password, bob-password) or by `dotnet user-secrets list --project playground/Prosody.AppHost`.
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

// Settings the browser test changes so that it runs on fresh storage and next to other tests; a developer needs none.
var settings = builder.Configuration.GetSection("Playground");
var useVolumes = settings.GetValue("DataVolumes", true);

// Prosody keeps accounts, rosters, the message archive and group chats in PostgreSQL.
var postgres = builder.AddPostgres("pg");
if (useVolumes)
{
    postgres.WithDataVolume();
}

var db = postgres.AddDatabase("prosodydb");

// Two people to chat with. Their passwords are generated on the first run, kept in the AppHost's user secrets, and
// shown in the dashboard (the alice-password and bob-password parameters).
var alicePassword = builder.AddParameter("alice-password", new GenerateParameterDefault { MinLength = 16, Special = false }, secret: true, persist: true)
    .WithDescription("Password of alice@chat.dev.localhost");
var bobPassword = builder.AddParameter("bob-password", new GenerateParameterDefault { MinLength = 16, Special = false }, secret: true, persist: true)
    .WithDescription("Password of bob@chat.dev.localhost");

var chat = builder.AddProsody("chat")                       // XMPP domain chat.dev.localhost, admin@chat.dev.localhost
    .WithPostgres(db)
    .WithMultiUserChat()                                    // group chat at conference.chat.dev.localhost
    .WithMessageArchive(retentionDays: 30)                  // history for direct messages and rooms
    .WithFileShare(sizeLimitMegabytes: 20, expiryDays: 7)   // file uploads at upload.chat.dev.localhost
    .WithTurnServer(                                        // coturn for audio/video calls (chat-turn)
        port: settings.GetValue("TurnPort", 3478),
        relayPortMin: settings.GetValue("TurnRelayPortMin", 49160),
        relayPortMax: settings.GetValue("TurnRelayPortMax", 49169));
// Metrics are on by default in run mode: the dashboard's Metrics page shows Prosody's counters and gauges.

if (useVolumes)
{
    chat.WithDataVolume();                                  // uploaded files live in Prosody's data directory
}

// The two people are accounts of their own in the app model: an integration test (tests/Prosody.AppHost.Tests) signs
// in as alice with the connection string the AppHost gives her account, and nobody copies a password.
chat.AddAccount("alice", password: alicePassword);
chat.AddAccount("bob", password: bobPassword);

// A web page running Converse.js against Prosody's websocket. WithReference hands it CHAT_WEBSOCKETURI and
// CHAT_DOMAIN (connection properties of the Prosody resource); CHAT_ROOM is the group chat everyone joins.
var webChat = builder.AddProject<Projects.Prosody_WebChat>("webchat")
    .WithReference(chat)
    .WithEnvironment("CHAT_ROOM", $"lobby@conference.{chat.Resource.Domain}")
    .WithUrlForEndpoint("http", url => url.DisplayText = "Web chat")
    .WaitFor(chat);

// A .NET service built on the client integration: AddAccount declares its account (password generated, handed over
// by WithReference), and the bot's AddProsodyClient("bot") signs in with it, joins the lobby and answers !help.
var bot = chat.AddAccount("bot");
builder.AddProject<Projects.Prosody_LobbyBot>("lobby-bot")
    .WithReference(bot)
    .WithEnvironment("LobbyBot__Room", $"lobby@conference.{chat.Resource.Domain}")
    .WithHttpHealthCheck("/health")
    .WaitFor(chat);

// Playground:SecureWebSocket=true: the page signs in over wss:// on Prosody's https endpoint instead, with the .NET
// developer certificate (`dotnet dev-certs https --trust`; the browser must trust it too). The URL names the XMPP
// domain, which the certificate names and browsers resolve to this machine (*.localhost). File sharing stays on http.
if (settings.GetValue("SecureWebSocket", false))
{
    webChat.WithEnvironment("CHAT_WEBSOCKETURI", chat.Resource.SecureWebSocketUri);
}

builder.Build().Run();
