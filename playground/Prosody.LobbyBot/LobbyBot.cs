using Aspire.Prosody.Client;
using Microsoft.Extensions.Options;

namespace Prosody.LobbyBot;

/// <summary>Signs in, joins the room, and answers commands from the room and from direct messages.</summary>
internal sealed class LobbyBot(XmppClient client, IOptions<LobbyBotOptions> options, ILogger<LobbyBot> logger, ILoggerFactory loggerFactory) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var commands = new BotCommands(client, loggerFactory.CreateLogger<BotCommands>());
        await client.ConnectAsync(stoppingToken).ConfigureAwait(false);
        await client.SendPresenceAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
        logger.LogInformation("Signed in as {Jid}.", client.Jid);

        var direct = AnswerDirectMessagesAsync(commands, stoppingToken);
        if (options.Value.Room is { Length: > 0 } roomJid)
        {
            // The client joins the room again by itself after a reconnect that could not resume the session.
            var room = await client.JoinRoomAsync(Jid.Parse(roomJid), options.Value.Nickname, stoppingToken).ConfigureAwait(false);
            logger.LogInformation("Joined {Room} as {Nickname}.", room.Room, room.Nickname);
            await foreach (var message in room.ReceiveMessagesAsync(stoppingToken).ConfigureAwait(false))
            {
                if (message.From.Resource == room.Nickname)
                {
                    continue;
                }

                await AnswerAsync(commands, message, reply => room.SendAsync(reply, stoppingToken), stoppingToken).ConfigureAwait(false);
            }
        }

        await direct.ConfigureAwait(false);
    }

    private async Task AnswerDirectMessagesAsync(BotCommands commands, CancellationToken stoppingToken)
    {
        await foreach (var message in client.ReceiveMessagesAsync(stoppingToken).ConfigureAwait(false))
        {
            if (message.Type == XmppMessageType.GroupChat)
            {
                continue;
            }

            await AnswerAsync(commands, message, reply => client.SendMessageAsync(message.From, reply, cancellationToken: stoppingToken), stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task AnswerAsync(BotCommands commands, XmppMessage message, Func<string, Task> reply, CancellationToken stoppingToken)
    {
        try
        {
            await commands.HandleAsync(message.From, message.Body, reply, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is XmppException or TimeoutException or HttpRequestException)
        {
            // One failed command must not stop the bot: say so to the asker and in the log.
            logger.LogWarning(e, "The command from {Sender} failed.", message.From);
            await reply($"That failed: {e.Message}").ConfigureAwait(false);
        }
    }
}
