// The playground's web chat: a static page running Converse.js against Prosody's websocket endpoint.
// The AppHost passes the address in with WithReference(chat): CHAT_WEBSOCKETURI and CHAT_DOMAIN are connection
// properties of the Prosody resource; CHAT_ROOM is the group chat every user joins. Converse.js is served from
// node_modules (installed by `npm ci` when this project builds), so the page fetches nothing from the internet.
using Microsoft.Extensions.FileProviders;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

var webSocketUri = Required("CHAT_WEBSOCKETURI", "Reference the Prosody resource: .WithReference(chat)");
var domain = Required("CHAT_DOMAIN", "Reference the Prosody resource: .WithReference(chat)");
var room = app.Configuration["CHAT_ROOM"];
if (!Uri.TryCreate(webSocketUri, UriKind.Absolute, out var webSocket) || webSocket.Scheme is not ("ws" or "wss"))
{
    throw new InvalidOperationException($"CHAT_WEBSOCKETURI must be a ws:// or wss:// URI, not '{webSocketUri}'.");
}

var converseDist = Path.Combine(app.Environment.ContentRootPath, "node_modules", "converse.js", "dist");
if (!File.Exists(Path.Combine(converseDist, "converse.min.js")))
{
    throw new InvalidOperationException($"Converse.js is missing from {converseDist}: run `npm ci` in {app.Environment.ContentRootPath} (building the project does it).");
}

// The browser may talk to this site and to Prosody's HTTP endpoint (the websocket, file share uploads and
// downloads), nothing else: a third-party request would be a bug, and the browser refuses it.
var prosodyHttp = $"{(webSocket.Scheme == "wss" ? "https" : "http")}://{webSocket.Authority}";
var prosodyWebSocket = $"{webSocket.Scheme}://{webSocket.Authority}";
var contentSecurityPolicy = string.Join("; ",
    "default-src 'self'",
    $"connect-src 'self' {prosodyWebSocket} {prosodyHttp}",
    $"img-src 'self' data: blob: {prosodyHttp}",
    $"media-src 'self' data: blob: {prosodyHttp}",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'");
app.Use((context, next) =>
{
    context.Response.Headers.ContentSecurityPolicy = contentSecurityPolicy;
    context.Response.Headers.XContentTypeOptions = "nosniff";
    return next(context);
});

app.UseDefaultFiles();
app.UseStaticFiles();
app.UseStaticFiles(new StaticFileOptions
{
    RequestPath = "/converse",
    FileProvider = new PhysicalFileProvider(converseDist),
});

app.MapGet("/config.json", () => Results.Json(new
{
    websocketUrl = webSocketUri,
    domain,
    room = string.IsNullOrEmpty(room) ? null : room,
}));

app.Run();

string Required(string key, string hint) =>
    app.Configuration[key] is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{key} is not set. {hint}.");
