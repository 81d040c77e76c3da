// The playground's bot: one call, AddProsodyClient("bot"), gives this service an XMPP client signed in as the
// account the AppHost declared with chat.AddAccount("bot"); the bot joins the lobby and answers commands (!help).
// Its connect and IQ traces, message counters and logs show in the Aspire dashboard; /health is the client's health.
using OpenTelemetry;
using Prosody.LobbyBot;

var builder = WebApplication.CreateBuilder(args);

builder.AddProsodyClient("bot");
builder.Services.AddHostedService<LobbyBot>();
builder.Services.Configure<LobbyBotOptions>(builder.Configuration.GetSection("LobbyBot"));

// Export to the dashboard when the AppHost gives an OTLP endpoint (it always does for its projects).
builder.Logging.AddOpenTelemetry(logging =>
{
    logging.IncludeFormattedMessage = true;
    logging.IncludeScopes = true;
});
builder.Services.AddOpenTelemetry().UseOtlpExporter();

var app = builder.Build();
app.MapHealthChecks("/health");
app.MapGet("/", () => "The lobby bot. Say !help in the lobby.");
app.Run();
