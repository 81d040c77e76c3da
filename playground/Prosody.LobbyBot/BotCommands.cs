using System.Globalization;
using System.Text;
using Aspire.Prosody.Client;

namespace Prosody.LobbyBot;

/// <summary>The commands the bot answers, the same in the room and in direct messages.</summary>
internal sealed class BotCommands(XmppClient client, ILogger<BotCommands> logger)
{
    public const string Help = "Commands: !ping (round trip to the server), !echo <text>, !upload <name> (uploads a small text file and links it), !count <n> (sends you n numbered direct messages).";

    /// <summary>Answers <paramref name="text"/>; <paramref name="reply"/> sends to where it came from.</summary>
    public async Task HandleAsync(Jid sender, string text, Func<string, Task> reply, CancellationToken cancellationToken)
    {
        var (command, argument) = Split(text);
        switch (command)
        {
            case "!help":
                await reply(Help).ConfigureAwait(false);
                break;
            case "!ping":
                var roundTrip = await client.PingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await reply($"pong ({roundTrip.TotalMilliseconds:F1} ms to the server)").ConfigureAwait(false);
                break;
            case "!echo":
                await reply(argument).ConfigureAwait(false);
                break;
            case "!upload":
                var name = string.IsNullOrWhiteSpace(argument) ? "hello.txt" : argument.Trim();
                var bytes = Encoding.UTF8.GetBytes($"Uploaded by the lobby bot at {DateTimeOffset.UtcNow:O} for {sender.Bare}.\n");
                using (var content = new MemoryStream(bytes))
                {
                    var url = await client.UploadFileAsync(name, content, bytes.Length, "text/plain", cancellationToken).ConfigureAwait(false);
                    await reply(url.ToString()).ConfigureAwait(false);
                }

                break;
            case "!count":
                await CountAsync(sender, argument, cancellationToken).ConfigureAwait(false);
                break;
            default:
                if (command.StartsWith('!'))
                {
                    await reply($"Unknown command {command}. {Help}").ConfigureAwait(false);
                }

                break;
        }
    }

    // Numbered direct messages, then "count done" once the server has acknowledged every one of them: a receiver
    // that has all numbers up to n has lost nothing, whatever happened to the connection in between.
    private async Task CountAsync(Jid sender, string argument, CancellationToken cancellationToken)
    {
        if (!int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > 10_000)
        {
            await client.SendMessageAsync(sender.Bare, "!count takes a number from 1 to 10000.", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        for (var i = 1; i <= count; i++)
        {
            await client.SendMessageAsync(sender.Bare, $"count {i}/{count}", cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await client.FlushAsync(cancellationToken).ConfigureAwait(false);
        await client.SendMessageAsync(sender.Bare, $"count done {count}", cancellationToken: cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sent {Count} numbered messages to {Sender}.", count, sender.Bare);
    }

    private static (string Command, string Argument) Split(string text)
    {
        text = text.Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text.ToLowerInvariant(), "") : (text[..space].ToLowerInvariant(), text[(space + 1)..]);
    }
}
