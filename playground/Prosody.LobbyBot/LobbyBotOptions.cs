namespace Prosody.LobbyBot;

/// <summary>What the AppHost tells the bot (section <c>LobbyBot</c>, e.g. the environment variable <c>LobbyBot__Room</c>).</summary>
public sealed class LobbyBotOptions
{
    /// <summary>The group chat to sit in, such as <c>lobby@conference.chat.dev.localhost</c>; none: direct messages only.</summary>
    public string? Room { get; set; }

    /// <summary>The bot's nickname in the room.</summary>
    public string Nickname { get; set; } = "bot";
}
